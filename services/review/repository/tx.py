"""The review use cases' transaction view on MongoDB: ``binder(jobs)`` gives the
``bind(tx)`` of ``BoundUnitOfWork``, every repository on the transaction's session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from services.review.repository.lexicon import MongoLexiconRepository
from services.review.repository.reviews import MongoReviewRepository
from shared.audit import AuditLog
from shared.events import EventEnvelope
from shared.jobs import Claim, TimedJobs
from shared.outbox import Tx

__all__ = ["MongoReviewTx", "TransactionJobs", "binder"]


class TransactionJobs:
    """:class:`~shared.jobs.TimedJobs` scheduled and completed in one transaction."""

    def __init__(self, jobs: TimedJobs, session: AsyncClientSession) -> None:
        self._jobs = jobs
        self._session = session

    async def schedule(
        self, key: str, *, kind: str, due_at: datetime, payload: dict[str, Any] | None = None
    ) -> bool:
        return await self._jobs.schedule(
            key, kind=kind, due_at=due_at, payload=payload, session=self._session
        )

    async def complete(self, claim: Claim, *, result: dict[str, Any] | None = None) -> None:
        await self._jobs.complete(claim, result=result, session=self._session)


@dataclass(frozen=True)
class MongoReviewTx:
    """The review use cases' transaction view on MongoDB (see ``ports.ReviewTx``)."""

    reviews: MongoReviewRepository
    lexicon: MongoLexiconRepository
    jobs: TransactionJobs
    audit: AuditLog
    emit: Callable[[EventEnvelope], None]


def binder(jobs: TimedJobs) -> Callable[[Tx], MongoReviewTx]:
    """``bind(tx)`` for ``BoundUnitOfWork``: every repository on the transaction's session."""

    def bind(tx: Tx) -> MongoReviewTx:
        return MongoReviewTx(
            reviews=MongoReviewRepository(tx.db, tx.session),
            lexicon=MongoLexiconRepository(tx.db, tx.session),
            jobs=TransactionJobs(jobs, tx.session),
            audit=AuditLog(tx.db, tx.session),
            emit=tx.emit,
        )

    return bind
