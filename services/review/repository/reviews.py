"""The ``reviews`` collection: its indexes, the transaction side and the read side.

Every review carries its ``account`` (#12); reviews stored before accounts are given
``default`` once at start-up (``adopt_default_account``), so every list filters on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.review.domain.decision import ReviewState
from services.review.domain.review import Review, ReviewLine
from services.review.errors import ReviewClosed
from shared.accounts import DEFAULT_ACCOUNT
from shared.mongo import IndexSpec, MongoDoc, account_filter

__all__ = ["REVIEWS", "REVIEW_INDEXES", "MongoReviewRepository"]

REVIEWS = "reviews"

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
            # The lists read one account or a few (#12): lead with it.
            IndexModel(
                [
                    ("account", ASCENDING),
                    ("state", ASCENDING),
                    ("slot_at", ASCENDING),
                    ("deadline_at", ASCENDING),
                ],
                name="account_queue",
            ),
            IndexModel(
                [("account", ASCENDING), ("state", ASCENDING), ("cutoff_at", ASCENDING)],
                name="account_overdue",
            ),
        ),
    ),
)

Session = AsyncClientSession | None
_LINE_FIELDS = {field.alias or name: 1 for name, field in ReviewLine.model_fields.items()}
"""The projection of what the queue lists (:class:`ReviewLine`)."""
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

    async def draft_account(self, draft_id: str) -> str | None:
        """The account ``draft_id``'s revisions are under review for (None: none yet)."""
        doc = await self._reviews.find_one(
            {"draft_id": draft_id}, {"account": 1}, session=self._session
        )
        return None if doc is None else str(doc.get("account") or DEFAULT_ACCOUNT)

    async def pending_for_slot(self, slot_at: datetime, account: str) -> list[Review]:
        docs = await self._reviews.find(
            {"account": account, "state": ReviewState.PENDING, "slot_at": slot_at},
            session=self._session,
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
        accounts: Sequence[str],
        state: ReviewState | None,
        slot_from: datetime | None,
        slot_to: datetime | None,
        late: bool | None,
        offset: int,
        limit: int,
    ) -> tuple[list[ReviewLine], int]:
        """Reviews of ``accounts`` in ``state`` (any when None), with a slot in
        ``[slot_from, slot_to)``."""
        query: dict[str, Any] = account_filter(accounts)
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
        self, now: datetime, *, accounts: Sequence[str], offset: int, limit: int
    ) -> tuple[list[ReviewLine], int]:
        """Pending reviews of ``accounts`` whose cut-off has passed."""
        query = {**account_filter(accounts), **_overdue_query(now)}
        return await self._page(query, offset=offset, limit=limit)

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

    async def counts_by_account(self, now: datetime) -> dict[str, tuple[int, int]]:
        """``{account: (pending, overdue)}`` for the accounts with a pending review."""
        docs = await self._reviews.find(
            {"state": ReviewState.PENDING.value},
            {"account": 1, "cutoff_at": 1},
            session=self._session,
        ).to_list(None)
        counts: dict[str, tuple[int, int]] = {}
        for doc in docs:
            account = str(doc.get("account") or DEFAULT_ACCOUNT)
            pending, overdue = counts.get(account, (0, 0))
            late = doc["cutoff_at"] <= now  # the client reads aware datetimes
            counts[account] = (pending + 1, overdue + int(late))
        return counts


def _overdue_query(now: datetime) -> dict[str, Any]:
    return {"state": ReviewState.PENDING.value, "cutoff_at": {"$lte": now}}
