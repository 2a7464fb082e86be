"""Feedback windows (``windows``, ``_id`` = post id)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pymongo import DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.feedback.domain.window import Window, WindowSpan, WindowState
from services.feedback.repository.indexes import WINDOWS
from services.feedback.repository.shapes import (
    span_from_document,
    tail_document,
    window_document,
    window_from_document,
)
from shared.mongo import MongoDoc

__all__ = ["MongoWindowRepository"]

_OPEN: MongoDoc = {"state": WindowState.OPEN.value}
_CLOSED: MongoDoc = {"state": WindowState.CLOSED.value}


class MongoWindowRepository:
    """The posts' feedback windows; on the repository's session when it has one."""

    def __init__(
        self, db: AsyncDatabase[MongoDoc], session: AsyncClientSession | None = None
    ) -> None:
        self._windows = db[WINDOWS]
        self._session = session

    async def create(self, window: Window) -> bool:
        """Open the window unless the post has one; True when this call created it."""
        result = await self._windows.update_one(
            {"_id": window.post_id},
            {"$setOnInsert": window_document(window)},
            upsert=True,
            session=self._session,
        )
        return result.upserted_id is not None

    async def get(self, post_id: str) -> Window | None:
        doc = await self._windows.find_one({"_id": post_id}, session=self._session)
        return window_from_document(doc) if doc is not None else None

    async def close(self, window: Window) -> bool:
        """Store ``window``'s close if it is still open; False when it was closed already."""
        assert window.state is WindowState.CLOSED
        assert window.tail is not None
        result = await self._windows.update_one(
            {"_id": window.post_id, **_OPEN},
            {
                "$set": {
                    "state": WindowState.CLOSED.value,
                    "closed_at": window.closed_at,
                    "digest_id": window.digest_id,
                    "summary": dict(window.summary or {}),
                    "tail": tail_document(window.tail),
                }
            },
            session=self._session,
        )
        return result.modified_count == 1

    async def spans(self, post_ids: Iterable[str], *, with_open: bool) -> list[WindowSpan]:
        """The windows of these posts and, with ``with_open``, every open window."""
        projection = {"starts_at": 1, "ends_at": 1, "state": 1, "account": 1}
        found: dict[str, MongoDoc] = {}
        if with_open:
            cursor = self._windows.find(_OPEN, projection, session=self._session)
            found = {d["_id"]: d async for d in cursor}
        wanted = sorted(set(post_ids) - found.keys())
        if wanted:  # two indexed queries: an $or of both is a scan on some stores
            cursor = self._windows.find({"_id": {"$in": wanted}}, projection, session=self._session)
            async for doc in cursor:
                found[doc["_id"]] = doc
        return [span_from_document(d) for d in found.values()]

    async def recently_closed(self, since: datetime) -> list[Window]:
        """Windows closed since ``since`` (with the tail of their document's snapshot)."""
        cursor = self._windows.find(
            {**_CLOSED, "closed_at": {"$gte": since}}, session=self._session
        )
        return [window_from_document(d) async for d in cursor]

    async def category_history(
        self, category: str, *, account: str, before: datetime, limit: int
    ) -> list[Window]:
        """Closed windows of ``account`` and a category published before ``before``, newest
        first."""
        if limit <= 0:
            return []
        cursor = (
            self._windows.find(
                {
                    "account": account,
                    "category": category,
                    **_CLOSED,
                    "published_at": {"$lt": before},
                },
                session=self._session,
            )
            .sort("published_at", DESCENDING)
            .limit(limit)
        )
        return [window_from_document(d) async for d in cursor]

    async def count_open(self) -> int:
        return await self._windows.count_documents(_OPEN, session=self._session)
