"""In-memory timed jobs, as ``shared.jobs`` keeps them, for the use cases' unit tests.

:class:`FakeJobs` is a :class:`~tests.fakes.uow.FakeStore` (a failed unit of work puts it
back as it was) and stands for both sides of the service's jobs: inside a transaction,
``shared.ports.JobsInTransaction`` (``schedule``, ``cancel``, ``complete``); outside one,
what a running job does with its own claim (``renew``, ``release``, ``complete``). Like
``TimedJobs``, a job is scheduled once per key, only a pending job is cancelled, and only
the claim holding the current fence completes, renews or releases it. :meth:`FakeJobs.claim`
stands in for the job loop's claim (whatever the job's due time).

``jobs`` records what happened: each job by key, its ``state`` (``pending``,
``running``, ``cancelled``, or the outcome it was completed with) and its ``result``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, NotRequired, TypedDict

from shared.jobs import Claim, FencedOut
from tests.fakes.uow import FakeStore

__all__ = ["FakeJob", "FakeJobs"]


class FakeJob(TypedDict):
    """One job, with the fields of its ``jobs`` document a test looks at."""

    kind: str
    due_at: datetime
    payload: dict[str, Any]
    state: str
    fence: int
    attempts: int
    result: NotRequired[dict[str, Any]]
    """Set when the job is completed."""


class FakeJobs(FakeStore):
    """The service's timed jobs by key (``jobs``); see the module's docstring."""

    def __init__(self) -> None:
        self.jobs: dict[str, FakeJob] = {}

    async def schedule(
        self, key: str, *, kind: str, due_at: datetime, payload: dict[str, Any] | None = None
    ) -> bool:
        if key in self.jobs:
            return False
        self.jobs[key] = FakeJob(
            kind=kind,
            due_at=due_at,
            payload=dict(payload or {}),
            state="pending",
            fence=0,
            attempts=0,
        )
        return True

    async def cancel(self, key: str) -> bool:
        job = self.jobs.get(key)
        if job is None or job["state"] != "pending":
            return False
        job["state"] = "cancelled"
        return True

    async def complete(
        self, claim: Claim, *, outcome: str = "done", result: dict[str, Any] | None = None
    ) -> None:
        job = self._held(claim)
        job["state"], job["result"] = outcome, dict(result or {})

    def claim(self, key: str) -> Claim:
        """Take the job as a job loop would: running, under a newer fence."""
        job = self.jobs[key]
        job["state"], job["fence"], job["attempts"] = (
            "running",
            job["fence"] + 1,
            job["attempts"] + 1,
        )
        return Claim(
            key=key,
            kind=job["kind"],
            fence=job["fence"],
            due_at=job["due_at"],
            payload=dict(job["payload"]),
            attempts=job["attempts"],
        )

    async def renew(self, claim: Claim) -> None:
        self._held(claim)

    async def release(self, claim: Claim, *, retry_in: timedelta, now: datetime) -> None:
        """Give the job back (pending, due after ``retry_in``); a stale claim changes
        nothing, as with ``TimedJobs``."""
        job = self.jobs.get(claim.key)
        if job is not None and job["state"] == "running" and job["fence"] == claim.fence:
            job["state"], job["due_at"] = "pending", now + retry_in

    def of_kind(self, kind: str, state: str = "pending") -> dict[str, FakeJob]:
        """The jobs of ``kind`` in ``state``, by key."""
        return {k: j for k, j in self.jobs.items() if j["kind"] == kind and j["state"] == state}

    def _held(self, claim: Claim) -> FakeJob:
        job = self.jobs.get(claim.key)
        if job is None or job["state"] != "running" or job["fence"] != claim.fence:
            raise FencedOut(claim.key)
        return job
