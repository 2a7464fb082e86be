"""Transactional outbox and idempotent consumption, on the service's own database.

``UnitOfWork.run(work, consumed=...)`` runs ``work(tx)`` in one MongoDB transaction that
also (a) inserts the idempotency record of the consumed event (unique ``_id``; a duplicate
raises :class:`AlreadyProcessed` and the whole transaction rolls back) and (b) inserts the
events ``work`` recorded with ``tx.emit`` into ``outbox``. State, idempotency record and
events commit together or not at all.

``BoundUnitOfWork`` hands ``work`` the service's repositories bound to the transaction
(use cases never see a session). :class:`shared.relay.OutboxRelay` publishes what the
outbox holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Generic, Protocol, TypeVar

from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError, PyMongoError

from shared.errors import AlreadyProcessed, TransientError
from shared.events import EventEnvelope
from shared.mongo import IndexSpec, MongoDoc

__all__ = [
    "OUTBOX_INDEXES",
    "BoundUnitOfWork",
    "Transaction",
    "Tx",
    "UnitOfWork",
    "UnitOfWorkPort",
]

T = TypeVar("T")
V = TypeVar("V")
V_co = TypeVar("V_co", covariant=True)

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
        on_session: Callable[[AsyncClientSession], Awaitable[None]] | None = None,
        conflict_budget: float = 3.0,
    ) -> None:
        self.client = client
        self.db = db
        self._on_commit = on_commit
        self._on_session = on_session
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
        transaction lifetime (60 s on MongoDB and SecantusDB) ends, or until a live
        replica ends it (``on_session`` lists each session under the replica's lease:
        :class:`shared.jobs.replicas.ReplicaSessions`); waiting in the handler would
        stall the consumer. Past the budget we raise
        :class:`TransientError`, the message goes to the delayed retry queue, and the
        consumer serves other messages meanwhile.
        """
        deadline = time.monotonic() + self._conflict_budget
        delay = 0.01
        while True:
            async with self.client.start_session() as session:
                try:
                    if self._on_session is not None:  # listed before any lock is taken
                        await self._on_session(session)
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
