"""Timed work as documents with a unique key, claimed by one replica at a time.

A job (``publish:2026-11-23T11:30+08:00``, ``window-close:p-1``, ``report:weekly:2026-W47``)
is scheduled once (upsert on its key). Replicas poll for due jobs and claim one with an
indexed conditional ``update_one`` that bumps a **fencing token**; only the holder of
the current token may complete it, so a replica that stalled past its lease and wakes
up later cannot finish (or re-run) work another replica took over.

``due_at`` is business time (the injected clock, maybe simulated); ``lease_until`` is
real time, because it guards process liveness, not a business deadline.
A use case schedules, cancels and completes jobs in its own transaction through
``TimedJobs.in_session(session)`` (:class:`SessionJobs`), so a job exists, goes or is done
if, and only if, the change it belongs to commits.
SecantusDB's ``find_one_and_update`` scans the collection, hence ``update_one`` +
``modified_count`` here (the same code is correct on MongoDB).

Claiming is bounded in time: the candidates' ``find`` and each conditional ``update_one``
run under ``pymongo.timeout(claim_op_timeout)``. A document whose update times out (say it
is locked by a transaction a killed replica left open) is skipped, so one stuck job cannot
stop a replica from claiming the others.

``claim_due_among`` and ``next_due_among`` do the same for several kinds in one query
each (one :class:`~shared.jobs.JobLoop` serving many kinds, e.g. one per account, with a
cap per kind), on the ``due_any_kind`` index.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pymongo
import structlog
from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from shared.mongo import IndexSpec, MongoDoc

__all__ = ["JOB_INDEXES", "Claim", "FencedOut", "SessionJobs", "TimedJobs"]

JOBS = "jobs"
JOB_INDEXES = (
    IndexSpec(
        JOBS,
        (
            IndexModel(
                [("kind", ASCENDING), ("state", ASCENDING), ("due_at", ASCENDING)], name="due"
            ),
            # for the jobs of several kinds at once (``claim_due_among``, ``next_due_among``):
            # a ``kind`` ``$in`` leading the ``due`` index scans the collection on SecantusDB
            IndexModel([("state", ASCENDING), ("due_at", ASCENDING)], name="due_any_kind"),
        ),
    ),
)
_log = structlog.get_logger("jobs")


class FencedOut(Exception):
    """Another replica holds a newer fencing token for this job."""


@dataclass(frozen=True)
class Claim:
    """A job this replica holds, with the fence to present when completing it."""

    key: str
    kind: str
    fence: int
    due_at: datetime
    payload: dict[str, Any]
    attempts: int


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class TimedJobs:
    """Schedule, claim and complete keyed jobs in the service's ``jobs`` collection."""

    def __init__(
        self,
        db: AsyncDatabase[MongoDoc],
        *,
        lease: timedelta = timedelta(seconds=30),
        owner: str | None = None,
        claim_op_timeout: float = 2.0,
    ) -> None:
        self._coll = db[JOBS]
        self._lease = lease
        self._claim_op_timeout = claim_op_timeout
        self.owner = owner or _owner()

    async def schedule(
        self,
        key: str,
        *,
        kind: str,
        due_at: datetime,
        payload: dict[str, Any] | None = None,
        session: AsyncClientSession | None = None,
    ) -> bool:
        """Create the job unless it exists; True when this call created it."""
        result = await self._coll.update_one(
            {"_id": key},
            {
                "$setOnInsert": {
                    "kind": kind,
                    "due_at": due_at,
                    "state": "pending",
                    "fence": 0,
                    "attempts": 0,
                    "lease_until": datetime.fromtimestamp(0, UTC),
                    "payload": payload or {},
                }
            },
            upsert=True,
            session=session,
        )
        return result.upserted_id is not None

    async def reschedule(
        self, key: str, *, due_at: datetime, session: AsyncClientSession | None = None
    ) -> bool:
        """Move a pending job to another instant."""
        result = await self._coll.update_one(
            {"_id": key, "state": "pending"}, {"$set": {"due_at": due_at}}, session=session
        )
        return result.modified_count == 1

    async def cancel(self, key: str, *, session: AsyncClientSession | None = None) -> bool:
        result = await self._coll.update_one(
            {"_id": key, "state": "pending"},
            {"$set": {"state": "cancelled"}},
            session=session,
        )
        return result.modified_count == 1

    async def claim_due(self, kind: str, *, now: datetime, limit: int = 20) -> list[Claim]:
        """Claim up to ``limit`` due jobs (pending, or running with an expired lease).

        Each store operation is bounded by ``claim_op_timeout``; a candidate whose update
        times out is skipped (logged) and the others are still tried.
        """
        real_now = datetime.now(UTC)
        with pymongo.timeout(self._claim_op_timeout):
            candidates = (
                await self._coll.find(
                    {
                        "kind": kind,
                        "state": {"$in": ["pending", "running"]},
                        "due_at": {"$lte": now},
                    },
                )
                .sort("due_at", ASCENDING)
                .limit(limit * 3)
                .to_list(None)
            )
        claims: list[Claim] = []
        for doc in candidates:
            if len(claims) >= limit:
                break
            if doc["state"] == "running" and doc["lease_until"] > real_now:
                continue
            claim = await self._claim_one(doc, kind=kind, real_now=real_now)
            if claim is not None:
                claims.append(claim)
        return claims

    async def claim_due_among(
        self, room: Mapping[str, int], *, now: datetime, limit: int = 20
    ) -> list[Claim]:
        """Claim up to ``limit`` due jobs of the kinds in ``room``, at most ``room[kind]``
        of each (pending, or running with an expired lease), in one candidates' query.

        Pending jobs are tried first (then by ``due_at``): the jobs other replicas are
        running do not take the candidates' places. Bounded like :meth:`claim_due`.
        """
        kinds = sorted(kind for kind, n in room.items() if n > 0)
        if not kinds or limit < 1:
            return []
        real_now = datetime.now(UTC)
        with pymongo.timeout(self._claim_op_timeout):
            candidates = (
                await self._coll.find(
                    {
                        "state": {"$in": ["pending", "running"]},
                        "due_at": {"$lte": now},
                        "kind": {"$in": kinds},
                    },
                )
                .sort([("state", ASCENDING), ("due_at", ASCENDING)])  # "pending" < "running"
                .limit(limit * 3)
                .to_list(None)
            )
        left = {kind: room[kind] for kind in kinds}
        claims: list[Claim] = []
        for doc in candidates:
            if len(claims) >= limit:
                break
            kind = str(doc["kind"])
            if left.get(kind, 0) <= 0:
                continue
            if doc["state"] == "running" and doc["lease_until"] > real_now:
                continue
            claim = await self._claim_one(doc, kind=kind, real_now=real_now)
            if claim is not None:
                claims.append(claim)
                left[kind] -= 1
        return claims

    async def _claim_one(self, doc: MongoDoc, *, kind: str, real_now: datetime) -> Claim | None:
        """The conditional update that takes one candidate; None when another replica won
        or the update did not finish within ``claim_op_timeout``."""
        try:
            with pymongo.timeout(self._claim_op_timeout):
                result = await self._coll.update_one(
                    {"_id": doc["_id"], "fence": doc["fence"], "state": doc["state"]},
                    {
                        "$set": {
                            "state": "running",
                            "owner": self.owner,
                            "lease_until": real_now + self._lease,
                            "claimed_at": real_now,
                        },
                        "$inc": {"fence": 1, "attempts": 1},
                    },
                )
        except PyMongoError as exc:
            if not exc.timeout:
                raise
            # Locked (e.g. by a transaction left open): try the others now, this one later.
            # Were the update applied after all, the lease frees the job when it runs out.
            _log.warning("job_claim_timed_out", key=doc["_id"], kind=kind, error=repr(exc))
            return None
        if result.modified_count != 1:
            return None
        return Claim(
            key=doc["_id"],
            kind=kind,
            fence=doc["fence"] + 1,
            due_at=doc["due_at"],
            payload=doc.get("payload", {}),
            attempts=doc.get("attempts", 0) + 1,
        )

    async def next_due(self, kind: str) -> datetime | None:
        """The earliest ``due_at`` of a pending job of ``kind`` (index ``due``)."""
        doc = await self._coll.find_one(
            {"kind": kind, "state": "pending"},
            {"due_at": 1},
            sort=[("due_at", ASCENDING)],
        )
        return None if doc is None else doc["due_at"]

    async def next_due_among(self, kinds: Collection[str]) -> datetime | None:
        """The earliest ``due_at`` of a pending job of any of ``kinds`` (one query)."""
        if not kinds:
            return None
        doc = await self._coll.find_one(
            {"state": "pending", "kind": {"$in": sorted(kinds)}},
            {"due_at": 1},
            sort=[("due_at", ASCENDING)],
        )
        return None if doc is None else doc["due_at"]

    async def renew(self, claim: Claim) -> None:
        """Extend the lease; raises :class:`FencedOut` if the job was taken over."""
        result = await self._coll.update_one(
            {"_id": claim.key, "fence": claim.fence, "state": "running"},
            {"$set": {"lease_until": datetime.now(UTC) + self._lease}},
        )
        if result.modified_count != 1:
            raise FencedOut(claim.key)

    async def complete(
        self,
        claim: Claim,
        *,
        outcome: str = "done",
        result: dict[str, Any] | None = None,
        session: AsyncClientSession | None = None,
    ) -> None:
        """Mark the job finished; raises :class:`FencedOut` for a stale fence."""
        res = await self._coll.update_one(
            {"_id": claim.key, "fence": claim.fence, "state": "running"},
            {
                "$set": {
                    "state": outcome,
                    "result": result or {},
                    "finished_at": datetime.now(UTC),
                }
            },
            session=session,
        )
        if res.modified_count != 1:
            raise FencedOut(claim.key)

    async def release(self, claim: Claim, *, retry_in: timedelta, now: datetime) -> None:
        """Give the job back after a failure; it becomes due again after ``retry_in``."""
        await self._coll.update_one(
            {"_id": claim.key, "fence": claim.fence, "state": "running"},
            {"$set": {"state": "pending", "due_at": now + retry_in}},
        )

    async def get(self, key: str) -> MongoDoc | None:
        return await self._coll.find_one({"_id": key})

    def in_session(self, session: AsyncClientSession) -> SessionJobs:
        """These jobs as one transaction sees them: scheduled, cancelled and completed in
        ``session`` (what :class:`shared.ports.JobsInTransaction` asks for)."""
        return SessionJobs(self, session)


class SessionJobs:
    """:class:`TimedJobs` bound to one transaction's session (see ``TimedJobs.in_session``).

    ``schedule``, ``cancel`` and ``complete`` take the arguments of ``TimedJobs``' own,
    less ``session``; claiming, renewing and releasing stay outside any transaction.
    """

    def __init__(self, jobs: TimedJobs, session: AsyncClientSession) -> None:
        self._jobs = jobs
        self._session = session

    async def schedule(
        self, key: str, *, kind: str, due_at: datetime, payload: dict[str, Any] | None = None
    ) -> bool:
        """Create the job unless it exists; True when this call created it."""
        return await self._jobs.schedule(
            key, kind=kind, due_at=due_at, payload=payload, session=self._session
        )

    async def cancel(self, key: str) -> bool:
        """Cancel a pending job; False when it is not pending (or does not exist)."""
        return await self._jobs.cancel(key, session=self._session)

    async def complete(
        self, claim: Claim, *, outcome: str = "done", result: dict[str, Any] | None = None
    ) -> None:
        """Mark the claimed job finished; raises :class:`FencedOut` for a stale fence."""
        await self._jobs.complete(claim, outcome=outcome, result=result, session=self._session)
