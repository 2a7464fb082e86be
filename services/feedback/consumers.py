"""Subscribers of the feedback service: validate, call a use case, nothing else."""

from __future__ import annotations

from services.feedback.deps import FeedbackDeps
from services.feedback.domain.item import Incoming, Outcome
from services.feedback.usecases.open_window import open_window
from shared.errors import AlreadyProcessed
from shared.events import FeedbackReceived, PostPublished
from shared.runtime import ServiceRuntime

__all__ = ["register_consumers"]


def register_consumers(runtime: ServiceRuntime, deps: FeedbackDeps) -> None:
    """Subscribe this service's handlers, one queue per event."""

    @runtime.subscriber("post.published")
    async def on_post_published(event: PostPublished) -> None:
        """Open the post's feedback window (24 hours by default), once per post."""
        await open_window(event, deps=deps)

    @runtime.subscriber("feedback.received")
    async def on_feedback_received(event: FeedbackReceived) -> None:
        """Store one comment, message, reply or metric snapshot, once.

        The item joins a batch; the message is acked only after that batch is written.
        """
        outcome = await deps.batcher.submit(Incoming(event.payload, str(event.event_id), "amqp"))
        if outcome is Outcome.DUPLICATE:
            raise AlreadyProcessed(str(event.event_id))  # acked, counted as a duplicate
