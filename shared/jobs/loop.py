"""The background loops of every service: timed jobs (:class:`JobLoop`) and steps
repeated on a period (:func:`every`).

:class:`JobLoop` claims due jobs punctually: instead of polling on a fixed period it asks
for the earliest pending ``due_at`` and sleeps until then (at most ``max_sleep`` real
seconds, so new jobs, other replicas' releases and shutdown are noticed). With
``lead_real`` it claims that much *before* the instant, so a handler can prepare and wait
for the instant itself. Claimed jobs run as tasks, up to ``capacity`` at once, claimed
``batch`` at a time so replicas share them. On cancellation running jobs get
``shutdown_grace`` seconds to finish; a job cut off is taken over once its lease expires.

One loop may serve several ``kinds`` (say one per account) instead of one ``kind``: it
asks the store once per turn for all of them (``claim_due_among``, ``next_due_among``)
and runs at most ``kind_capacity`` jobs of each kind at once (``capacity`` in all), so
one kind's slow jobs never hold another's; ``paused_kinds`` names the kinds it leaves
alone for now (asked once per turn). A job that finishes wakes the loop at once, as its
kind may have room again.

Both loops stop when their task is cancelled, even if the cancellation got lost: on
Python 3.11 a cancellation can be swallowed on its way through a library
(``asyncio.wait_for`` returns the result of an inner future that finished at the same
moment, gh-86296; PyMongo's I/O uses such calls), the loop would go on and the runtime's
shutdown would wait for it forever. So each loop also watches its task's pending
cancellation requests, stops at its next turn when one is pending, and re-raises.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Collection, Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import structlog

from shared.clock import Clock
from shared.jobs.store import Claim, FencedOut, TimedJobs

__all__ = ["JobLoop", "every"]

_log = structlog.get_logger("jobs")
_WATCH_SECONDS = 0.1  # how often a loop looks for a cancellation request it did not see
_MIN_SLEEP = 0.01  # never spin when a due job cannot be claimed right now
_CANCEL_WAIT = 1.0  # how long cancelled jobs get to unwind before they are left behind


class _CancelWatch:
    """``stop`` is set once the current task has a pending cancellation request."""

    def __init__(self) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.stop = asyncio.Event()
        self._watcher = asyncio.create_task(self._watch(task), name=f"{task.get_name()}:watch")

    async def _watch(self, task: asyncio.Task[object]) -> None:
        # Polled: nothing signals a cancellation request that a library swallowed.
        while not task.cancelling():  # noqa: ASYNC110
            await asyncio.sleep(_WATCH_SECONDS)
        self.stop.set()

    async def rest(self, seconds: float, others: Iterable[asyncio.Future[Any]] = ()) -> None:
        """Wait ``seconds``, or less when a stop is asked for or one of ``others`` ends."""
        waiter = asyncio.ensure_future(self.stop.wait())
        waiting: set[asyncio.Future[Any]] = {waiter, *others}
        try:
            await asyncio.wait(waiting, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()

    def close(self) -> None:
        self._watcher.cancel()  # not awaited: an await here could swallow our own cancellation


async def every(seconds: float, step: Callable[[], Awaitable[object]]) -> None:
    """Run ``step`` every ``seconds`` (real time) until cancelled; a failing step is logged."""
    watch = _CancelWatch()
    try:
        while not watch.stop.is_set():
            try:
                await step()
            except Exception as exc:  # the store may be away for a moment: try again later
                _log.warning("periodic_step_failed", step=_name(step), error=repr(exc))
            if not watch.stop.is_set():
                await watch.rest(seconds)
    finally:
        watch.close()
    raise asyncio.CancelledError  # only reached when the cancellation was swallowed


class JobLoop:
    """Claims due jobs of one ``kind`` (or of several ``kinds``, with a cap per kind) and
    runs ``handler`` for each, punctually."""

    def __init__(
        self,
        *,
        jobs: TimedJobs,
        kind: str | None = None,
        handler: Callable[[Claim], Awaitable[object]],
        clock: Clock,
        capacity: int = 1,
        batch: int = 4,
        max_sleep: float,
        retry_real: float,
        shutdown_grace: float,
        lead_real: float = 0.0,
        paused: Callable[[], Awaitable[bool]] | None = None,
        kinds: Sequence[str] | None = None,
        kind_capacity: int | None = None,
        paused_kinds: Callable[[], Awaitable[Collection[str]]] | None = None,
    ) -> None:
        if capacity < 1 or batch < 1:
            raise ValueError("capacity and batch must be at least 1")
        if (kind is None) == (kinds is None):
            raise ValueError("give either kind or kinds")
        if kinds is not None and (not kinds or isinstance(kinds, str)):
            raise ValueError("kinds must name at least one kind")
        if kind is not None and (kind_capacity is not None or paused_kinds is not None):
            raise ValueError("kind_capacity and paused_kinds go with kinds")
        if kind_capacity is not None and kind_capacity < 1:
            raise ValueError("kind_capacity must be at least 1")
        self._jobs = jobs
        self._kind = kind if kind is not None else ",".join(kinds or ())  # for logs and names
        self._kinds = tuple(dict.fromkeys(kinds)) if kinds is not None else None
        self._kind_capacity = kind_capacity or capacity
        self._paused_kinds = paused_kinds
        self._by_kind: Counter[str] = Counter()  # running jobs per kind (with ``kinds``)
        self._open: tuple[str, ...] | None = None  # kinds with room, as of this turn
        self._handler = handler
        self._clock = clock
        self._capacity = capacity
        self._batch = batch
        self._max_sleep = max_sleep
        self._retry_real = retry_real
        self._grace = shutdown_grace
        self._lead = lead_real
        self._paused = paused
        self._running: set[asyncio.Task[None]] = set()
        self.stopped = asyncio.Event()  # set once the loop and its jobs have finished

    async def run(self) -> None:
        """Loop until cancelled, then let running jobs finish and re-raise."""
        try:
            watch = _CancelWatch()
            try:
                while not watch.stop.is_set():
                    if not await self._claim_some(watch):
                        await self._wait(watch)
            finally:
                watch.close()
            raise asyncio.CancelledError  # a swallowed cancellation, noticed by the watch
        except asyncio.CancelledError:
            await self._drain()
            raise
        finally:
            self.stopped.set()

    async def _is_paused(self) -> bool:
        return self._paused is not None and await self._paused()

    async def _claim_some(self, watch: _CancelWatch) -> int:
        if self._kinds is not None:
            return await self._claim_among(watch, self._kinds)
        free = self._capacity - len(self._running)
        if free <= 0:
            await watch.rest(self._max_sleep, self._running)
            return 1
        try:
            if await self._is_paused():
                return 0
            claims = await self._jobs.claim_due(
                self._kind, now=self._horizon(), limit=min(free, self._batch)
            )
        except Exception as exc:  # store away: keep looping, the next round retries
            _log.warning("job_claim_failed", kind=self._kind, error=repr(exc))
            return 0
        for claim in claims:
            task = asyncio.create_task(self._run_one(claim), name=f"{self._kind}:{claim.key}")
            self._running.add(task)
            task.add_done_callback(self._running.discard)
        return len(claims)

    async def _claim_among(self, watch: _CancelWatch, kinds: tuple[str, ...]) -> int:
        """``_claim_some`` for several kinds: one query for the kinds with room."""
        self._open = None
        free = self._capacity - len(self._running)
        if free <= 0:
            await watch.rest(self._max_sleep, self._running)
            return 1
        try:
            if await self._is_paused():
                self._open = ()
                return 0
            paused = await self._paused_kinds() if self._paused_kinds is not None else ()
            room = {
                kind: self._kind_capacity - self._by_kind[kind]
                for kind in kinds
                if kind not in paused and self._by_kind[kind] < self._kind_capacity
            }
            self._open = tuple(room)
            claims = await self._jobs.claim_due_among(
                room, now=self._horizon(), limit=min(free, self._batch)
            )
        except Exception as exc:  # store away: keep looping, the next round retries
            _log.warning("job_claim_failed", kind=self._kind, error=repr(exc))
            return 0
        for claim in claims:
            task = asyncio.create_task(self._run_one(claim), name=f"{claim.kind}:{claim.key}")
            self._running.add(task)
            self._by_kind[claim.kind] += 1
            task.add_done_callback(partial(self._finished, claim.kind))
        return len(claims)

    def _finished(self, kind: str, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._by_kind[kind] -= 1
        if self._by_kind[kind] <= 0:
            del self._by_kind[kind]

    async def _wait(self, watch: _CancelWatch) -> None:
        if self._kinds is not None:
            await self._wait_among(watch)
            return
        try:
            due = None if await self._is_paused() else await self._jobs.next_due(self._kind)
        except Exception as exc:
            _log.warning("next_due_failed", kind=self._kind, error=repr(exc))
            due = None
        if due is None:
            await watch.rest(self._max_sleep)
            return
        remaining = (due - self._lead_business() - self._clock.now()).total_seconds()
        if remaining <= 0:  # due but not claimable this instant (a race, or a locked job)
            await watch.rest(_MIN_SLEEP)
            return
        await watch.rest(min(remaining / self._clock.speed, self._max_sleep))

    async def _wait_among(self, watch: _CancelWatch) -> None:
        """``_wait`` for several kinds: until the next due job of a kind with room (as
        this turn's claim found them), or until a running job finishes."""
        kinds = self._open
        due = None
        if kinds:
            try:
                due = await self._jobs.next_due_among(kinds)
            except Exception as exc:
                _log.warning("next_due_failed", kind=self._kind, error=repr(exc))
        if due is None:
            await watch.rest(self._max_sleep, self._running)
            return
        remaining = (due - self._lead_business() - self._clock.now()).total_seconds()
        if remaining <= 0:  # due but not claimable this instant (a race, or a locked job)
            await watch.rest(_MIN_SLEEP, self._running)
            return
        await watch.rest(min(remaining / self._clock.speed, self._max_sleep), self._running)

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
            retry = timedelta(seconds=self._retry_real * self._clock.speed)
            try:
                await self._jobs.release(claim, retry_in=retry, now=self._clock.now())
            except Exception as release_exc:  # lease expiry frees it otherwise
                _log.warning("job_release_failed", key=claim.key, error=repr(release_exc))

    async def _drain(self) -> None:
        if not self._running:
            return
        _, pending = await asyncio.wait(set(self._running), timeout=self._grace)
        for task in pending:
            task.cancel()
        if pending:  # bounded: a job that swallows its cancellation is left behind
            _, stuck = await asyncio.wait(pending, timeout=_CANCEL_WAIT)
            for task in stuck:
                _log.warning("job_left_running", task=task.get_name())


def _name(step: Callable[[], Awaitable[object]]) -> str:
    return getattr(step, "__qualname__", None) or repr(step)
