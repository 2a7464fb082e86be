"""The reporting use cases' transaction view on MongoDB."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.reporting.repository.read_model import MongoDigestRepository, MongoPostRepository
from services.reporting.repository.reports import MongoReportRepository
from shared.audit import AuditLog
from shared.events import EventEnvelope
from shared.jobs import SessionJobs, TimedJobs
from shared.outbox import Tx

__all__ = ["MongoReportingTx", "binder"]


@dataclass(frozen=True)
class MongoReportingTx:
    """:class:`~services.reporting.ports.ReportingTx` on one MongoDB transaction."""

    posts: MongoPostRepository
    digests: MongoDigestRepository
    reports: MongoReportRepository
    jobs: SessionJobs
    audit: AuditLog
    emit: Callable[[EventEnvelope], None]


def binder(jobs: TimedJobs) -> Callable[[Tx], MongoReportingTx]:
    """``bind(tx)`` for ``BoundUnitOfWork``: every repository on the transaction's session."""

    def bind(tx: Tx) -> MongoReportingTx:
        return MongoReportingTx(
            posts=MongoPostRepository(tx.db, tx.session),
            digests=MongoDigestRepository(tx.db, tx.session),
            reports=MongoReportRepository(tx.db, tx.session),
            jobs=jobs.in_session(tx.session),
            audit=AuditLog(tx.db, tx.session),
            emit=tx.emit,
        )

    return bind
