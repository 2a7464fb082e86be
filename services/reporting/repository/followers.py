"""The followers read model on MongoDB (issue #14).

* ``follower_changes`` — one document per subscription or unsubscription,
  ``_id = "<kind>:<openid>:<instant>"`` (what the change is, so a repeat is one entry);
  indexed by ``at``, what places a change in a period;
* ``followers`` — each follower's latest state and attribution (``_id = openid``);
* ``branches`` — each branch's name and head-count target (``_id = code``).

Writes run in the consumer's transaction (with its inbox record); reads serve the
summary without one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from pymongo import ASCENDING, IndexModel

from services.reporting.repository.indexes import SessionRepository
from shared.events import EventEnvelope
from shared.mongo import IndexSpec, MongoDoc
from shared.outbox import Tx

__all__ = [
    "BRANCHES",
    "FOLLOWERS",
    "FOLLOWER_CHANGES",
    "FOLLOWER_INDEXES",
    "MongoFollowerRepository",
    "MongoFollowersTx",
    "followers_binder",
]

FOLLOWERS = "followers"
FOLLOWER_CHANGES = "follower_changes"
BRANCHES = "branches"

FOLLOWER_INDEXES = (
    IndexSpec(
        FOLLOWER_CHANGES,
        (
            IndexModel([("at", ASCENDING)], name="at"),
            IndexModel([("branch_code", ASCENDING), ("at", ASCENDING)], name="branch_at"),
        ),
    ),
)


class MongoFollowerRepository(SessionRepository):
    """:class:`~services.reporting.ports.FollowerRepository` on MongoDB."""

    async def get_follower(self, openid: str) -> MongoDoc | None:
        return await self._db[FOLLOWERS].find_one({"_id": openid}, session=self._session)

    async def save_follower(self, doc: MongoDoc) -> None:
        await self._db[FOLLOWERS].replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=self._session
        )

    async def save_change(self, doc: MongoDoc) -> None:
        await self._db[FOLLOWER_CHANGES].replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=self._session
        )

    async def get_branch(self, code: str) -> MongoDoc | None:
        return await self._db[BRANCHES].find_one({"_id": code}, session=self._session)

    async def save_branch(self, doc: MongoDoc) -> None:
        await self._db[BRANCHES].replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=self._session
        )

    async def changes_between(self, start: datetime, end: datetime) -> list[MongoDoc]:
        """Changes placed in ``[start, end)``, oldest first (without the openid)."""
        fields = {"kind": 1, "at": 1, "source": 1, "branch_code": 1}
        cursor = self._db[FOLLOWER_CHANGES].find(
            {"at": {"$gte": start, "$lt": end}}, fields, session=self._session
        )
        return await cursor.sort("at", ASCENDING).to_list(None)

    async def branches(self) -> list[MongoDoc]:
        return await self._db[BRANCHES].find({}, session=self._session).to_list(None)

    async def attributed_before(self, end: datetime) -> dict[str, int]:
        """Per branch code: subscriptions minus unsubscriptions its code brought before
        ``end`` (an unsubscription carries its subscription's attribution)."""
        pipeline = [
            {"$match": {"at": {"$lt": end}, "branch_code": {"$ne": None}}},
            {"$group": {"_id": {"b": "$branch_code", "k": "$kind"}, "n": {"$sum": 1}}},
        ]
        cursor = await self._db[FOLLOWER_CHANGES].aggregate(pipeline, session=self._session)
        totals: dict[str, int] = {}
        async for row in cursor:
            sign = 1 if row["_id"]["k"] == "subscribed" else -1
            code = row["_id"]["b"]
            totals[code] = totals.get(code, 0) + sign * int(row["n"])
        return totals


@dataclass(frozen=True)
class MongoFollowersTx:
    """:class:`~services.reporting.ports.FollowersTx` on one MongoDB transaction."""

    followers: MongoFollowerRepository
    emit: Callable[[EventEnvelope], None]


def followers_binder() -> Callable[[Tx], MongoFollowersTx]:
    """``bind(tx)`` for ``BoundUnitOfWork``: the followers repository on the session."""

    def bind(tx: Tx) -> MongoFollowersTx:
        return MongoFollowersTx(followers=MongoFollowerRepository(tx.db, tx.session), emit=tx.emit)

    return bind
