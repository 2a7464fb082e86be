"""Test support: record a consumed event as its own effect (a consumer that only logs and
records), for the backbone tests, the services' harnesses and the benchmarks."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.events import EventEnvelope
from shared.outbox import Tx, UnitOfWork

__all__ = ["CONSUMED", "EFFECTS", "record_consumed"]

CONSUMED = "consumed_events"
EFFECTS = "consumed_effects"


async def record_consumed(uow: UnitOfWork, consumer: str, event: EventEnvelope) -> None:
    """Store the event once, idempotently (a redelivery raises ``AlreadyProcessed``)."""

    async def work(tx: Tx) -> None:
        await tx.db[CONSUMED].insert_one(
            {
                "_id": f"{consumer}:{event.event_id}",
                "event_type": event.EVENT_TYPE,
                "correlation_id": event.correlation_id,
                "occurred_at": event.occurred_at,
                "received_at": datetime.now(UTC),
                "payload": event.payload.model_dump(mode="json"),  # type: ignore[attr-defined]
            },
            session=tx.session,
        )
        # A counter, so a second effect of one event would show (tests count these).
        await tx.db[EFFECTS].update_one(
            {"_id": f"{event.EVENT_TYPE}:{event.correlation_id}"},
            {"$inc": {"n": 1}},
            upsert=True,
            session=tx.session,
        )

    await uow.run(work, consumed=(consumer, str(event.event_id)))
