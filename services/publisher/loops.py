"""The background loops: claim due jobs punctually and run them concurrently.

Instead of polling on a fixed period, a loop asks for the earliest pending ``due_at``
and sleeps until exactly then (``sleep_until``, at most ``poll_max_seconds`` of real
time so new jobs, other replicas' releases and shutdown are noticed). With ``lead`` it
claims that much *before* the instant: the handler prepares (loads, verifies) and waits
for the instant itself, so claiming costs no punctuality. Claimed jobs run as tasks, up
to ``capacity`` at once, so twenty posts due at one instant do not queue behind each
other's channel calls; claims are taken ``batch`` at a time so replicas share them. On
shutdown the loop lets running jobs finish for the runtime's grace period: a job cut off
mid-call is taken over later as ``unknown``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import structlog

from services.publisher.repository import PostRepository
from shared.clock import Clock, sleep_until
from shared.jobs import Claim, FencedOut, TimedJobs

__all__ = ["DueJobLoop"]

_log = structlog.get_logger("publisher")
_MIN_SLEEP = 0.01  # never spin when a due job cannot be claimed right now


class DueJobLoop:
    """Claims due jobs of one kind and runs ``handler`` for each, punctually."""

    def __init__(
        self,
        *,
        kind: str,
        handler: Callable[[Claim], Awaitable[None]],
        jobs: TimedJobs,
        repo: PostRepository,
        clock: Clock,
        capacity: int,
        max_sleep: float,
        retry_real: float,
        shutdown_grace: float,
        gated_by_hold: bool = False,
        lead_real: float = 0.0,
        batch: int = 4,
    ) -> None:
        self._kind = kind
        self._handler = handler
        self._jobs = jobs
        self._repo = repo
        self._clock = clock
        self._capacity = capacity
        self._max_sleep = max_sleep
        self._retry_real = retry_real
        self._grace = shutdown_grace
        self._gated = gated_by_hold
        self._lead = lead_real
        self._batch = batch
        self._running: set[asyncio.Task[None]] = set()
        self.stopped = asyncio.Event()  # set once the loop and its jobs have finished

    async def run(self) -> None:
        """Loop until cancelled."""
        try:
            while True:
                claimed = await self._claim_some()
                if not claimed:
                    await self._wait()
        except asyncio.CancelledError:
            await self._drain()
            raise
        finally:
            self.stopped.set()

    async def _claim_some(self) -> int:
        free = self._capacity - len(self._running)
        if free <= 0:
            await asyncio.wait(
                self._running, timeout=self._max_sleep, return_when=asyncio.FIRST_COMPLETED
            )
            return 1
        try:
            if self._gated and await self._repo.is_held():
                return 0
            claims = await self._jobs.claim_due(
                self._kind, now=self._horizon(), limit=min(free, self._batch)
            )
        except Exception as exc:  # store away: keep looping, the next round retries
            _log.warning("claim_failed", kind=self._kind, error=repr(exc))
            return 0
        for claim in claims:
            task = asyncio.create_task(self._run_one(claim), name=f"{self._kind}:{claim.key}")
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        return len(claims)

    async def _wait(self) -> None:
        try:
            due = (
                None
                if (self._gated and await self._repo.is_held())
                else (await self._repo.next_due(self._kind))
            )
        except Exception as exc:
            _log.warning("next_due_failed", kind=self._kind, error=repr(exc))
            due = None
        if due is None:
            await asyncio.sleep(self._max_sleep)
            return
        claimable_at = due - self._lead_business()
        if claimable_at <= self._clock.now():  # due but not claimable this instant (a race)
            await asyncio.sleep(_MIN_SLEEP)
            return
        await sleep_until(self._clock, claimable_at, max_real=self._max_sleep)

    def _lead_business(self) -> timedelta:
        return timedelta(seconds=self._lead * self._clock.speed)

    def _horizon(self) -> datetime:
        """Jobs due up to this instant are claimed now."""
        return self._clock.now() + self._lead_business()

    async def _run_one(self, claim: Claim) -> None:
        try:
            await self._handler(claim)
        except FencedOut:
            _log.warning("job_fenced_out", key=claim.key)
        except Exception as exc:
            _log.error("job_failed", key=claim.key, error=repr(exc))
            with contextlib.suppress(Exception):  # lease expiry frees it otherwise
                retry = timedelta(seconds=self._retry_real * self._clock.speed)
                await self._jobs.release(claim, retry_in=retry, now=self._clock.now())

    async def _drain(self) -> None:
        if not self._running:
            return
        _, pending = await asyncio.wait(set(self._running), timeout=self._grace)
        for task in pending:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*pending, return_exceptions=True)
