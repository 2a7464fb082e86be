"""The routes' reads: the repositories plus the paged, filtered lists the API serves.

Only the routes use these (through ``FeedbackDeps``); use cases see the repositories'
own methods (``ports``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import DESCENDING

from services.feedback.domain.enquiry import EnquiryState
from services.feedback.domain.item import FeedbackItem
from services.feedback.domain.window import Window, WindowState
from services.feedback.repository.documents import MongoDocumentRepository
from services.feedback.repository.items import MongoItemRepository
from services.feedback.repository.shapes import item_from_document, window_from_document
from services.feedback.repository.windows import MongoWindowRepository
from shared.mongo import MongoDoc, account_filter

__all__ = ["MongoDocumentReader", "MongoItemReader", "MongoWindowReader"]

_ANY_ENQUIRY: MongoDoc = {"enquiry.state": {"$in": [state.value for state in EnquiryState]}}


def _range(field: str, start: datetime | None, end: datetime | None) -> MongoDoc:
    bounds: MongoDoc = {}
    if start is not None:
        bounds["$gte"] = start
    if end is not None:
        bounds["$lt"] = end
    return {field: bounds} if bounds else {}


def _matching(**fields: Any) -> MongoDoc:
    return {name: value for name, value in fields.items() if value is not None}


class MongoItemReader(MongoItemRepository):
    """Items and the enquiry log, as the routes list them."""

    async def page(
        self,
        *,
        accounts: Sequence[str],
        offset: int,
        limit: int,
        post_id: str | None = None,
        kind: str | None = None,
        source: str | None = None,
        late: bool | None = None,
    ) -> tuple[list[FeedbackItem], int]:
        """Stored items of ``accounts`` matching every filter given, newest first, and how
        many match."""
        query = {
            **account_filter(accounts),
            **_matching(post_id=post_id, source=source, late=late, kind=kind),
        }
        return await self._page(query, offset=offset, limit=limit)

    async def _page(
        self, query: MongoDoc, *, offset: int, limit: int
    ) -> tuple[list[FeedbackItem], int]:
        total = await self._items.count_documents(query, session=self._session)
        cursor = (
            self._items.find(query, session=self._session)
            .sort("received_at", DESCENDING)
            .skip(offset)
            .limit(limit)
        )
        return [item_from_document(d) async for d in cursor], total

    async def open_enquiries_by_account(self, *, due_by: datetime | None = None) -> dict[str, int]:
        """Open enquiries per account (with ``due_by``: those due at or before it)."""
        match: MongoDoc = {"enquiry.state": EnquiryState.OPEN.value}
        if due_by is not None:
            match["enquiry.deadline"] = {"$lte": due_by}
        pipeline: list[MongoDoc] = [
            {"$match": match},
            {"$group": {"_id": "$account", "count": {"$sum": 1}}},
        ]
        cursor = await self._items.aggregate(pipeline, session=self._session)
        return {str(doc["_id"]): int(doc["count"]) async for doc in cursor}

    async def enquiry_page(
        self,
        *,
        accounts: Sequence[str],
        offset: int,
        limit: int,
        state: str | None = None,
        breached: bool | None = None,
        post_id: str | None = None,
        source: str | None = None,
        asked_from: datetime | None = None,
        asked_to: datetime | None = None,
        delivery: str | None = None,
    ) -> tuple[list[FeedbackItem], int]:
        """The enquiry log of ``accounts``: items carrying an enquiry that match every filter,
        newest first."""
        query: MongoDoc = {
            **account_filter(accounts),
            **_ANY_ENQUIRY,
            **_range("received_at", asked_from, asked_to),
            **_matching(
                **{
                    "enquiry.delivery.state": delivery,
                    "enquiry.state": state,
                    "enquiry.breached": breached,
                    "post_id": post_id,
                    "source": source,
                }
            ),
        }
        return await self._page(query, offset=offset, limit=limit)


class MongoWindowReader(MongoWindowRepository):
    """Windows, as the routes list them."""

    async def page(
        self,
        *,
        accounts: Sequence[str],
        offset: int,
        limit: int,
        state: WindowState | None = None,
    ) -> tuple[list[Window], int]:
        """Windows of ``accounts`` (in ``state``, if given), newest first, and how many."""
        query: MongoDoc = account_filter(accounts)
        if state is not None:
            query["state"] = state.value
        total = await self._windows.count_documents(query, session=self._session)
        cursor = (
            self._windows.find(query, session=self._session)
            .sort("starts_at", DESCENDING)
            .skip(offset)
            .limit(limit)
        )
        return [window_from_document(d) async for d in cursor], total


class MongoDocumentReader(MongoDocumentRepository):
    """Documents, as the routes serve them."""

    async def rendering(self, post_id: str, fmt: str) -> str | bytes | None:
        """The post's document in ``fmt`` (``md``, ``html``, ``docx``); None before it is issued."""
        doc = await self._documents.find_one({"post_id": post_id}, {fmt: 1}, session=self._session)
        if doc is None:
            return None
        content: str | bytes = bytes(doc[fmt]) if fmt == "docx" else doc[fmt]
        return content
