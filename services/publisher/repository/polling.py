"""What each account's job loops ask the store while idle, asked once for all of them.

Every account has its own publishing and reconcile loops (so one account's slow channel
never holds another's jobs), and an idle :class:`~shared.jobs.JobLoop` asks the store on
every turn whether its calendar is held, which jobs are due and when the next one is: with
twenty accounts that is well over a hundred queries a second per replica, which slows the
store for the posts going out. Two adapters keep what the loops ask to what they need:

* :class:`HoldGate` answers every loop's "is my account held?" from one read of all the
  holds, at most every ``period`` real seconds (the publishing job reads its account's
  hold again, fresh, once the post is marked ``submitting``: the gate only saves claims);
* :class:`QuietJobs` (the loops' :class:`~shared.jobs.TimedJobs`) does not ask for due
  jobs of a kind whose next due instant it has just learnt is still ahead, unless it has
  not asked for ``fresh`` seconds (a job whose holder died is taken over by the claim
  query, not seen by ``next_due``): most turns of an idle loop are one query, not two.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from services.publisher.repository.calendar import CALENDAR, hold_id
from shared.jobs import Claim, TimedJobs
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
    """:class:`TimedJobs` for job loops: a claim right after ``next_due`` said the kind's
    next pending job is not due yet finds nothing without asking, unless the kind's last
    claim query is ``fresh`` real seconds old.

    A pending job that is due is claimed as before (``next_due`` sees it on every turn);
    a running job whose holder died (lease expired) is taken over at most ``fresh`` later
    than a loop asking on every turn would.
    """

    def __init__(self, db: AsyncDatabase[MongoDoc], *, lease: timedelta, fresh: float) -> None:
        super().__init__(db, lease=lease)
        self._fresh = fresh
        self._known: dict[str, datetime | None] = {}
        self._asked: dict[str, float] = {}

    async def next_due(self, kind: str) -> datetime | None:
        due = await super().next_due(kind)
        self._known[kind] = due
        return due

    async def claim_due(self, kind: str, *, now: datetime, limit: int = 20) -> list[Claim]:
        recent = time.monotonic() - self._asked.get(kind, float("-inf")) < self._fresh
        if recent and kind in self._known:
            due = self._known.pop(kind)
            if due is None or due > now:
                return []
        self._asked[kind] = time.monotonic()
        return await super().claim_due(kind, now=now, limit=limit)
