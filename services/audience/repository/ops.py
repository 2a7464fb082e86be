"""The back-fill's cursor and the daily reconciliations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.audience.domain.reconcile import DayReconciliation
from services.audience.repository.base import Repo
from services.audience.repository.indexes import BACKFILL, RECONCILIATIONS

__all__ = ["MongoBackfill", "MongoReconciliations"]

_STATE = "state"


class MongoBackfill(Repo):
    async def state(self) -> dict[str, Any] | None:
        return await self.db[BACKFILL].find_one({"_id": _STATE}, session=self.session)

    async def start(self, *, at: datetime) -> bool:
        state = await self.state()
        if state is not None and state.get("status") == "running":
            return False
        fresh = state is None or state.get("status") == "done"
        base = {"next_openid": "", "offset": 0, "seen": 0, "added": 0, "pages": 0}
        cursor = base if fresh else {k: state.get(k, v) for k, v in base.items()}  # type: ignore[union-attr]
        await self.db[BACKFILL].replace_one(
            {"_id": _STATE},
            {
                **cursor,
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

    async def claim(self, owner: str, *, now: datetime, until: datetime) -> bool:
        """Hold the running back-fill until ``until`` (real time): one replica runs it."""
        result = await self.db[BACKFILL].update_one(
            {
                "_id": _STATE,
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
        self, *, next_openid: str, offset: int, seen: int, added: int, pages: int
    ) -> None:
        await self.db[BACKFILL].update_one(
            {"_id": _STATE},
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

    async def finish(self, *, at: datetime, error: str | None = None) -> None:
        await self.db[BACKFILL].update_one(
            {"_id": _STATE},
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
            {"_id": day.day.isoformat()},
            {
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

    async def page(self, limit: int) -> list[dict[str, Any]]:
        cursor = (
            self.db[RECONCILIATIONS].find({}, session=self.session).sort("_id", -1).limit(limit)
        )
        return [{"day": d.pop("_id"), **d} async for d in cursor]
