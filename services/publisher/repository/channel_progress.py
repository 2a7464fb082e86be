"""``channel_records``: what a channel remembers per post (the WeChat channel's progress).

Compare-and-set by version (see :mod:`services.publisher.channels.progress`). Outside
the use cases' transactions: a channel writes its progress as it goes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.mongo import MongoDoc

__all__ = ["CHANNEL_RECORDS", "MongoChannelProgress"]

CHANNEL_RECORDS = "channel_records"


class MongoChannelProgress:
    """Per-post progress a channel keeps (e.g. WeChat media ids), compare-and-set by version."""

    def __init__(self, db: AsyncDatabase[MongoDoc], *, channel: str) -> None:
        self._coll = db[CHANNEL_RECORDS]
        self._channel = channel

    def _id(self, post_id: str) -> str:
        return f"{self._channel}:{post_id}"

    async def load(self, post_id: str) -> dict[str, Any] | None:
        doc = await self._coll.find_one({"_id": self._id(post_id)})
        return None if doc is None else dict(doc.get("record") or {})

    async def save(
        self, post_id: str, record: Mapping[str, Any], *, expected_version: int | None
    ) -> bool:
        if expected_version is None:
            try:
                await self._coll.insert_one(
                    {
                        "_id": self._id(post_id),
                        "version": record.get("version", 0),
                        "record": dict(record),
                    }
                )
            except DuplicateKeyError:
                return False
            return True
        result = await self._coll.update_one(
            {"_id": self._id(post_id), "version": expected_version},
            {"$set": {"version": record.get("version", 0), "record": dict(record)}},
        )
        return result.modified_count == 1
