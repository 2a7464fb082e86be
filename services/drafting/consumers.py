"""Subscribers of the drafting service: validate, call a use case, nothing else."""

from __future__ import annotations

from services.drafting.deps import DraftingDeps
from services.drafting.usecases import (
    apply_approval,
    apply_failure,
    apply_publication,
    apply_rejection,
    receive_digest,
    receive_report,
)
from shared.events import (
    DraftApproved,
    DraftRejected,
    FeedbackDigestReady,
    PostFailed,
    PostPublished,
    ReportReady,
)
from shared.runtime import ServiceRuntime

__all__ = ["register_consumers"]


def register_consumers(runtime: ServiceRuntime, deps: DraftingDeps) -> None:
    """Subscribe this service's use cases for facts, one queue per event."""

    @runtime.subscriber("draft.approved")
    async def on_draft_approved(event: DraftApproved) -> None:
        """Mark the approved revision approved (and scheduled when the approval names a slot)."""
        await apply_approval(event, deps=deps)

    @runtime.subscriber("draft.rejected")
    async def on_draft_rejected(event: DraftRejected) -> None:
        """Send the rejected revision back to its editors with the findings."""
        await apply_rejection(event, deps=deps)

    @runtime.subscriber("post.published")
    async def on_post_published(event: PostPublished) -> None:
        """Mark the draft published."""
        await apply_publication(event, deps=deps)

    @runtime.subscriber("post.failed")
    async def on_post_failed(event: PostFailed) -> None:
        """Mark the draft failed so a person acts."""
        await apply_failure(event, deps=deps)

    @runtime.subscriber("feedback.digest.ready")
    async def on_feedback_digest_ready(event: FeedbackDigestReady) -> None:
        """Keep the digest's themes and customer questions as topic ideas."""
        await receive_digest(event, deps=deps)

    @runtime.subscriber("report.ready")
    async def on_report_ready(event: ReportReady) -> None:
        """Keep the report's topic ideas."""
        await receive_report(event, deps=deps)
