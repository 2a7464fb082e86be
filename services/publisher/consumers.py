"""Subscribers of the publisher service: validate, call a use case, nothing else."""

from __future__ import annotations

from services.publisher.deps import PublisherDeps
from services.publisher.usecases.schedule import schedule_approved_post
from shared.events import DraftApproved
from shared.runtime import ServiceRuntime

__all__ = ["register_consumers"]


def register_consumers(runtime: ServiceRuntime, deps: PublisherDeps) -> None:
    """Subscribe this service's handlers, one queue per event."""

    @runtime.subscriber("draft.approved")
    async def on_draft_approved(event: DraftApproved) -> None:
        """Give the approved draft revision a slot and a publishing job (idempotent)."""
        await schedule_approved_post(event, deps=deps)
