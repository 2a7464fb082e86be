"""The feedback use cases' transaction view on MongoDB (``ports.FeedbackTx``): every
repository, the timed jobs and the audit trail on the transaction's session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.feedback.repository.documents import MongoDocumentRepository
from services.feedback.repository.items import MongoItemRepository
from services.feedback.repository.windows import MongoWindowRepository
from shared.audit import AuditLog
from shared.events import EventEnvelope
from shared.jobs import SessionJobs, TimedJobs
from shared.outbox import Tx

__all__ = ["MongoFeedbackTx", "binder"]


@dataclass(frozen=True)
class MongoFeedbackTx:
    """Every feedback repository bound to one transaction's session, and ``emit``."""

    items: MongoItemRepository
    windows: MongoWindowRepository
    documents: MongoDocumentRepository
    jobs: SessionJobs
    audit: AuditLog
    emit: Callable[[EventEnvelope], None]


def binder(jobs: TimedJobs) -> Callable[[Tx], MongoFeedbackTx]:
    """``bind(tx)`` for ``BoundUnitOfWork``: every repository on the transaction's session."""

    def bind(tx: Tx) -> MongoFeedbackTx:
        return MongoFeedbackTx(
            items=MongoItemRepository(tx.db, tx.session),
            windows=MongoWindowRepository(tx.db, tx.session),
            documents=MongoDocumentRepository(tx.db, tx.session),
            jobs=jobs.in_session(tx.session),
            audit=AuditLog(tx.db, tx.session),
            emit=tx.emit,
        )

    return bind
