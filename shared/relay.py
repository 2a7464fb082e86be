"""The outbox relay: publishes pending outbox documents with broker confirms.

:class:`OutboxRelay` marks each event sent once the broker confirmed it. A crash between
publish and mark re-publishes the event (at-least-once); consumers dedupe on
``event_id``. Leases use real time (not the simulated clock): they guard processes, not
business deadlines. The events get into the outbox with their state change, in one
transaction (:mod:`shared.outbox`).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared.metrics import MessagingMetrics
from shared.mongo import MongoDoc
from shared.outbox import OUTBOX

__all__ = ["OutboxRelay", "Publish"]

_log = structlog.get_logger("outbox")

Publish = Callable[[MongoDoc], Awaitable[None]]


class OutboxRelay:
    """Publishes pending outbox events with confirms; safe with many replicas."""

    def __init__(
        self,
        db: AsyncDatabase[MongoDoc],
        publish: Publish,
        *,
        metrics: MessagingMetrics | None = None,
        poll_seconds: float = 1.0,
        batch_size: int = 200,
        lease: timedelta = timedelta(seconds=30),
        retry_backoff: timedelta = timedelta(seconds=1),
    ) -> None:
        self._coll = db[OUTBOX]
        self._publish = publish
        self._metrics = metrics
        self._poll = poll_seconds
        self._batch = batch_size
        self._lease = lease
        self._backoff = retry_backoff
        self._wake = asyncio.Event()
        self._stopping = False

    def wake(self) -> None:
        """Ask the relay to look now (called after a commit that wrote events)."""
        self._wake.set()

    async def run(self) -> None:
        """Loop until :meth:`stop`; publish failures are logged and retried."""
        while not self._stopping:
            try:
                published = await self.drain_once()
            except Exception as exc:  # store or broker down: try again after the poll
                _log.warning("outbox_relay_error", error=repr(exc))
                published = 0
            if published == 0 and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._poll)
                self._wake.clear()

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()

    async def drain_once(self) -> int:
        """Claim a batch, publish it in order, mark it sent. Returns how many were sent."""
        now = datetime.now(UTC)
        candidates = (
            await self._coll.find({"status": "pending", "lease_until": {"$lte": now}}, {"_id": 1})
            .sort("created_at", ASCENDING)
            .limit(self._batch)
            .to_list(None)
        )
        if self._metrics is not None:
            self._metrics.outbox_pending.set(
                await self._coll.count_documents({"status": "pending"})
            )
        if not candidates:
            return 0
        claim = uuid.uuid4().hex
        await self._coll.update_many(
            {
                "_id": {"$in": [c["_id"] for c in candidates]},
                "status": "pending",
                "lease_until": {"$lte": now},
            },
            {"$set": {"claim": claim, "lease_until": now + self._lease}, "$inc": {"attempts": 1}},
        )
        docs = await self._coll.find({"claim": claim}).sort("created_at", ASCENDING).to_list(None)
        sent: list[Any] = []
        try:
            for doc in docs:
                await self._publish(doc)
                sent.append(doc["_id"])
                if self._metrics is not None:
                    self._metrics.outbox_published.labels(doc["event_type"]).inc()
        except Exception as exc:
            if self._metrics is not None:
                self._metrics.outbox_publish_errors.inc()
            _log.warning("outbox_publish_failed", error=repr(exc), sent=len(sent))
            unsent = [d["_id"] for d in docs if d["_id"] not in set(sent)]
            await self._coll.update_many(
                {"_id": {"$in": unsent}, "claim": claim},
                {"$set": {"lease_until": datetime.now(UTC) + self._backoff}},
            )
        if sent:
            await self._coll.update_many(
                {"_id": {"$in": sent}},
                {"$set": {"status": "sent", "sent_at": datetime.now(UTC)}, "$unset": {"claim": ""}},
            )
        return len(sent)
