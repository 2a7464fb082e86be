"""The only code that touches the feedback service's collections (shapes in ``records``).

Idempotency lives in unique indexes: ``feedback_items`` is unique on
``(source, source_id)`` (the contract's natural key) **and** on ``event_id`` (the AMQP
message id), ``windows`` on the post id, ``documents`` on the digest id and on the post
id. So a duplicate, by any door, is a duplicate-key error and never a second record, and
as an item and its enquiry are one document, storing both is one atomic insert: the
AMQP hot path needs no transaction.

Writes inside a unit of work take its ``session``; the hot path passes none.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.feedback.domain import EnquiryState, WindowState, item_key, split_key
from shared.mongo import IndexSpec, MongoDoc

__all__ = ["INDEXES", "DUPLICATE_KEY", "FeedbackRepository"]

ITEMS, WINDOWS = "feedback_items", "windows"
DOCUMENTS, PUSH_EVENTS = "documents", "push_events"
DUPLICATE_KEY = 11000
_ENQUIRY_STATES = [state.value for state in EnquiryState]
_ANY_ENQUIRY: MongoDoc = {"enquiry.state": {"$in": _ENQUIRY_STATES}}

INDEXES = (
    IndexSpec(
        ITEMS,
        (
            IndexModel(
                [("source", ASCENDING), ("source_id", ASCENDING)], name="natural_key", unique=True
            ),
            IndexModel([("event_id", ASCENDING)], name="event_id", unique=True),
            IndexModel([("post_id", ASCENDING), ("received_at", ASCENDING)], name="post"),
            IndexModel([("in_reply_to", ASCENDING)], name="in_reply_to", sparse=True),
            # Sparse: only the items that need a reply pay for it (the log and the sweep).
            IndexModel(
                [("enquiry.state", ASCENDING), ("enquiry.deadline", ASCENDING)],
                name="enquiry",
                sparse=True,
            ),
        ),
    ),
    IndexSpec(
        WINDOWS,
        (
            IndexModel([("state", ASCENDING), ("starts_at", DESCENDING)], name="state"),
            IndexModel(
                [("category", ASCENDING), ("state", ASCENDING), ("published_at", DESCENDING)],
                name="history",
            ),
        ),
    ),
    IndexSpec(DOCUMENTS, (IndexModel([("post_id", ASCENDING)], name="post", unique=True),)),
)


def _duplicates_only(exc: BulkWriteError) -> set[int]:
    """Indexes of the batch refused as duplicates; re-raise if any other error occurred."""
    errors = exc.details.get("writeErrors", [])
    if any(e.get("code") != DUPLICATE_KEY for e in errors) or exc.details.get("writeConcernErrors"):
        raise exc
    return {int(e["index"]) for e in errors}


class FeedbackRepository:
    """Items, enquiries, windows, documents and push events in the service's database."""

    def __init__(self, db: AsyncDatabase[MongoDoc]) -> None:
        self.items = db[ITEMS]
        self.windows = db[WINDOWS]
        self.documents = db[DOCUMENTS]
        self.push_events = db[PUSH_EVENTS]

    # -- items -----------------------------------------------------------------------------
    async def insert_items_unordered(self, docs: Sequence[MongoDoc]) -> list[bool]:
        """Insert a batch, skipping duplicates; True where stored, False where a duplicate.

        ``ordered=False`` lets every other item of the batch go in when some are
        duplicates; any error that is not a duplicate key is raised.
        """
        if not docs:
            return []
        try:
            await self.items.insert_many(list(docs), ordered=False)
        except BulkWriteError as exc:
            refused = _duplicates_only(exc)
            return [n not in refused for n in range(len(docs))]
        return [True] * len(docs)

    async def insert_items(
        self, docs: Sequence[MongoDoc], *, session: AsyncClientSession | None = None
    ) -> None:
        """Insert new items (inside a transaction; a duplicate aborts it)."""
        if docs:
            await self.items.insert_many(list(docs), ordered=True, session=session)

    async def existing_keys(
        self, keys: Iterable[tuple[str, str]], *, session: AsyncClientSession | None = None
    ) -> set[str]:
        """Which of these ``(source, source_id)`` pairs are stored already."""
        by_source: dict[str, list[str]] = defaultdict(list)
        for source, source_id in keys:
            by_source[source].append(source_id)
        found: set[str] = set()
        for source, ids in by_source.items():
            cursor = self.items.find(
                {"source": source, "source_id": {"$in": ids}},
                {"source": 1, "source_id": 1},
                session=session,
            )
            async for doc in cursor:
                found.add(item_key(doc["source"], doc["source_id"]))
        return found

    async def replies_to(
        self, keys: Sequence[str], *, session: AsyncClientSession | None = None
    ) -> list[MongoDoc]:
        """Reply items answering any of ``keys``, oldest first."""
        if not keys:
            return []
        cursor = self.items.find(
            {"in_reply_to": {"$in": list(keys)}, "kind": "reply"}, session=session
        ).sort("received_at", ASCENDING)
        return await cursor.to_list(None)

    async def items_of_post(self, post_id: str) -> list[MongoDoc]:
        return await self.items.find({"post_id": post_id}).to_list(None)

    async def list_items(
        self, query: MongoDoc, *, offset: int, limit: int
    ) -> tuple[list[MongoDoc], int]:
        total = await self.items.count_documents(query)
        cursor = self.items.find(query).sort("received_at", DESCENDING).skip(offset).limit(limit)
        return await cursor.to_list(None), total

    # -- windows ---------------------------------------------------------------------------
    async def create_window(self, doc: MongoDoc, *, session: AsyncClientSession) -> bool:
        """Open the window unless the post has one; True when this call created it."""
        result = await self.windows.update_one(
            {"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True, session=session
        )
        return result.upserted_id is not None

    async def get_window(
        self, post_id: str, *, session: AsyncClientSession | None = None
    ) -> MongoDoc | None:
        return await self.windows.find_one({"_id": post_id}, session=session)

    async def windows_for(self, post_ids: Iterable[str], *, with_open: bool) -> list[MongoDoc]:
        """The windows of these posts and, with ``with_open``, every open window."""
        projection = {"starts_at": 1, "ends_at": 1, "state": 1}
        found: dict[str, MongoDoc] = {}
        if with_open:
            cursor = self.windows.find({"state": WindowState.OPEN.value}, projection)
            found = {d["_id"]: d async for d in cursor}
        wanted = sorted(set(post_ids) - found.keys())
        if wanted:  # two indexed queries: an $or of both is a scan on some stores
            async for doc in self.windows.find({"_id": {"$in": wanted}}, projection):
                found[doc["_id"]] = doc
        return list(found.values())

    async def close_window(
        self,
        post_id: str,
        *,
        closed_at: datetime,
        digest_id: str,
        summary: MongoDoc,
        tail: MongoDoc,
        session: AsyncClientSession,
    ) -> bool:
        """Close an open window; False when it was closed already."""
        result = await self.windows.update_one(
            {"_id": post_id, "state": WindowState.OPEN.value},
            {
                "$set": {
                    "state": WindowState.CLOSED.value,
                    "closed_at": closed_at,
                    "digest_id": digest_id,
                    "summary": summary,
                    "tail": tail,
                }
            },
            session=session,
        )
        return result.modified_count == 1

    async def recently_closed(self, since: datetime) -> list[MongoDoc]:
        """Windows closed since ``since``, with the tail of their document's snapshot."""
        cursor = self.windows.find(
            {"state": WindowState.CLOSED.value, "closed_at": {"$gte": since}},
            {"post_id": 1, "tail": 1},
        )
        return await cursor.to_list(None)

    async def mark_tail_late(
        self,
        post_id: str,
        *,
        since: datetime,
        included: Sequence[Any],
        session: AsyncClientSession | None = None,
    ) -> int:
        """Flag late the post's items stored since ``since`` that the document left out."""
        result = await self.items.update_many(
            {
                "post_id": post_id,
                "late": False,
                "ingested_at": {"$gte": since},
                "_id": {"$nin": list(included)},
            },
            {"$set": {"late": True}},
            session=session,
        )
        return result.modified_count

    async def category_history(
        self, category: str, *, before: datetime, limit: int
    ) -> list[MongoDoc]:
        """Closed windows of a category published before ``before``, newest first."""
        if limit <= 0:
            return []
        cursor = (
            self.windows.find(
                {
                    "category": category,
                    "state": WindowState.CLOSED.value,
                    "published_at": {"$lt": before},
                }
            )
            .sort("published_at", DESCENDING)
            .limit(limit)
        )
        return await cursor.to_list(None)

    async def list_windows(
        self, query: MongoDoc, *, offset: int, limit: int
    ) -> tuple[list[MongoDoc], int]:
        total = await self.windows.count_documents(query)
        cursor = self.windows.find(query).sort("starts_at", DESCENDING).skip(offset).limit(limit)
        return await cursor.to_list(None), total

    async def count_open_windows(self) -> int:
        return await self.windows.count_documents({"state": WindowState.OPEN.value})

    # -- enquiries (items carrying ``enquiry``) ----------------------------------------------
    async def get_enquiry(
        self, key: str, *, session: AsyncClientSession | None = None
    ) -> MongoDoc | None:
        """The item ``source:source_id`` if it carries an enquiry."""
        source, source_id = split_key(key)
        doc = await self.items.find_one({"source": source, "source_id": source_id}, session=session)
        return doc if doc is not None and doc.get("enquiry") else None

    async def answer_enquiry(
        self,
        item_id: Any,
        *,
        previous: datetime | None,
        answered_at: datetime,
        answered_by: str,
        text: str,
        reply_key: str,
        breached: bool,
        time_to_reply: float,
        session: AsyncClientSession | None = None,
    ) -> bool:
        """Record a reply if the enquiry still has the answer time ``previous`` (None: open).

        The condition makes it a compare-and-set: False when another writer changed the
        answer first (the caller reads again and decides). By ``_id``: a filter naming
        ``enquiry.*`` fields could steer some planners onto the (much wider) enquiry index.
        """
        result = await self.items.update_one(
            {
                "_id": item_id,
                "enquiry.state": {"$in": _ENQUIRY_STATES},
                "enquiry.answered_at": previous,
            },
            {
                "$set": {
                    "enquiry.state": EnquiryState.ANSWERED.value,
                    "enquiry.answered_at": answered_at,
                    "enquiry.answered_by": answered_by,
                    "enquiry.reply_text": text,
                    "enquiry.reply_key": reply_key,
                    "enquiry.breached": breached,
                    "enquiry.time_to_reply_seconds": time_to_reply,
                }
            },
            session=session,
        )
        return result.modified_count == 1

    # -- sending the answer (``enquiry.delivery``, see ``replies``) -------------------------
    async def start_delivery(
        self, item_id: Any, delivery: MongoDoc, *, session: AsyncClientSession | None = None
    ) -> bool:
        """Record that the enquiry's answer is to be sent; False when it has a delivery already."""
        result = await self.items.update_one(
            {"_id": item_id, "enquiry.delivery": {"$exists": False}},
            {"$set": {"enquiry.delivery": delivery}},
            session=session,
        )
        return result.modified_count == 1

    async def begin_delivery_attempt(self, item_id: Any, *, attempts: int, now: datetime) -> bool:
        """Mark a send as in flight (compare-and-set); False when the delivery is no longer
        pending or an earlier attempt is still marked in flight (it never recorded its end)."""
        result = await self.items.update_one(
            {
                "_id": item_id,
                "enquiry.delivery.state": "pending",
                "enquiry.delivery.in_flight_since": None,
            },
            {
                "$set": {
                    "enquiry.delivery.attempts": attempts,
                    "enquiry.delivery.in_flight_since": now,
                }
            },
        )
        return result.modified_count == 1

    async def settle_delivery(
        self, item_id: Any, *, state: str, error: str | None, sent_at: datetime | None
    ) -> None:
        """Record how an attempt ended (``pending`` again when it is to be retried)."""
        await self.items.update_one(
            {"_id": item_id},
            {
                "$set": {
                    "enquiry.delivery.state": state,
                    "enquiry.delivery.error": error,
                    "enquiry.delivery.sent_at": sent_at,
                    "enquiry.delivery.in_flight_since": None,
                }
            },
        )

    async def open_enquiry_keys(self, *, after: Any | None, limit: int) -> tuple[list[str], Any]:
        """A page of open enquiries' keys (by ``_id``), and where the next page starts."""
        query: MongoDoc = {"enquiry.state": EnquiryState.OPEN.value}
        if after is not None:
            query["_id"] = {"$gt": after}
        cursor = (
            self.items.find(query, {"source": 1, "source_id": 1})
            .sort("_id", ASCENDING)
            .limit(limit)
        )
        docs = await cursor.to_list(None)
        keys = [item_key(d["source"], d["source_id"]) for d in docs]
        return keys, docs[-1]["_id"] if docs else None

    async def mark_breaches(self, now: datetime) -> int:
        """Flag open enquiries past their deadline; returns how many this call flagged."""
        result = await self.items.update_many(
            {
                "enquiry.state": EnquiryState.OPEN.value,
                "enquiry.deadline": {"$lte": now},
                "enquiry.breached": False,
            },
            {"$set": {"enquiry.breached": True, "enquiry.breached_at": now}},
        )
        return result.modified_count

    async def count_enquiries(self, query: MongoDoc) -> int:
        return await self.items.count_documents({**_ANY_ENQUIRY, **query})

    async def list_enquiries(
        self, query: MongoDoc, *, offset: int, limit: int
    ) -> tuple[list[MongoDoc], int]:
        """Enquiries matching ``query``, newest first."""
        query = {**_ANY_ENQUIRY, **query}
        total = await self.items.count_documents(query)
        cursor = self.items.find(query).sort("received_at", DESCENDING).skip(offset).limit(limit)
        return await cursor.to_list(None), total

    # -- documents -------------------------------------------------------------------------
    async def store_document(self, doc: MongoDoc, *, session: AsyncClientSession) -> None:
        await self.documents.insert_one(doc, session=session)

    async def get_document(self, post_id: str, *, fields: Sequence[str]) -> MongoDoc | None:
        projection: dict[str, Any] = dict.fromkeys(fields, 1)
        return await self.documents.find_one({"post_id": post_id}, projection)

    async def get_document_by_id(self, digest_id: str) -> MongoDoc | None:
        return await self.documents.find_one({"_id": digest_id})

    # -- push events (not feedback: subscribe, menu clicks, ...) ---------------------------
    async def record_push_event(self, doc: MongoDoc) -> bool:
        """Keep a pushed event once; False when WeChat re-sent it."""
        try:
            await self.push_events.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True
