"""Transactions a killed replica left open are ended once its lease on life runs out.

A replica killed inside a transaction (``kill -9``, OOM, a lost node) leaves the
transaction open on the store, holding its locks: the server aborts it only when its
lifetime ends (60 s on MongoDB and on SecantusDB, which reaps it at the next transaction
after that), and until then every write to those documents waits or conflicts — the post
the replica was publishing, the job it was completing, the window it was closing (#11).

So each replica holds a lease in its service's ``replicas`` collection, renewed every
``period`` seconds, listing the logical sessions it runs transactions on (a handful: the
driver pools them; a session is listed *before* its first transaction starts). A replica
that finds another's lease expired ends that replica's sessions with ``killSessions`` — the
store aborts their open transactions at once — and removes its document. A replica only
stalled past its lease loses its open transactions, which abort and are retried, never
their effects: a transaction commits whole or not at all.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.asynchronous.mongo_client import AsyncMongoClient

from shared.mongo import MongoDoc

__all__ = ["REPLICAS", "ReplicaSessions"]

REPLICAS = "replicas"
_log = structlog.get_logger("replicas")


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class ReplicaSessions:
    """This replica's lease and sessions, and the reaping of dead replicas' sessions."""

    def __init__(
        self,
        client: AsyncMongoClient[MongoDoc],
        db: AsyncDatabase[MongoDoc],
        *,
        owner: str | None = None,
        lease: timedelta = timedelta(seconds=6),
    ) -> None:
        self._client = client
        self._coll = db[REPLICAS]
        self.owner = owner or _owner()
        self.lease = lease
        self._listed: dict[bytes, dict[str, Any]] = {}
        self.reaped = 0  # dead replicas whose sessions this one ended
        self._in_touch = False  # the last renewal went through

    async def track(self, session: AsyncClientSession) -> None:
        """List ``session`` under this replica's lease before a transaction starts on it
        (one write the first time the driver hands out that session, none after)."""
        lsid: Mapping[str, Any] = session.session_id
        key = bytes(lsid["id"])
        if key in self._listed:
            return
        await self._coll.update_one(
            {"_id": self.owner},
            {
                "$addToSet": {"lsids": dict(lsid)},
                "$setOnInsert": {"alive_until": self._until()},
            },
            upsert=True,
        )
        self._listed[key] = dict(lsid)

    async def beat(self) -> None:
        """Renew this replica's lease, then end the sessions of replicas whose lease ran
        out (what :func:`shared.jobs.every` runs). Only from the second renewal in a row:
        after the store was away every lease ran out, and the live replicas get one
        period to renew theirs before anyone is taken for dead."""
        try:
            await self._coll.update_one(
                {"_id": self.owner},
                {
                    "$set": {"alive_until": self._until()},
                    # again: after a stall past the lease another replica removed the list
                    "$addToSet": {"lsids": {"$each": list(self._listed.values())}},
                },
                upsert=True,
            )
        except Exception:
            self._in_touch = False
            raise
        if self._in_touch:
            await self.reap()
        self._in_touch = True

    async def reap(self) -> int:
        """End the sessions of every replica whose lease has run out; how many replicas."""
        now = datetime.now(UTC)
        reaped = 0
        async for dead in self._coll.find(
            {"alive_until": {"$lt": now}, "_id": {"$ne": self.owner}}
        ):
            lsids = list(dead.get("lsids") or [])
            if lsids:
                await self._client.admin.command({"killSessions": lsids})
            result = await self._coll.delete_one(
                {"_id": dead["_id"], "alive_until": dead["alive_until"]}
            )
            if result.deleted_count == 1:
                reaped += 1
                _log.warning(
                    "dead_replica_sessions_ended", replica=dead["_id"], sessions=len(lsids)
                )
        self.reaped += reaped
        return reaped

    async def leave(self) -> None:
        """At a clean shutdown: nothing of ours is left open, so no one needs to reap us."""
        await self._coll.delete_one({"_id": self.owner})

    def _until(self) -> datetime:
        return datetime.now(UTC) + self.lease
