"""What each account's job loops ask the store while idle, asked once for all of them.

Every account has its own publishing and reconcile loops (so one account's slow channel
never holds another's jobs), and an idle :class:`~shared.jobs.JobLoop` asks the store on
every turn whether its calendar is held, which jobs are due and when the next one is: with
twenty accounts that is well over a hundred queries a second per replica, which slows the
store for the posts going out. Two adapters keep what the loops ask to what they need:

* :class:`HoldGate` answers every loop's "is my account held?" from one read of all the
  holds, at most every ``period`` real seconds (the publishing job reads its account's
  hold again, fresh, once the post is marked ``submitting``: the gate only saves claims);
* :class:`QuietJobs` (the loops' :class:`~shared.jobs.TimedJobs`) answers every loop's
  ``next_due`` from one aggregate over all the kinds, and does not ask for due jobs of a
  kind whose next pending job is still ahead (unless it has not asked for ``fresh``
  seconds: a job whose holder died is taken over by the claim query).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from datetime import datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from services.publisher.repository.calendar import CALENDAR, hold_id
from shared.jobs import Claim, TimedJobs
from shared.jobs.store import JOBS
from shared.mongo import MongoDoc

__all__ = ["HoldGate", "QuietJobs"]


class HoldGate:
    """Which accounts are held, read for all accounts at once and kept ``period`` seconds."""

    def __init__(self, db: AsyncDatabase[MongoDoc], *, period: float) -> None:
        self._calendar = db[CALENDAR]
        self._period = period
        self._held: frozenset[str] = frozenset()
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()

    async def is_held(self, account: str) -> bool:
        """Whether ``account``'s calendar is held (as read at most ``period`` ago)."""
        if time.monotonic() - self._read_at >= self._period:
            async with self._lock:  # the loops waking together share one read
                if time.monotonic() - self._read_at >= self._period:
                    self._held = await self._read()
                    self._read_at = time.monotonic()
        return hold_id(account) in self._held

    async def _read(self) -> frozenset[str]:
        docs = await self._calendar.find({"held": True}, {"_id": 1}).to_list(None)
        return frozenset(str(d["_id"]) for d in docs)


class QuietJobs(TimedJobs):
    """:class:`TimedJobs` for the job loops of every account.

    ``next_due`` answers each loop from one snapshot of every ``kinds``' next pending
    instant (one aggregate for all loops, read again at most every ``period`` seconds and
    after any claim); a claim right after ``next_due`` said the kind's next pending job
    is still ahead finds nothing without asking, unless the kind's last claim query is
    ``fresh`` seconds old (a running job whose holder died, which ``next_due`` does not
    see, is then taken over at most ``fresh`` later than a loop asking every turn would).
    A job scheduled meanwhile is seen at most ``period`` later than by a loop's own query.
    """

    def __init__(
        self,
        db: AsyncDatabase[MongoDoc],
        *,
        lease: timedelta,
        kinds: Sequence[str],
        period: float,
        fresh: float,
    ) -> None:
        super().__init__(db, lease=lease)
        self._coll = db[JOBS]
        self._kinds = list(kinds)
        self._period = period
        self._fresh = fresh
        self._due: dict[str, datetime] = {}
        self._read_at = float("-inf")
        self._lock = asyncio.Lock()
        self._known: dict[str, datetime | None] = {}
        self._asked: dict[str, float] = {}

    async def next_due(self, kind: str) -> datetime | None:
        if kind not in self._kinds:
            return await super().next_due(kind)
        if time.monotonic() - self._read_at >= self._period:
            async with self._lock:  # the loops waking together share one read
                if time.monotonic() - self._read_at >= self._period:
                    self._due = await self._read()
                    self._read_at = time.monotonic()
        due = self._due.get(kind)
        self._known[kind] = due
        return due

    async def _read(self) -> dict[str, datetime]:
        cursor = await self._coll.aggregate(
            [
                {"$match": {"kind": {"$in": self._kinds}, "state": "pending"}},
                {"$group": {"_id": "$kind", "due": {"$min": "$due_at"}}},
            ]
        )
        return {str(doc["_id"]): doc["due"] async for doc in cursor}

    async def claim_due(self, kind: str, *, now: datetime, limit: int = 20) -> list[Claim]:
        recent = time.monotonic() - self._asked.get(kind, float("-inf")) < self._fresh
        if recent and kind in self._known:
            due = self._known.pop(kind)
            if due is None or due > now:
                return []
        self._asked[kind] = time.monotonic()
        self._read_at = float("-inf")  # what was due may be claimed now: read again
        return await super().claim_due(kind, now=now, limit=limit)
