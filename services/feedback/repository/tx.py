"""The feedback use cases' transaction view on MongoDB (``ports.FeedbackTx``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from services.feedback.repository.documents import MongoDocumentRepository
from services.feedback.repository.items import MongoItemRepository
from services.feedback.repository.windows import MongoWindowRepository
from shared.audit import AuditLog
from shared.events import EventEnvelope
from shared.jobs import Claim, TimedJobs
from shared.outbox import Tx

__all__ = ["MongoFeedbackTx", "TransactionJobs", "binder"]


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
class MongoFeedbackTx:
    """Every feedback repository bound to one transaction's session, and ``emit``."""

    items: MongoItemRepository
    windows: MongoWindowRepository
    documents: MongoDocumentRepository
    jobs: TransactionJobs
    audit: AuditLog
    emit: Callable[[EventEnvelope], None]


def binder(jobs: TimedJobs) -> Callable[[Tx], MongoFeedbackTx]:
    """``bind(tx)`` for ``BoundUnitOfWork``: every repository on the transaction's session."""

    def bind(tx: Tx) -> MongoFeedbackTx:
        return MongoFeedbackTx(
            items=MongoItemRepository(tx.db, tx.session),
            windows=MongoWindowRepository(tx.db, tx.session),
            documents=MongoDocumentRepository(tx.db, tx.session),
            jobs=TransactionJobs(jobs, tx.session),
            audit=AuditLog(tx.db, tx.session),
            emit=tx.emit,
        )

    return bind
