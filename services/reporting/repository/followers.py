"""The followers read model on MongoDB (issue #14).

* ``follower_changes`` — one document per subscription or unsubscription,
  ``_id = "<kind>:<openid>:<instant>"`` (what the change is, so a repeat is one entry);
  indexed by ``account`` and ``at``, what places a change in a period;
* ``followers`` — each follower's latest state and attribution (``_id = openid``);
* ``branches`` — each branch's name and head-count target (``_id = code``).

Every document carries its ``account`` (#12); ids of accounts other than the default are
prefixed ``<account>/`` (:func:`~services.reporting.domain.accounts.scoped_key`).

Writes run in the consumer's transaction (with its inbox record); reads serve the
summary without one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from pymongo import ASCENDING, IndexModel

from services.reporting.domain.followers import BranchRef
from services.reporting.repository.indexes import SessionRepository, facts_of
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import EventEnvelope
from shared.mongo import IndexSpec, MongoDoc
from shared.outbox import Tx

__all__ = [
    "BRANCHES",
    "FOLLOWERS",
    "FOLLOWER_ACCOUNT_COLLECTIONS",
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
            IndexModel([("account", ASCENDING), ("at", ASCENDING)], name="account_at"),
        ),
    ),
    IndexSpec(BRANCHES, (IndexModel([("account", ASCENDING)], name="account"),)),
)
FOLLOWER_ACCOUNT_COLLECTIONS = (FOLLOWERS, FOLLOWER_CHANGES, BRANCHES)
"""Collections whose documents carry ``account`` (#12); older ones become the default's."""


class MongoFollowerRepository(SessionRepository):
    """:class:`~services.reporting.ports.FollowerRepository` on MongoDB."""

    async def get_follower(self, key: str) -> MongoDoc | None:
        return await self._db[FOLLOWERS].find_one({"_id": key}, session=self._session)

    async def save_follower(self, doc: MongoDoc) -> None:
        await self._db[FOLLOWERS].replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=self._session
        )

    async def save_change(self, doc: MongoDoc) -> None:
        await self._db[FOLLOWER_CHANGES].replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=self._session
        )

    async def get_branch(self, key: str) -> MongoDoc | None:
        return await self._db[BRANCHES].find_one({"_id": key}, session=self._session)

    async def save_branch(self, doc: MongoDoc) -> None:
        await self._db[BRANCHES].replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=self._session
        )

    async def changes_between(
        self, start: datetime, end: datetime, accounts: Sequence[str]
    ) -> list[MongoDoc]:
        """Changes of ``accounts`` placed in ``[start, end)``, oldest first (without the
        openid)."""
        fields = {"account": 1, "kind": 1, "at": 1, "source": 1, "branch_code": 1}
        query = {**facts_of(accounts), "at": {"$gte": start, "$lt": end}}
        cursor = self._db[FOLLOWER_CHANGES].find(query, fields, session=self._session)
        return await cursor.sort("at", ASCENDING).to_list(None)

    async def branches(self, accounts: Sequence[str]) -> list[MongoDoc]:
        query = facts_of(accounts)
        return await self._db[BRANCHES].find(query, session=self._session).to_list(None)

    async def attributed_before(
        self, end: datetime, accounts: Sequence[str]
    ) -> dict[BranchRef, int]:
        """Per ``(account, branch code)`` of ``accounts``: subscriptions minus
        unsubscriptions its code brought before ``end`` (an unsubscription carries its
        subscription's attribution)."""
        match = {**facts_of(accounts), "at": {"$lt": end}, "branch_code": {"$ne": None}}
        pipeline = [
            {"$match": match},
            {
                "$group": {
                    "_id": {"a": "$account", "b": "$branch_code", "k": "$kind"},
                    "n": {"$sum": 1},
                }
            },
        ]
        cursor = await self._db[FOLLOWER_CHANGES].aggregate(pipeline, session=self._session)
        totals: dict[BranchRef, int] = {}
        async for row in cursor:
            sign = 1 if row["_id"]["k"] == "subscribed" else -1
            ref = (str(row["_id"].get("a") or DEFAULT_ACCOUNT), str(row["_id"]["b"]))
            totals[ref] = totals.get(ref, 0) + sign * int(row["n"])
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
