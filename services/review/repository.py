"""The only code that touches the review service's collections.

* ``reviews`` — one document per draft revision (:class:`~.domain.Review`), unique on
  ``(draft_id, revision)``; the queue reads ``(state, slot_at)``, the overdue list
  ``(state, cutoff_at)``.
* ``lexicon_changes`` — the terms people added or removed at run time, one document per
  normalised term (``_id``), holding the latest instruction (``add`` with the term, or
  ``remove``).
* ``lexicon_meta`` — the single ``lexicon`` document whose ``revision`` goes up with
  every change: replicas compare it (one read by ``_id``) to know when to reload.
* ``audit`` (written through :func:`shared.http.record_audit`) and ``jobs`` (owned by
  :mod:`shared.jobs`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.review.domain import Review, ReviewLine, ReviewState
from services.review.errors import ReviewClosed
from services.review.norms import Category, Severity, Term
from shared.mongo import IndexSpec, MongoDoc

__all__ = [
    "REVIEW_INDEXES",
    "LexiconChange",
    "LexiconRepository",
    "ReviewQuery",
    "ReviewRepository",
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
ReviewQuery = Mapping[str, Any]
_LINE_FIELDS = ReviewLine.fields_stored()
_QUEUE_ORDER = [("slot_at", ASCENDING), ("deadline_at", ASCENDING), ("submitted_at", ASCENDING)]


class ReviewRepository:
    """Reviews and their audit lines, in the service's own database."""

    def __init__(self, db: AsyncDatabase[MongoDoc]) -> None:
        self.db = db
        self._reviews = db[REVIEWS]

    async def get(self, review_id: str, *, session: Session = None) -> Review | None:
        doc = await self._reviews.find_one({"_id": review_id}, session=session)
        return None if doc is None else Review.model_validate(doc)

    async def by_revision(self, draft_id: str, revision: int, *, session: Session) -> Review | None:
        doc = await self._reviews.find_one(
            {"draft_id": draft_id, "revision": revision}, session=session
        )
        return None if doc is None else Review.model_validate(doc)

    async def latest_revision(self, draft_id: str, *, session: Session) -> int:
        """The highest revision of ``draft_id`` under review so far (0 when none)."""
        doc = await self._reviews.find_one(
            {"draft_id": draft_id},
            {"revision": 1},
            sort=[("revision", -1)],
            session=session,
        )
        return int(doc["revision"]) if doc else 0

    async def pending_older(
        self, draft_id: str, revision: int, *, session: Session
    ) -> list[Review]:
        """Pending reviews of revisions older than ``revision``."""
        docs = await self._reviews.find(
            {"draft_id": draft_id, "revision": {"$lt": revision}, "state": ReviewState.PENDING},
            session=session,
        ).to_list(None)
        return [Review.model_validate(d) for d in docs]

    async def insert(self, review: Review, *, session: Session) -> None:
        await self._reviews.insert_one(review.to_document(), session=session)

    async def save_decided(self, review: Review, *, session: Session) -> None:
        """Store a review that left ``pending``; refuses if another write got there first."""
        result = await self._reviews.replace_one(
            {"_id": review.id, "state": ReviewState.PENDING}, review.to_document(), session=session
        )
        if result.matched_count != 1:
            raise ReviewClosed(f"review {review.id} was decided by someone else meanwhile")

    async def page(
        self, query: ReviewQuery, *, offset: int, limit: int, session: Session = None
    ) -> tuple[list[ReviewLine], int]:
        """One page of the reviews matching ``query``, in queue order, and the total."""
        total = await self._reviews.count_documents(dict(query), session=session)
        docs = (
            await self._reviews.find(dict(query), _LINE_FIELDS, session=session)
            .sort(_QUEUE_ORDER)
            .skip(offset)
            .limit(limit)
            .to_list(None)
        )
        return [ReviewLine.model_validate(d) for d in docs], total

    @staticmethod
    def queue_query(
        *,
        state: ReviewState | None = ReviewState.PENDING,
        slot_from: datetime | None = None,
        slot_to: datetime | None = None,
        late: bool | None = None,
    ) -> dict[str, Any]:
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
        return query

    @staticmethod
    def overdue_query(now: datetime) -> dict[str, Any]:
        """Pending reviews whose cut-off has passed."""
        return {"state": ReviewState.PENDING.value, "cutoff_at": {"$lte": now}}

    async def pending_for_slot(self, slot_at: datetime, *, session: Session) -> list[Review]:
        docs = await self._reviews.find(
            {"state": ReviewState.PENDING, "slot_at": slot_at}, session=session
        ).to_list(None)
        return [Review.model_validate(d) for d in docs]

    async def mark_overdue(self, ids: Sequence[str], at: datetime, *, session: Session) -> None:
        if ids:
            await self._reviews.update_many(
                {"_id": {"$in": list(ids)}, "state": ReviewState.PENDING},
                {"$set": {"overdue_reported_at": at}},
                session=session,
            )

    async def counts(self, now: datetime) -> tuple[int, int, int]:
        """``(pending, overdue, slots with an overdue review)`` for the gauges."""
        pending = await self._reviews.count_documents({"state": ReviewState.PENDING.value})
        overdue_docs = await self._reviews.find(self.overdue_query(now), {"slot_at": 1}).to_list(
            None
        )
        return pending, len(overdue_docs), len({d["slot_at"] for d in overdue_docs})


class LexiconChange(dict[str, Any]):
    """A stored lexicon change (``_id`` = normalised term, ``action`` = add/remove)."""

    def term(self) -> Term:
        return Term(
            self["text"], Category(self["category"]), Severity(self["severity"]), self["note"]
        )


class LexiconRepository:
    """Run-time lexicon changes and the revision replicas watch."""

    def __init__(self, db: AsyncDatabase[MongoDoc]) -> None:
        self._changes = db[LEXICON_CHANGES]
        self._meta = db[LEXICON_META]

    async def meta(self) -> MongoDoc:
        """``{"revision": n, "changed_at", "changed_by"}``; revision 0 before any change."""
        doc = await self._meta.find_one({"_id": _META_ID})
        return doc or {"_id": _META_ID, "revision": 0}

    async def revision(self) -> int:
        doc = await self._meta.find_one({"_id": _META_ID}, {"revision": 1})
        return int(doc["revision"]) if doc else 0

    async def changes(self) -> list[LexiconChange]:
        docs = await self._changes.find({}).to_list(None)
        return [LexiconChange(d) for d in docs]

    async def put_change(self, key: str, change: Mapping[str, Any], *, session: Session) -> int:
        """Record the latest instruction for ``key`` and bump the revision; returns it."""
        await self._changes.replace_one({"_id": key}, dict(change), upsert=True, session=session)
        await self._meta.update_one(
            {"_id": _META_ID},
            {
                "$inc": {"revision": 1},
                "$set": {"changed_at": change["at"], "changed_by": change["by"]},
            },
            upsert=True,
            session=session,
        )
        doc = await self._meta.find_one({"_id": _META_ID}, session=session)
        assert doc is not None
        return int(doc["revision"])
