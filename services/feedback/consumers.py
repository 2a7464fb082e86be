"""Consumers of the feedback service: validate, call a use case, nothing else."""

from __future__ import annotations

import asyncio

import structlog

from services.feedback.deps import FeedbackDeps
from services.feedback.domain.item import Incoming, Outcome
from services.feedback.usecases.open_window import open_window
from shared.consume import DirectConsumer
from shared.errors import AlreadyProcessed, PoisonMessage
from shared.events import EventEnvelope, FeedbackReceived, PostPublished
from shared.runtime import ServiceRuntime

__all__ = ["register_consumers"]

START_TIMEOUT = 60.0
_log = structlog.get_logger("feedback")


def register_consumers(runtime: ServiceRuntime, deps: FeedbackDeps) -> None:
    """Subscribe this service's handlers, one queue per event."""

    def known_account(event: EventEnvelope) -> None:
        if event.account not in deps.settings.accounts:
            raise PoisonMessage("unknown_account", f"no account {event.account!r} here")

    @runtime.subscriber("post.published")
    async def on_post_published(event: PostPublished) -> None:
        """Open the post's feedback window (24 hours by default), once per post, as the
        event's account's (a version-1 event: the default account's)."""
        known_account(event)
        await open_window(event, deps=deps)

    async def on_feedback_received(body: bytes) -> None:
        """Store one comment, message, reply or metric snapshot, once.

        The item joins a batch; the message is acked only after that batch is written.
        It belongs to its post's account: a version-2 event naming another account is
        dead-lettered (``account_mismatch``); a version-1 event takes the post's account.
        """
        event = FeedbackReceived.model_validate_json(body)  # invalid: dead-lettered
        known_account(event)
        incoming = Incoming(
            event.payload,
            str(event.event_id),
            "amqp",
            account=event.account,
            account_named=event.schema_version >= 2,
        )
        outcome = await deps.batcher.submit(incoming)
        if outcome is Outcome.DUPLICATE:
            raise AlreadyProcessed(str(event.event_id))  # acked, counted as a duplicate
        if outcome is Outcome.INVALID:
            raise PoisonMessage(
                "account_mismatch",
                f"post {event.payload.post_id!r} is not of account {event.account!r}",
            )

    # The hot path (#15): consumed on aio-pika directly, with the same rules as every
    # subscriber (shared.consume): FastStream's per-message pipeline cost about as much
    # CPU per event as the store's insert of it.
    received = DirectConsumer(
        runtime.policy,
        url=deps.settings.rabbit_url,
        event="feedback.received",
        handle=on_feedback_received,
        prefetch=deps.settings.prefetch,
        grace=deps.settings.shutdown_grace_seconds,
        registry=runtime.registry,
    )
    runtime.job("feedback.received-consumer", received.run)
    start = runtime.start

    async def start_consuming() -> None:
        """The runtime's start, returning once the queue is bound, as FastStream's
        subscribers are when it returns (an event published right after is routed)."""
        await start()
        try:
            await asyncio.wait_for(received.consuming(), timeout=START_TIMEOUT)
        except TimeoutError:  # the job retries on its own; the service still starts
            _log.error("consumer_not_started", queue=received.queue.name)

    setattr(runtime, "start", start_consuming)  # noqa: B010 - shared.runtime has no start hook
