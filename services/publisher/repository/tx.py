"""The publisher's transaction view: its repositories bound to one MongoDB transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from services.publisher.repository.calendar import MongoCalendar, MongoSeatRepository
from services.publisher.repository.posts import MongoPostRepository
from shared.audit import AuditLog
from shared.events import EventEnvelope
from shared.jobs import Claim, TimedJobs
from shared.outbox import Tx

__all__ = ["MongoJobQueue", "MongoPublisherTx", "binder"]


class MongoJobQueue:
    """The service's timed jobs, scheduled, cancelled and completed in ``session``."""

    def __init__(self, jobs: TimedJobs, session: AsyncClientSession | None = None) -> None:
        self._jobs = jobs
        self._session = session

    async def schedule(
        self, key: str, *, kind: str, due_at: datetime, payload: dict[str, Any]
    ) -> bool:
        return await self._jobs.schedule(
            key, kind=kind, due_at=due_at, payload=payload, session=self._session
        )

    async def cancel(self, key: str) -> bool:
        return await self._jobs.cancel(key, session=self._session)

    async def complete(self, claim: Claim, *, outcome: str) -> None:
        """Finish a claimed job; :class:`~shared.jobs.FencedOut` for a stale fence."""
        await self._jobs.complete(claim, outcome=outcome, session=self._session)


@dataclass(frozen=True)
class MongoPublisherTx:
    """What a use case's work gets from ``deps.uow.run``: bound repositories and ``emit``."""

    posts: MongoPostRepository
    seats: MongoSeatRepository
    calendar: MongoCalendar
    jobs: MongoJobQueue
    audit: AuditLog
    emit: Callable[[EventEnvelope], None]


def binder(jobs: TimedJobs) -> Callable[[Tx], MongoPublisherTx]:
    """The ``bind`` of the service's :class:`~shared.outbox.BoundUnitOfWork`."""

    def bind(tx: Tx) -> MongoPublisherTx:
        return MongoPublisherTx(
            posts=MongoPostRepository(tx.db, tx.session),
            seats=MongoSeatRepository(tx.db, tx.session),
            calendar=MongoCalendar(tx.db, tx.session),
            jobs=MongoJobQueue(jobs, tx.session),
            audit=AuditLog(tx.db, tx.session),
            emit=tx.emit,
        )

    return bind
