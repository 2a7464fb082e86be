"""Subscribers of the review service: validate, call a use case, nothing else."""

from __future__ import annotations

from services.review.deps import ReviewDeps
from services.review.usecases import start_review
from shared.events import DraftSubmitted
from shared.runtime import ServiceRuntime

__all__ = ["register_consumers"]


def register_consumers(runtime: ServiceRuntime, deps: ReviewDeps) -> None:
    """Subscribe this service's handlers, one queue per event."""

    @runtime.subscriber("draft.submitted")
    async def on_draft_submitted(event: DraftSubmitted) -> None:
        """Check the submitted revision against the content norms and queue it for review."""
        await start_review(event, deps=deps)
