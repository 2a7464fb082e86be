"""The publisher's transaction view: its repositories, timed jobs and audit trail bound to
one MongoDB transaction."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.publisher.repository.calendar import MongoCalendar, MongoSeatRepository
from services.publisher.repository.posts import MongoPostRepository
from shared.audit import AuditLog
from shared.events import EventEnvelope
from shared.jobs import SessionJobs, TimedJobs
from shared.outbox import Tx

__all__ = ["MongoPublisherTx", "binder"]


@dataclass(frozen=True)
class MongoPublisherTx:
    """What a use case's work gets from ``deps.uow.run``: bound repositories and ``emit``."""

    posts: MongoPostRepository
    seats: MongoSeatRepository
    calendar: MongoCalendar
    jobs: SessionJobs
    audit: AuditLog
    emit: Callable[[EventEnvelope], None]


def binder(jobs: TimedJobs) -> Callable[[Tx], MongoPublisherTx]:
    """The ``bind`` of the service's :class:`~shared.outbox.BoundUnitOfWork`."""

    def bind(tx: Tx) -> MongoPublisherTx:
        return MongoPublisherTx(
            posts=MongoPostRepository(tx.db, tx.session),
            seats=MongoSeatRepository(tx.db, tx.session),
            calendar=MongoCalendar(tx.db, tx.session),
            jobs=jobs.in_session(tx.session),
            audit=AuditLog(tx.db, tx.session),
            emit=tx.emit,
        )

    return bind
