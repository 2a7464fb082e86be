"""Menu versions, the published one, and clicks by day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from services.audience.domain.menu import Menu, MenuVersion
from services.audience.repository.base import Repo
from services.audience.repository.codecs import menu_of
from services.audience.repository.indexes import CLICKS, MENUS, META

__all__ = ["MongoMenus"]

_SEQ = "menu-seq"
_CURRENT = "menu-current"


def _stored(doc: dict[str, Any]) -> MenuVersion:
    return MenuVersion(
        version=int(doc["_id"]),
        menu=menu_of(doc["buttons"]),
        created_at=doc["created_at"],
        created_by=doc["created_by"],
        note=doc.get("note", ""),
        published_at=doc.get("published_at"),
    )


class MongoMenus(Repo):
    async def add(self, menu: Menu, *, at: datetime, by: str, note: str) -> int:
        await self.db[META].update_one(
            {"_id": _SEQ}, {"$inc": {"n": 1}}, upsert=True, session=self.session
        )
        seq = await self.db[META].find_one({"_id": _SEQ}, session=self.session)
        assert seq is not None
        version = int(seq["n"])
        await self.db[MENUS].insert_one(
            {
                "_id": version,
                "buttons": menu.to_wechat(),
                "created_at": at,
                "created_by": by,
                "note": note,
                "published_at": None,
            },
            session=self.session,
        )
        return version

    async def get(self, version: int) -> MenuVersion | None:
        doc = await self.db[MENUS].find_one({"_id": version}, session=self.session)
        return _stored(doc) if doc else None

    async def mark_published(self, version: int, *, at: datetime) -> None:
        await self.db[MENUS].update_one(
            {"_id": version}, {"$set": {"published_at": at}}, session=self.session
        )
        await self.db[META].replace_one(
            {"_id": _CURRENT}, {"version": version, "at": at}, upsert=True, session=self.session
        )

    async def current(self) -> int | None:
        doc = await self.db[META].find_one({"_id": _CURRENT}, session=self.session)
        return int(doc["version"]) if doc else None

    async def versions(self, limit: int) -> list[MenuVersion]:
        cursor = self.db[MENUS].find({}, session=self.session).sort("_id", -1).limit(limit)
        return [_stored(d) async for d in cursor]

    async def clicks(self, first: date, last: date) -> list[dict[str, Any]]:
        cursor = (
            self.db[CLICKS]
            .find(
                {"day": {"$gte": first.isoformat(), "$lte": last.isoformat()}},
                session=self.session,
            )
            .sort([("day", 1), ("key", 1)])
        )
        return [{"day": d["day"], "key": d["key"], "count": int(d["count"])} async for d in cursor]
