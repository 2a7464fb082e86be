"""Menu versions (numbered per account), the published one, and clicks by day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from services.audience.domain.accounts import scoped_key
from services.audience.domain.menu import Menu, MenuVersion
from services.audience.repository.base import Repo
from services.audience.repository.codecs import account_of, menu_of
from services.audience.repository.indexes import CLICKS, MENUS, META
from shared.accounts import DEFAULT_ACCOUNT
from shared.mongo import account_filter

__all__ = ["MongoMenus"]

_SEQ = "menu-seq"
_CURRENT = "menu-current"


def _menu_id(account: str, version: int) -> int | str:
    """The default account's versions keep their number as ``_id``; another account's
    carry the account and a zero-padded number, so they sort in order within it."""
    return version if account == DEFAULT_ACCOUNT else scoped_key(account, f"{version:010d}")


def _stored(doc: dict[str, Any]) -> MenuVersion:
    return MenuVersion(
        version=int(doc.get("version") or doc["_id"]),
        menu=menu_of(doc["buttons"]),
        created_at=doc["created_at"],
        created_by=doc["created_by"],
        note=doc.get("note", ""),
        published_at=doc.get("published_at"),
        account=account_of(doc),
    )


class MongoMenus(Repo):
    async def add(self, account: str, menu: Menu, *, at: datetime, by: str, note: str) -> int:
        seq_id = scoped_key(account, _SEQ)
        await self.db[META].update_one(
            {"_id": seq_id}, {"$inc": {"n": 1}}, upsert=True, session=self.session
        )
        seq = await self.db[META].find_one({"_id": seq_id}, session=self.session)
        assert seq is not None
        version = int(seq["n"])
        await self.db[MENUS].insert_one(
            {
                "_id": _menu_id(account, version),
                "account": account,
                "version": version,
                "buttons": menu.to_wechat(),
                "created_at": at,
                "created_by": by,
                "note": note,
                "published_at": None,
            },
            session=self.session,
        )
        return version

    async def get(self, account: str, version: int) -> MenuVersion | None:
        doc = await self.db[MENUS].find_one(
            {"_id": _menu_id(account, version)}, session=self.session
        )
        return _stored(doc) if doc else None

    async def mark_published(self, account: str, version: int, *, at: datetime) -> None:
        await self.db[MENUS].update_one(
            {"_id": _menu_id(account, version)},
            {"$set": {"published_at": at}},
            session=self.session,
        )
        await self.db[META].replace_one(
            {"_id": scoped_key(account, _CURRENT)},
            {"version": version, "at": at, "account": account},
            upsert=True,
            session=self.session,
        )

    async def current(self, account: str) -> int | None:
        doc = await self.db[META].find_one(
            {"_id": scoped_key(account, _CURRENT)}, session=self.session
        )
        return int(doc["version"]) if doc else None

    async def versions(self, account: str, limit: int) -> list[MenuVersion]:
        cursor = (
            self.db[MENUS]
            .find({"account": account}, session=self.session)
            .sort("_id", -1)
            .limit(limit)
        )
        return [_stored(d) async for d in cursor]

    async def clicks(
        self, accounts: Sequence[str], first: date, last: date
    ) -> list[dict[str, Any]]:
        query = {
            **account_filter(accounts),
            "day": {"$gte": first.isoformat(), "$lte": last.isoformat()},
        }
        cursor = (
            self.db[CLICKS]
            .find(query, session=self.session)
            .sort([("account", 1), ("day", 1), ("key", 1)])
        )
        return [
            {"account": account_of(d), "day": d["day"], "key": d["key"], "count": int(d["count"])}
            async for d in cursor
        ]
