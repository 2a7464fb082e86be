"""Batched idempotency records for high-volume consumers (the consume benchmark's
"batched" path; no service uses it: feedback batches its own item inserts).

The default consume path (:class:`shared.outbox.UnitOfWork`) writes one transaction per
event. Where events are many and the effect *is* a single insert keyed by the event
(feedback items, metric snapshots), that costs a round trip and a commit per message.
:class:`BatchedInbox` instead collects concurrent handlers' records and writes them
with one unordered ``insert_many``; a duplicate key means "already recorded". Each
handler returns (and its message is acked) only after the batch holding its record is
written, so nothing acked is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from shared.batching import BatchWriter
from shared.mongo import MongoDoc

__all__ = ["BatchedInbox", "insert_many_new"]

DUPLICATE_KEY = 11000


async def insert_many_new(coll: AsyncCollection[MongoDoc], docs: Sequence[MongoDoc]) -> list[bool]:
    """Insert ``docs`` unordered; per document, True if new and False if a duplicate."""
    if not docs:
        return []
    try:
        await coll.insert_many(list(docs), ordered=False)
    except BulkWriteError as exc:
        errors: list[dict[str, Any]] = exc.details.get("writeErrors", [])
        if any(err.get("code") != DUPLICATE_KEY for err in errors):
            raise
        duplicates = {int(err["index"]) for err in errors}
        return [i not in duplicates for i in range(len(docs))]
    return [True] * len(docs)


class BatchedInbox:
    """Record consumed events in batches; ``record`` says whether the event is new."""

    def __init__(
        self,
        coll: AsyncCollection[MongoDoc],
        *,
        max_size: int = 200,
        max_wait: float = 0.02,
        max_inflight: int = 2,
    ) -> None:
        self._coll = coll
        self._writer: BatchWriter[MongoDoc, bool] = BatchWriter(
            self._write, max_size=max_size, max_wait=max_wait, max_inflight=max_inflight
        )

    async def _write(self, docs: list[MongoDoc]) -> list[bool]:
        return await insert_many_new(self._coll, docs)

    async def record(self, event_id: str, doc: MongoDoc | None = None) -> bool:
        """Write ``{_id: event_id, **doc}``; True when new, False for a duplicate."""
        return await self._writer.submit({"_id": event_id, "at": datetime.now(UTC), **(doc or {})})

    async def drain(self) -> None:
        await self._writer.drain()
