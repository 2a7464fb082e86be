"""The back-fill's cursor and the daily reconciliations, one of each per account."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from services.audience.domain.accounts import scoped_key
from services.audience.domain.reconcile import DayReconciliation
from services.audience.repository.base import Repo
from services.audience.repository.codecs import account_of
from services.audience.repository.indexes import BACKFILL, RECONCILIATIONS

__all__ = ["MongoBackfill", "MongoReconciliations"]

_STATE = "state"


def _state_id(account: str) -> str:
    return scoped_key(account, _STATE)


class MongoBackfill(Repo):
    async def state(self, account: str) -> dict[str, Any] | None:
        doc = await self.db[BACKFILL].find_one({"_id": _state_id(account)}, session=self.session)
        if doc is not None:
            doc["account"] = account_of(doc)
        return doc

    async def start(self, account: str, *, at: datetime) -> bool:
        state = await self.state(account)
        if state is not None and state.get("status") == "running":
            return False
        fresh = state is None or state.get("status") == "done"
        base = {"next_openid": "", "offset": 0, "seen": 0, "added": 0, "pages": 0}
        cursor = base if fresh else {k: state.get(k, v) for k, v in base.items()}  # type: ignore[union-attr]
        await self.db[BACKFILL].replace_one(
            {"_id": _state_id(account)},
            {
                **cursor,
                "account": account,
                "status": "running",
                "started_at": at,
                "finished_at": None,
                "error": None,
                "lease_owner": None,
                "lease_until": None,
            },
            upsert=True,
            session=self.session,
        )
        return True

    async def claim(self, account: str, owner: str, *, now: datetime, until: datetime) -> bool:
        """Hold the account's running back-fill until ``until`` (real time): one replica
        runs it."""
        result = await self.db[BACKFILL].update_one(
            {
                "_id": _state_id(account),
                "status": "running",
                "$or": [
                    {"lease_until": None},
                    {"lease_until": {"$lte": now}},
                    {"lease_owner": owner},
                ],
            },
            {"$set": {"lease_owner": owner, "lease_until": until}},
            session=self.session,
        )
        return result.matched_count == 1

    async def advance(
        self, account: str, *, next_openid: str, offset: int, seen: int, added: int, pages: int
    ) -> None:
        await self.db[BACKFILL].update_one(
            {"_id": _state_id(account)},
            {
                "$set": {
                    "next_openid": next_openid,
                    "offset": offset,
                    "seen": seen,
                    "added": added,
                    "pages": pages,
                }
            },
            session=self.session,
        )

    async def finish(self, account: str, *, at: datetime, error: str | None = None) -> None:
        await self.db[BACKFILL].update_one(
            {"_id": _state_id(account)},
            {
                "$set": {
                    "status": "stopped" if error else "done",
                    "finished_at": at,
                    "error": error,
                    "lease_owner": None,
                    "lease_until": None,
                }
            },
            session=self.session,
        )


class MongoReconciliations(Repo):
    async def save(self, day: DayReconciliation, *, at: datetime) -> None:
        await self.db[RECONCILIATIONS].replace_one(
            {"_id": scoped_key(day.account, day.day.isoformat())},
            {
                "account": day.account,
                "day": day.day.isoformat(),
                "wechat": {
                    "new": day.wechat.new,
                    "cancelled": day.wechat.cancelled,
                    "total": day.wechat.total,
                },
                "ours": {
                    "new": day.ours.new,
                    "cancelled": day.ours.cancelled,
                    "total": day.ours.total,
                },
                "difference": {
                    "new": day.new_difference,
                    "cancelled": day.cancelled_difference,
                    "total": day.total_difference,
                },
                "matches": day.matches,
                "checked_at": at,
            },
            upsert=True,
            session=self.session,
        )

    async def page(self, accounts: Sequence[str], limit: int) -> list[dict[str, Any]]:
        """The latest ``limit`` days checked, newest first (then by account)."""
        rows: list[dict[str, Any]] = []
        for account in accounts:  # one account's ids share a prefix: _id order is day order
            cursor = (
                self.db[RECONCILIATIONS]
                .find({"account": account}, session=self.session)
                .sort("_id", -1)
                .limit(limit)
            )
            async for d in cursor:
                key = str(d.pop("_id"))
                rows.append({**d, "day": d.get("day") or key, "account": account_of(d)})
        rows.sort(key=lambda r: (r["day"], r["account"]), reverse=True)
        return rows[:limit]
