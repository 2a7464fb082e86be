"""What each person has opened (core-issues documents, reports): the gateway's own
``opened`` collection, one document per person and thing, written the first time it is
opened. The documents and reports pages mark the rest unread.

``_id`` is ``<kind>|<id>|<username>``, so "which of these has this person opened" is one
``$in`` on ``_id`` and a second opening changes nothing (``$setOnInsert``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal

from fastapi import Request
from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import MongoDoc

__all__ = ["OPENED", "Kind", "OpenedRepository", "opened_repository"]

OPENED = "opened"
Kind = Literal["document", "report"]


def _key(kind: Kind, item: str, username: str) -> str:
    return f"{kind}|{item}|{username}"


class OpenedRepository:
    """Who opened which document or report, and when first."""

    def __init__(self, db: AsyncDatabase[MongoDoc]) -> None:
        self._opened = db[OPENED]

    async def mark(self, kind: Kind, item: str, username: str, at: datetime) -> None:
        await self._opened.update_one(
            {"_id": _key(kind, item, username)},
            {
                "$setOnInsert": {
                    "kind": kind,
                    "item": item,
                    "username": username,
                    "first_opened_at": at,
                }
            },
            upsert=True,
        )

    async def opened(self, kind: Kind, items: Iterable[str], username: str) -> set[str]:
        """Which of ``items`` ``username`` has opened."""
        keys = [_key(kind, item, username) for item in items]
        if not keys:
            return set()
        found = await self._opened.find({"_id": {"$in": keys}}, {"item": 1}).to_list(None)
        return {doc["item"] for doc in found}


def opened_repository(request: Request) -> OpenedRepository:
    """The repository on the gateway's own database (``app.state.service``)."""
    return OpenedRepository(request.app.state.service.runtime.db)
