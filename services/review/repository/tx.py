"""The review use cases' transaction view on MongoDB: ``binder(jobs)`` gives the
``bind(tx)`` of ``BoundUnitOfWork``, every repository, the timed jobs and the audit trail
on the transaction's session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.review.repository.lexicon import MongoLexiconRepository
from services.review.repository.reviews import MongoReviewRepository
from shared.audit import AuditLog
from shared.events import EventEnvelope
from shared.jobs import SessionJobs, TimedJobs
from shared.outbox import Tx

__all__ = ["MongoReviewTx", "binder"]


@dataclass(frozen=True)
class MongoReviewTx:
    """The review use cases' transaction view on MongoDB (see ``ports.ReviewTx``)."""

    reviews: MongoReviewRepository
    lexicon: MongoLexiconRepository
    jobs: SessionJobs
    audit: AuditLog
    emit: Callable[[EventEnvelope], None]


def binder(jobs: TimedJobs) -> Callable[[Tx], MongoReviewTx]:
    """``bind(tx)`` for ``BoundUnitOfWork``: every repository on the transaction's session."""

    def bind(tx: Tx) -> MongoReviewTx:
        return MongoReviewTx(
            reviews=MongoReviewRepository(tx.db, tx.session),
            lexicon=MongoLexiconRepository(tx.db, tx.session),
            jobs=jobs.in_session(tx.session),
            audit=AuditLog(tx.db, tx.session),
            emit=tx.emit,
        )

    return bind
