"""Followers, the pushes seen (by natural key), follower changes by day, menu clicks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.audience.domain.accounts import scoped_key
from services.audience.domain.followers import Change, Follower
from services.audience.errors import DuplicatePush
from services.audience.repository.base import Repo
from services.audience.repository.codecs import follower_doc, follower_of
from services.audience.repository.indexes import CHANGES, CLICKS, FOLLOWERS, PUSHES
from shared.mongo import MongoDoc, account_filter

__all__ = ["MongoFollowers", "MongoPushes"]


class MongoPushes(Repo):
    async def record(self, key: str, *, account: str, openid: str, kind: str, at: datetime) -> None:
        try:
            await self.db[PUSHES].insert_one(
                {"_id": key, "account": account, "openid": openid, "kind": kind, "at": at},
                session=self.session,
            )
        except DuplicateKeyError as exc:
            raise DuplicatePush(key) from exc

    async def count_click(self, account: str, key: str, day: date) -> None:
        await self.db[CLICKS].update_one(
            {"_id": scoped_key(account, f"{day.isoformat()}:{key}")},
            {
                "$inc": {"count": 1},
                "$setOnInsert": {"key": key, "day": day.isoformat(), "account": account},
            },
            upsert=True,
            session=self.session,
        )


class MongoFollowers(Repo):
    async def get(self, account: str, openid: str) -> Follower | None:
        doc = await self.db[FOLLOWERS].find_one(
            {"_id": scoped_key(account, openid)}, session=self.session
        )
        return follower_of(doc) if doc else None

    async def save(self, follower: Follower) -> None:
        doc = follower_doc(follower)
        await self.db[FOLLOWERS].replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=self.session
        )

    async def insert_new(self, follower: Follower) -> bool:
        # Read first: a duplicate key error inside a transaction aborts the transaction.
        doc = follower_doc(follower)
        known = await self.db[FOLLOWERS].find_one(
            {"_id": doc["_id"]}, {"_id": 1}, session=self.session
        )
        if known is not None:
            return False
        await self.db[FOLLOWERS].insert_one(doc, session=self.session)
        return True

    async def record_change(
        self, follower: Follower, change: Change, *, at: datetime, day: date, event_id: str
    ) -> None:
        a = follower.attribution
        await self.db[CHANGES].insert_one(
            {
                "_id": event_id,
                "account": follower.account,
                "openid": follower.openid,
                "change": change.value,
                "at": at,
                "day": day.isoformat(),
                "source": a.source.value,
                "branch_code": a.branch_code,
                "campaign_code": a.campaign_code,
                "via": follower.via.value,
            },
            session=self.session,
        )

    async def changes_by_day(
        self, account: str, first: date, last: date
    ) -> dict[date, dict[str, int]]:
        pipeline: list[MongoDoc] = [
            {
                "$match": {
                    "account": account,
                    "day": {"$gte": first.isoformat(), "$lte": last.isoformat()},
                    "via": "push",
                }
            },
            {"$group": {"_id": {"day": "$day", "change": "$change"}, "n": {"$sum": 1}}},
        ]
        out: dict[date, dict[str, int]] = {}
        cursor = await self.db[CHANGES].aggregate(pipeline, session=self.session)
        async for row in cursor:
            day = date.fromisoformat(row["_id"]["day"])
            counts = out.setdefault(day, {"new": 0, "cancelled": 0})
            if row["_id"]["change"] in (Change.SUBSCRIBED.value, Change.RETURNED.value):
                counts["new"] += int(row["n"])
            elif row["_id"]["change"] == Change.UNSUBSCRIBED.value:
                counts["cancelled"] += int(row["n"])
        return out

    async def total_at(self, account: str, instant: datetime) -> int:
        return await self.db[FOLLOWERS].count_documents(
            {
                "account": account,
                "subscribed_at": {"$lte": instant},
                "$or": [{"subscribed": True}, {"unsubscribed_at": {"$gt": instant}}],
            },
            session=self.session,
        )

    async def page(
        self,
        accounts: Sequence[str],
        *,
        offset: int,
        limit: int,
        branch_code: str | None,
        subscribed: bool | None,
    ) -> tuple[list[Follower], int]:
        query: dict[str, Any] = account_filter(accounts)
        if branch_code is not None:
            query["branch_code"] = branch_code
        if subscribed is not None:
            query["subscribed"] = subscribed
        total = await self.db[FOLLOWERS].count_documents(query)
        order = [("account", 1), ("_id", 1)]
        cursor = self.db[FOLLOWERS].find(query).sort(order).skip(offset).limit(limit)
        return [follower_of(d) async for d in cursor], total

    async def summary(self, accounts: Sequence[str]) -> list[dict[str, Any]]:
        """Current followers and those gone, by account, source and branch/campaign."""
        pipeline: list[MongoDoc] = [
            {"$match": account_filter(accounts)},
            {
                "$group": {
                    "_id": {
                        "account": "$account",
                        "source": "$source",
                        "branch_code": "$branch_code",
                        "campaign_code": "$campaign_code",
                        "subscribed": "$subscribed",
                    },
                    "n": {"$sum": 1},
                }
            },
        ]
        cursor = await self.db[FOLLOWERS].aggregate(pipeline)
        return [row async for row in cursor]
