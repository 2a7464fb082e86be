"""The only code that touches the review service's collections.

* ``reviews`` — one document per draft revision (:class:`~.domain.Review`), unique on
  ``(draft_id, revision)``; the queue reads ``(state, slot_at)``, the overdue list
  ``(state, cutoff_at)``.
* ``lexicon_changes`` — the terms people added or removed at run time, one document per
  normalised term (``_id``), holding the latest instruction (``add`` with the term, or
  ``remove``).
* ``lexicon_meta`` — the single ``lexicon`` document whose ``revision`` goes up with
  every change: replicas compare it (one read by ``_id``) to know when to reload.
* ``audit`` (:func:`shared.http.record_audit`) and ``jobs`` (owned by :mod:`shared.jobs`;
  :class:`TransactionJobs` binds them to a transaction).

Each repository takes an optional session: unbound on ``ReviewDeps`` (the read side),
bound to a transaction by :func:`binder`, which builds the :class:`MongoReviewTx` every
use case's unit of work hands it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.review.domain.lexicon import LexiconChange
from services.review.domain.review import Review, ReviewLine, ReviewState
from services.review.errors import ReviewClosed
from shared.events import EventEnvelope
from shared.http import record_audit
from shared.jobs import Claim, TimedJobs
from shared.mongo import IndexSpec, MongoDoc
from shared.outbox import Tx
from shared.settings import Principal

__all__ = [
    "REVIEW_INDEXES",
    "MongoAuditTrail",
    "MongoLexiconRepository",
    "MongoReviewRepository",
    "MongoReviewTx",
    "TransactionJobs",
    "binder",
]

REVIEWS = "reviews"
LEXICON_CHANGES = "lexicon_changes"
LEXICON_META = "lexicon_meta"
_META_ID = "lexicon"

REVIEW_INDEXES = (
    IndexSpec(
        REVIEWS,
        (
            IndexModel(
                [("draft_id", ASCENDING), ("revision", ASCENDING)], name="revision", unique=True
            ),
            IndexModel(
                [("state", ASCENDING), ("slot_at", ASCENDING), ("deadline_at", ASCENDING)],
                name="queue",
            ),
            IndexModel([("state", ASCENDING), ("cutoff_at", ASCENDING)], name="overdue"),
        ),
    ),
)

Session = AsyncClientSession | None
_LINE_FIELDS = ReviewLine.fields_stored()
_QUEUE_ORDER = [("slot_at", ASCENDING), ("deadline_at", ASCENDING), ("submitted_at", ASCENDING)]


class MongoReviewRepository:
    """The ``reviews`` collection, in a transaction (``session``) or not."""

    def __init__(self, db: AsyncDatabase[MongoDoc], session: Session = None) -> None:
        self._reviews = db[REVIEWS]
        self._session = session

    async def get(self, review_id: str) -> Review | None:
        doc = await self._reviews.find_one({"_id": review_id}, session=self._session)
        return None if doc is None else Review.model_validate(doc)

    async def by_revision(self, draft_id: str, revision: int) -> Review | None:
        doc = await self._reviews.find_one(
            {"draft_id": draft_id, "revision": revision}, session=self._session
        )
        return None if doc is None else Review.model_validate(doc)

    async def latest_revision(self, draft_id: str) -> int:
        """The highest revision of ``draft_id`` under review so far (0 when none)."""
        doc = await self._reviews.find_one(
            {"draft_id": draft_id},
            {"revision": 1},
            sort=[("revision", -1)],
            session=self._session,
        )
        return int(doc["revision"]) if doc else 0

    async def pending_older(self, draft_id: str, revision: int) -> list[Review]:
        """Pending reviews of revisions older than ``revision``."""
        docs = await self._reviews.find(
            {"draft_id": draft_id, "revision": {"$lt": revision}, "state": ReviewState.PENDING},
            session=self._session,
        ).to_list(None)
        return [Review.model_validate(d) for d in docs]

    async def pending_for_slot(self, slot_at: datetime) -> list[Review]:
        docs = await self._reviews.find(
            {"state": ReviewState.PENDING, "slot_at": slot_at}, session=self._session
        ).to_list(None)
        return [Review.model_validate(d) for d in docs]

    async def insert(self, review: Review) -> None:
        await self._reviews.insert_one(review.to_document(), session=self._session)

    async def save_decided(self, review: Review) -> None:
        """Store a review that left ``pending``; refuses if another write got there first."""
        result = await self._reviews.replace_one(
            {"_id": review.id, "state": ReviewState.PENDING},
            review.to_document(),
            session=self._session,
        )
        if result.matched_count != 1:
            raise ReviewClosed(f"review {review.id} was decided by someone else meanwhile")

    async def mark_overdue(self, ids: Sequence[str], at: datetime) -> None:
        if ids:
            await self._reviews.update_many(
                {"_id": {"$in": list(ids)}, "state": ReviewState.PENDING},
                {"$set": {"overdue_reported_at": at}},
                session=self._session,
            )

    # -- the read side: the queue, the overdue list, the gauges ------------------------
    async def queue(
        self,
        *,
        state: ReviewState | None,
        slot_from: datetime | None,
        slot_to: datetime | None,
        late: bool | None,
        offset: int,
        limit: int,
    ) -> tuple[list[ReviewLine], int]:
        """Reviews in ``state`` (any when None), with a slot in ``[slot_from, slot_to)``."""
        query: dict[str, Any] = {}
        if state is not None:
            query["state"] = state.value
        if slot_from is not None or slot_to is not None:
            window: dict[str, datetime] = {}
            if slot_from is not None:
                window["$gte"] = slot_from
            if slot_to is not None:
                window["$lt"] = slot_to
            query["slot_at"] = window
        if late is not None:
            query["late"] = late
        return await self._page(query, offset=offset, limit=limit)

    async def overdue(
        self, now: datetime, *, offset: int, limit: int
    ) -> tuple[list[ReviewLine], int]:
        """Pending reviews whose cut-off has passed."""
        return await self._page(_overdue_query(now), offset=offset, limit=limit)

    async def _page(
        self, query: dict[str, Any], *, offset: int, limit: int
    ) -> tuple[list[ReviewLine], int]:
        """One page of the reviews matching ``query``, in queue order, and the total."""
        total = await self._reviews.count_documents(query, session=self._session)
        docs = (
            await self._reviews.find(query, _LINE_FIELDS, session=self._session)
            .sort(_QUEUE_ORDER)
            .skip(offset)
            .limit(limit)
            .to_list(None)
        )
        return [ReviewLine.model_validate(d) for d in docs], total

    async def counts(self, now: datetime) -> tuple[int, int, int]:
        """``(pending, overdue, slots with an overdue review)`` for the gauges."""
        pending = await self._reviews.count_documents(
            {"state": ReviewState.PENDING.value}, session=self._session
        )
        overdue_docs = await self._reviews.find(
            _overdue_query(now), {"slot_at": 1}, session=self._session
        ).to_list(None)
        return pending, len(overdue_docs), len({d["slot_at"] for d in overdue_docs})


def _overdue_query(now: datetime) -> dict[str, Any]:
    return {"state": ReviewState.PENDING.value, "cutoff_at": {"$lte": now}}


class MongoLexiconRepository:
    """Run-time lexicon changes and the revision replicas watch."""

    def __init__(self, db: AsyncDatabase[MongoDoc], session: Session = None) -> None:
        self._changes = db[LEXICON_CHANGES]
        self._meta = db[LEXICON_META]
        self._session = session

    async def meta(self) -> MongoDoc:
        """``{"revision": n, "changed_at", "changed_by"}``; revision 0 before any change."""
        doc = await self._meta.find_one({"_id": _META_ID}, session=self._session)
        return doc or {"_id": _META_ID, "revision": 0}

    async def revision(self) -> int:
        doc = await self._meta.find_one({"_id": _META_ID}, {"revision": 1}, session=self._session)
        return int(doc["revision"]) if doc else 0

    async def changes(self) -> list[LexiconChange]:
        docs = await self._changes.find({}, session=self._session).to_list(None)
        return [LexiconChange(d) for d in docs]

    async def put_change(self, key: str, change: Mapping[str, Any]) -> int:
        """Record the latest instruction for ``key`` and bump the revision; returns it."""
        await self._changes.replace_one(
            {"_id": key}, dict(change), upsert=True, session=self._session
        )
        await self._meta.update_one(
            {"_id": _META_ID},
            {
                "$inc": {"revision": 1},
                "$set": {"changed_at": change["at"], "changed_by": change["by"]},
            },
            upsert=True,
            session=self._session,
        )
        doc = await self._meta.find_one({"_id": _META_ID}, session=self._session)
        assert doc is not None
        return int(doc["revision"])


class MongoAuditTrail:
    """The ``audit`` collection, written in one transaction."""

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
    audit: MongoAuditTrail
    emit: Callable[[EventEnvelope], None]


def binder(jobs: TimedJobs) -> Callable[[Tx], MongoReviewTx]:
    """``bind(tx)`` for ``BoundUnitOfWork``: every repository on the transaction's session."""

    def bind(tx: Tx) -> MongoReviewTx:
        return MongoReviewTx(
            reviews=MongoReviewRepository(tx.db, tx.session),
            lexicon=MongoLexiconRepository(tx.db, tx.session),
            jobs=TransactionJobs(jobs, tx.session),
            audit=MongoAuditTrail(tx.db, tx.session),
            emit=tx.emit,
        )

    return bind
