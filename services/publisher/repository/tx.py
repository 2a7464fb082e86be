"""The publisher's transaction view: its repositories bound to one MongoDB transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.publisher.repository.calendar import MongoCalendar, MongoSeatRepository
from services.publisher.repository.posts import MongoPostRepository
from shared.events import EventEnvelope
from shared.http import record_audit
from shared.jobs import Claim, TimedJobs
from shared.mongo import MongoDoc
from shared.outbox import Tx
from shared.settings import Principal

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


class MongoAudit:
    """The service's ``audit`` collection, written in ``session``.

    Not :class:`shared.http.AuditLog`: its ``**details`` cannot carry the ``action`` a
    resolution's audit line names (``record``'s own parameter).
    """

    def __init__(self, db: AsyncDatabase[MongoDoc], session: AsyncClientSession) -> None:
        self._db = db
        self._session = session

    async def record(
        self,
        actor: Principal,
        action: str,
        target: str,
        *,
        at: datetime,
        details: Mapping[str, Any],
    ) -> None:
        await record_audit(
            self._db,
            actor=actor,
            action=action,
            target=target,
            details=details,
            at=at,
            session=self._session,
        )


@dataclass(frozen=True)
class MongoPublisherTx:
    """What a use case's work gets from ``deps.uow.run``: bound repositories and ``emit``."""

    posts: MongoPostRepository
    seats: MongoSeatRepository
    calendar: MongoCalendar
    jobs: MongoJobQueue
    audit: MongoAudit
    emit: Callable[[EventEnvelope], None]


def binder(jobs: TimedJobs) -> Callable[[Tx], MongoPublisherTx]:
    """The ``bind`` of the service's :class:`~shared.outbox.BoundUnitOfWork`."""

    def bind(tx: Tx) -> MongoPublisherTx:
        return MongoPublisherTx(
            posts=MongoPostRepository(tx.db, tx.session),
            seats=MongoSeatRepository(tx.db, tx.session),
            calendar=MongoCalendar(tx.db, tx.session),
            jobs=MongoJobQueue(jobs, tx.session),
            audit=MongoAudit(tx.db, tx.session),
            emit=tx.emit,
        )

    return bind
