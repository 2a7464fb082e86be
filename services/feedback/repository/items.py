"""Feedback items and the enquiries they carry (``feedback_items``).

Every method runs on the repository's session when it has one (inside a unit of work);
the AMQP hot path and the background jobs use one without. The routes' lists are in
:mod:`.reads`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.feedback.domain.enquiry import Delivery, DeliveryState, Enquiry, EnquiryState
from services.feedback.domain.item import FeedbackItem
from services.feedback.domain.keys import item_key, split_key
from services.feedback.domain.window import Tail
from services.feedback.errors import ItemsStoredConcurrently
from services.feedback.repository.indexes import DUPLICATE_KEY, ITEMS
from services.feedback.repository.shapes import (
    delivery_document,
    item_document,
    item_from_document,
)
from shared.mongo import MongoDoc

__all__ = ["MongoItemRepository"]

_ENQUIRY_STATES = [state.value for state in EnquiryState]
_OPEN: MongoDoc = {"enquiry.state": EnquiryState.OPEN.value}


def _duplicates_only(exc: BulkWriteError) -> set[int]:
    """Indexes of the batch refused as duplicates; re-raise if any other error occurred."""
    errors = exc.details.get("writeErrors", [])
    if any(e.get("code") != DUPLICATE_KEY for e in errors) or exc.details.get("writeConcernErrors"):
        raise exc
    return {int(e["index"]) for e in errors}


class MongoItemRepository:
    """Items, their enquiries and the sending of our answers, in ``feedback_items``."""

    def __init__(
        self, db: AsyncDatabase[MongoDoc], session: AsyncClientSession | None = None
    ) -> None:
        self._items = db[ITEMS]
        self._session = session

    # -- storing -----------------------------------------------------------------------------
    async def insert_unordered(self, items: Sequence[FeedbackItem]) -> list[bool]:
        """Insert a batch, skipping duplicates; True where stored, False where a duplicate.

        ``ordered=False`` lets every other item of the batch go in when some are
        duplicates; any error that is not a duplicate key is raised.
        """
        if not items:
            return []
        try:
            await self._items.insert_many(
                [item_document(i) for i in items], ordered=False, session=self._session
            )
        except BulkWriteError as exc:
            refused = _duplicates_only(exc)
            return [n not in refused for n in range(len(items))]
        return [True] * len(items)

    async def insert(self, items: Sequence[FeedbackItem]) -> None:
        """Insert new items (inside a transaction; a duplicate aborts it, raising
        :class:`~services.feedback.errors.ItemsStoredConcurrently`)."""
        if not items:
            return
        try:
            await self._items.insert_many(
                [item_document(i) for i in items], ordered=True, session=self._session
            )
        except DuplicateKeyError as exc:
            raise ItemsStoredConcurrently(str(exc)[:200]) from exc
        except BulkWriteError as exc:
            _duplicates_only(exc)
            raise ItemsStoredConcurrently(str(exc)[:200]) from exc

    async def existing_keys(self, keys: Iterable[tuple[str, str]]) -> set[str]:
        """Which of these ``(source, source_id)`` pairs are stored already."""
        by_source: dict[str, list[str]] = defaultdict(list)
        for source, source_id in keys:
            by_source[source].append(source_id)
        found: set[str] = set()
        for source, ids in by_source.items():
            cursor = self._items.find(
                {"source": source, "source_id": {"$in": ids}},
                {"source": 1, "source_id": 1},
                session=self._session,
            )
            async for doc in cursor:
                found.add(item_key(doc["source"], doc["source_id"]))
        return found

    async def mark_tail_late(self, post_id: str, tail: Tail) -> int:
        """Flag late the post's items stored since the tail began that the document left out."""
        result = await self._items.update_many(
            {
                "post_id": post_id,
                "late": False,
                "ingested_at": {"$gte": tail.since},
                "_id": {"$nin": list(tail.included)},
            },
            {"$set": {"late": True}},
            session=self._session,
        )
        return result.modified_count

    # -- reading -----------------------------------------------------------------------------
    async def replies_to(self, keys: Sequence[str]) -> list[FeedbackItem]:
        """Reply items answering any of ``keys``, oldest first."""
        if not keys:
            return []
        cursor = self._items.find(
            {"in_reply_to": {"$in": list(keys)}, "kind": "reply"}, session=self._session
        ).sort("received_at", ASCENDING)
        return [item_from_document(d) async for d in cursor]

    async def of_post(self, post_id: str, *, account: str) -> list[FeedbackItem]:
        """The post's items of ``account`` (the post's window's)."""
        cursor = self._items.find({"post_id": post_id, "account": account}, session=self._session)
        return [item_from_document(d) async for d in cursor]

    # -- enquiries ---------------------------------------------------------------------------
    async def get_enquiry(self, key: str) -> FeedbackItem | None:
        """The item ``source:source_id`` if it carries an enquiry."""
        source, source_id = split_key(key)
        doc = await self._items.find_one(
            {"source": source, "source_id": source_id}, session=self._session
        )
        return item_from_document(doc) if doc is not None and doc.get("enquiry") else None

    async def answer_enquiry(
        self, item: FeedbackItem, *, previous: datetime | None, answered: Enquiry
    ) -> bool:
        """Record ``answered`` if the enquiry still has the answer time ``previous`` (None: open).

        The condition makes it a compare-and-set: False when another writer changed the
        answer first (the caller reads again and decides). By ``_id``: a filter naming
        ``enquiry.*`` fields could steer some planners onto the (much wider) enquiry index.
        """
        result = await self._items.update_one(
            {
                "_id": item.ref,
                "enquiry.state": {"$in": _ENQUIRY_STATES},
                "enquiry.answered_at": previous,
            },
            {
                "$set": {
                    "enquiry.state": answered.state.value,
                    "enquiry.answered_at": answered.answered_at,
                    "enquiry.answered_by": answered.answered_by,
                    "enquiry.reply_text": answered.reply_text,
                    "enquiry.reply_key": answered.reply_key,
                    "enquiry.breached": answered.breached,
                    "enquiry.time_to_reply_seconds": answered.time_to_reply_seconds,
                }
            },
            session=self._session,
        )
        return result.modified_count == 1

    async def open_enquiry_keys(self, *, after: Any | None, limit: int) -> tuple[list[str], Any]:
        """A page of open enquiries' keys (by ``_id``), and where the next page starts."""
        query: MongoDoc = dict(_OPEN)
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = (
            self._items.find(query, {"source": 1, "source_id": 1}, session=self._session)
            .sort("_id", ASCENDING)
            .limit(limit)
        )
        docs = await cursor.to_list(None)
        keys = [item_key(d["source"], d["source_id"]) for d in docs]
        return keys, docs[-1]["_id"] if docs else None

    async def mark_breaches(self, now: datetime) -> int:
        """Flag open enquiries past their deadline; returns how many this call flagged."""
        result = await self._items.update_many(
            {**_OPEN, "enquiry.deadline": {"$lte": now}, "enquiry.breached": False},
            {"$set": {"enquiry.breached": True, "enquiry.breached_at": now}},
            session=self._session,
        )
        return result.modified_count

    async def count_open_enquiries(self, *, due_by: datetime | None = None) -> int:
        """Open enquiries (with ``due_by``: only those whose deadline is at or before it)."""
        query: MongoDoc = dict(_OPEN)
        if due_by is not None:
            query["enquiry.deadline"] = {"$lte": due_by}
        return await self._items.count_documents(query, session=self._session)

    # -- sending the answer (``enquiry.delivery``) -------------------------------------------
    async def start_delivery(self, item: FeedbackItem, delivery: Delivery) -> bool:
        """Record that the enquiry's answer is to be sent; False when it has a delivery already."""
        result = await self._items.update_one(
            {"_id": item.ref, "enquiry.delivery": {"$exists": False}},
            {"$set": {"enquiry.delivery": delivery_document(delivery)}},
            session=self._session,
        )
        return result.modified_count == 1

    async def begin_delivery_attempt(
        self, item: FeedbackItem, *, attempts: int, now: datetime
    ) -> bool:
        """Mark a send as in flight (compare-and-set); False when the delivery is no longer
        pending or an earlier attempt is still marked in flight (it never recorded its end)."""
        result = await self._items.update_one(
            {
                "_id": item.ref,
                "enquiry.delivery.state": DeliveryState.PENDING.value,
                "enquiry.delivery.in_flight_since": None,
            },
            {
                "$set": {
                    "enquiry.delivery.attempts": attempts,
                    "enquiry.delivery.in_flight_since": now,
                }
            },
            session=self._session,
        )
        return result.modified_count == 1

    async def settle_delivery(
        self,
        item: FeedbackItem,
        *,
        state: DeliveryState,
        error: str | None,
        sent_at: datetime | None,
    ) -> None:
        """Record how an attempt ended (``pending`` again when it is to be retried)."""
        await self._items.update_one(
            {"_id": item.ref},
            {
                "$set": {
                    "enquiry.delivery.state": state.value,
                    "enquiry.delivery.error": error,
                    "enquiry.delivery.sent_at": sent_at,
                    "enquiry.delivery.in_flight_since": None,
                }
            },
            session=self._session,
        )
