"""Transactional outbox and idempotent consumption, on the service's own database.

``UnitOfWork.run(work, consumed=...)`` runs ``work(tx)`` in one MongoDB transaction that
also (a) inserts the idempotency record of the consumed event (unique ``_id``; a duplicate
raises :class:`AlreadyProcessed` and the whole transaction rolls back) and (b) inserts the
events ``work`` recorded with ``tx.emit`` into ``outbox``. State, idempotency record and
events commit together or not at all.

``OutboxRelay`` publishes pending outbox documents with broker confirms and marks them
sent. A crash between publish and mark re-publishes the event (at-least-once); consumers
dedupe on ``event_id``. Leases use real time (not the simulated clock): they guard
processes, not business deadlines.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

import structlog
from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from shared.errors import AlreadyProcessed, TransientError
from shared.events import EventEnvelope
from shared.metrics import MessagingMetrics
from shared.mongo import IndexSpec, MongoDoc

__all__ = [
    "OUTBOX_INDEXES",
    "BoundUnitOfWork",
    "OutboxRelay",
    "Transaction",
    "Tx",
    "UnitOfWork",
    "UnitOfWorkPort",
]

T = TypeVar("T")
V = TypeVar("V")
V_co = TypeVar("V_co", covariant=True)
_log = structlog.get_logger("outbox")

OUTBOX = "outbox"
INBOX = "inbox"
INBOX_RETENTION = timedelta(days=30)

OUTBOX_INDEXES = (
    IndexSpec(
        OUTBOX,
        (
            IndexModel([("status", ASCENDING), ("created_at", ASCENDING)], name="pending"),
            IndexModel([("claim", ASCENDING)], name="claim", sparse=True),
            IndexModel(
                [("sent_at", ASCENDING)],
                name="sent_ttl",
                expireAfterSeconds=int(timedelta(days=7).total_seconds()),
            ),
        ),
    ),
    IndexSpec(
        INBOX,
        (
            IndexModel(
                [("at", ASCENDING)],
                name="inbox_ttl",
                expireAfterSeconds=int(INBOX_RETENTION.total_seconds()),
            ),
        ),
    ),
)


@dataclass
class Tx:
    """Handle given to a unit of work: the session to pass to writes, and ``emit``."""

    session: AsyncClientSession
    db: AsyncDatabase[MongoDoc]
    events: list[EventEnvelope] = field(default_factory=list)

    def emit(self, event: EventEnvelope) -> None:
        """Record an event to publish if, and only if, the transaction commits."""
        self.events.append(event)


def outbox_document(event: EventEnvelope, now: datetime) -> MongoDoc:
    return {
        "_id": str(event.event_id),
        "event_type": event.EVENT_TYPE,
        "correlation_id": event.correlation_id,
        "body": event.model_dump_json(),
        "headers": event.headers(),
        "status": "pending",
        "created_at": now,
        "lease_until": now,
        "attempts": 0,
    }


class UnitOfWork:
    """Runs a state change, its idempotency record and its events in one transaction."""

    def __init__(
        self,
        client: AsyncMongoClient[MongoDoc],
        db: AsyncDatabase[MongoDoc],
        *,
        on_commit: Callable[[], None] | None = None,
        conflict_budget: float = 3.0,
    ) -> None:
        self.client = client
        self.db = db
        self._on_commit = on_commit
        self._conflict_budget = conflict_budget

    async def run(
        self,
        work: Callable[[Tx], Awaitable[T]],
        *,
        consumed: tuple[str, str] | None = None,
    ) -> T:
        """Run ``work`` atomically; ``consumed=(consumer, event_id)`` makes it idempotent."""
        if consumed is not None and await self.db[INBOX].find_one(
            {"_id": f"{consumed[0]}:{consumed[1]}"}, {"_id": 1}
        ):
            raise AlreadyProcessed(consumed[1])

        async def callback(session: AsyncClientSession) -> tuple[T, Tx]:
            tx = Tx(session=session, db=self.db)
            now = datetime.now(UTC)
            if consumed is not None:
                try:
                    await self.db[INBOX].insert_one(
                        {"_id": f"{consumed[0]}:{consumed[1]}", "at": now}, session=session
                    )
                except DuplicateKeyError as exc:
                    raise AlreadyProcessed(consumed[1]) from exc
            result = await work(tx)
            if tx.events:
                await self.db[OUTBOX].insert_many(
                    [outbox_document(e, now) for e in tx.events], session=session
                )
            return result, tx

        result, tx = await self._transact(callback)
        if tx.events and self._on_commit is not None:
            self._on_commit()
        return result

    async def _transact(
        self, callback: Callable[[AsyncClientSession], Awaitable[tuple[T, Tx]]]
    ) -> tuple[T, Tx]:
        """Run ``callback`` in a transaction, retrying conflicts for ``conflict_budget`` s.

        Not ``with_transaction``: it retries for up to 120 s inside the handler. A
        transaction left open by a killed process holds its locks until the server's
        transaction lifetime (60 s on MongoDB and SecantusDB) ends; waiting that out
        in the handler would stall the consumer. Past the budget we raise
        :class:`TransientError`, the message goes to the delayed retry queue, and the
        consumer serves other messages meanwhile.
        """
        deadline = time.monotonic() + self._conflict_budget
        delay = 0.01
        while True:
            async with self.client.start_session() as session:
                try:
                    await session.start_transaction()
                    outcome = await callback(session)
                    await self._commit(session)
                    return outcome
                except PyMongoError as exc:
                    if session.in_transaction:
                        with contextlib.suppress(PyMongoError):
                            await session.abort_transaction()
                    if not exc.has_error_label("TransientTransactionError"):
                        raise
                    if time.monotonic() >= deadline:
                        raise TransientError(f"transaction kept conflicting: {exc}") from exc
                except BaseException:
                    if session.in_transaction:
                        with contextlib.suppress(PyMongoError):
                            await session.abort_transaction()
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.5)

    @staticmethod
    async def _commit(session: AsyncClientSession) -> None:
        for attempt in range(3):
            try:
                await session.commit_transaction()
                return
            except PyMongoError as exc:
                if exc.has_error_label("UnknownTransactionCommitResult") and attempt < 2:
                    continue
                raise


class Transaction(Protocol):
    """What every service's transaction view offers besides its repositories."""

    def emit(self, event: EventEnvelope) -> None:
        """Publish ``event`` if, and only if, the transaction commits."""


class UnitOfWorkPort(Protocol[V_co]):
    """What use cases see of a unit of work: ``run(work)`` hands ``work`` the service's
    transaction view (its repositories bound to one transaction, and ``emit``), so no use
    case ever holds a database session. ``consumed=(consumer, event_id)`` makes it
    idempotent (:class:`AlreadyProcessed` when that event was consumed before)."""

    async def run(
        self, work: Callable[[V_co], Awaitable[T]], *, consumed: tuple[str, str] | None = None
    ) -> T: ...


class BoundUnitOfWork(Generic[V]):
    """A :class:`UnitOfWork` whose work receives ``bind(tx)``: the service's repositories
    bound to the transaction's session. Each service wires one in ``bootstrap``; unit
    tests use ``tests.fakes.uow.FakeUnitOfWork`` over in-memory repositories instead."""

    def __init__(self, uow: UnitOfWork, bind: Callable[[Tx], V]) -> None:
        self._uow = uow
        self._bind = bind

    async def run(
        self, work: Callable[[V], Awaitable[T]], *, consumed: tuple[str, str] | None = None
    ) -> T:
        async def in_transaction(tx: Tx) -> T:
            return await work(self._bind(tx))

        return await self._uow.run(in_transaction, consumed=consumed)


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
