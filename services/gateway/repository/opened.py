"""What each person has opened (core-issues documents, reports): the gateway's own
``opened`` collection, one document per person and thing, written the first time it is
opened. The documents, reports and Today pages mark or list the rest as unread.

``_id`` is ``<kind>|<id>|<username>``, so "which of these has this person opened" is one
``$in`` on ``_id`` (no other index needed) and a second opening changes nothing
(``$setOnInsert``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pymongo.asynchronous.database import AsyncDatabase

from services.gateway.ports import OpenedKind
from shared.mongo import MongoDoc

__all__ = ["OPENED", "MongoOpenedRepository"]

OPENED = "opened"


def _key(kind: OpenedKind, item: str, username: str) -> str:
    return f"{kind}|{item}|{username}"


class MongoOpenedRepository:
    """Who opened which document or report, and when first."""

    def __init__(self, db: AsyncDatabase[MongoDoc]) -> None:
        self._opened = db[OPENED]

    async def mark(self, kind: OpenedKind, item: str, username: str, at: datetime) -> None:
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

    async def opened(self, kind: OpenedKind, items: Iterable[str], username: str) -> set[str]:
        """Which of ``items`` ``username`` has opened."""
        keys = [_key(kind, item, username) for item in items]
        if not keys:
            return set()
        found = await self._opened.find({"_id": {"$in": keys}}, {"item": 1}).to_list(None)
        return {doc["item"] for doc in found}
