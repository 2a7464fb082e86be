"""The one timed-job loop and the one periodic loop, over an in-memory job store."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest

from shared.clock import FixedClock
from shared.jobs import Claim, FencedOut, JobLoop, TimedJobs, every

T0 = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)


class FakeTimedJobs:
    """The part of :class:`TimedJobs` the loop uses, in memory."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.released: list[tuple[str, timedelta]] = []
        self.swallow_next_claim_cancel = False

    def add(self, key: str, *, kind: str = "k", due_at: datetime = T0) -> None:
        self.docs[key] = {"kind": kind, "due_at": due_at, "state": "pending", "fence": 0}

    async def claim_due(self, kind: str, *, now: datetime, limit: int = 20) -> list[Claim]:
        if self.swallow_next_claim_cancel:
            self.swallow_next_claim_cancel = False
            # as asyncio.wait_for on Python 3.11 may do, deep in a library:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(0.5)
        await asyncio.sleep(0)
        due = sorted(
            (key for key, doc in self.docs.items() if self._due(doc, kind, now)),
            key=lambda key: self.docs[key]["due_at"],
        )
        claims = []
        for key in due[:limit]:
            doc = self.docs[key]
            doc["state"] = "running"
            doc["fence"] += 1
            claims.append(Claim(key, kind, doc["fence"], doc["due_at"], {}, doc["fence"]))
        return claims

    @staticmethod
    def _due(doc: dict[str, Any], kind: str, now: datetime) -> bool:
        return bool(doc["kind"] == kind and doc["state"] == "pending" and doc["due_at"] <= now)

    async def next_due(self, kind: str) -> datetime | None:
        pending = [
            d["due_at"] for d in self.docs.values() if d["kind"] == kind and d["state"] == "pending"
        ]
        return min(pending, default=None)

    async def complete(self, claim: Claim) -> None:
        self.docs[claim.key]["state"] = "done"

    async def release(self, claim: Claim, *, retry_in: timedelta, now: datetime) -> None:
        self.released.append((claim.key, retry_in))
        self.docs[claim.key].update(state="pending", due_at=now + retry_in)


def loop_of(
    jobs: FakeTimedJobs,
    handler: Callable[[Claim], Awaitable[object]],
    *,
    clock: FixedClock | None = None,
    **kwargs: Any,
) -> JobLoop:
    options: dict[str, Any] = {"max_sleep": 0.02, "retry_real": 30.0, "shutdown_grace": 1.0}
    return JobLoop(
        jobs=cast(TimedJobs, jobs),
        kind="k",
        handler=handler,
        clock=clock or FixedClock(T0),
        **{**options, **kwargs},
    )


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not predicate():
            await asyncio.sleep(0.005)


async def stop(task: asyncio.Task[None]) -> None:
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)
    assert task in done, "the loop did not stop"
    assert task.cancelled()


async def test_due_jobs_run_and_later_ones_wait_for_their_instant() -> None:
    jobs = FakeTimedJobs()
    jobs.add("a")
    jobs.add("b")
    jobs.add("later", due_at=T0 + timedelta(hours=1))
    ran: list[str] = []

    async def handler(claim: Claim) -> None:
        ran.append(claim.key)
        await jobs.complete(claim)

    loop = loop_of(jobs, handler, capacity=2)
    task = asyncio.create_task(loop.run())
    await until(lambda: len(ran) == 2)
    await asyncio.sleep(0.1)
    await stop(task)
    assert sorted(ran) == ["a", "b"]
    assert jobs.docs["later"]["state"] == "pending"
    assert loop.stopped.is_set()


async def test_no_more_than_capacity_jobs_run_at_once() -> None:
    jobs = FakeTimedJobs()
    for n in range(7):
        jobs.add(f"j{n}")
    running = 0
    peak = 0
    finished: list[str] = []

    async def handler(claim: Claim) -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.03)
        running -= 1
        finished.append(claim.key)
        await jobs.complete(claim)

    task = asyncio.create_task(loop_of(jobs, handler, capacity=3, batch=2).run())
    await until(lambda: len(finished) == 7)
    await stop(task)
    assert peak == 3


async def test_a_failing_job_is_released_for_retry_in_business_time() -> None:
    jobs = FakeTimedJobs()
    jobs.add("bad")
    clock = FixedClock(T0)
    clock.speed = 60.0  # one real second is a business minute

    async def handler(claim: Claim) -> None:
        raise RuntimeError("channel down")

    task = asyncio.create_task(loop_of(jobs, handler, clock=clock, retry_real=30.0).run())
    await until(lambda: bool(jobs.released))
    await stop(task)
    assert jobs.released == [("bad", timedelta(minutes=30))]
    assert jobs.docs["bad"] == {**jobs.docs["bad"], "state": "pending"}
    assert jobs.docs["bad"]["due_at"] == T0 + timedelta(minutes=30)


async def test_a_fenced_out_job_is_not_released() -> None:
    jobs = FakeTimedJobs()
    jobs.add("taken")
    tried: list[str] = []

    async def handler(claim: Claim) -> None:
        tried.append(claim.key)
        raise FencedOut(claim.key)

    task = asyncio.create_task(loop_of(jobs, handler).run())
    await until(lambda: bool(tried))
    await asyncio.sleep(0.05)
    await stop(task)
    assert tried == ["taken"]
    assert jobs.released == []


async def test_a_paused_loop_claims_nothing() -> None:
    jobs = FakeTimedJobs()
    jobs.add("held")
    ran: list[str] = []

    async def held() -> bool:
        return True

    async def handler(claim: Claim) -> None:
        ran.append(claim.key)

    task = asyncio.create_task(loop_of(jobs, handler, paused=held).run())
    await asyncio.sleep(0.1)
    await stop(task)
    assert ran == []
    assert jobs.docs["held"]["state"] == "pending"


async def test_a_cancellation_swallowed_on_the_claim_path_still_stops_the_loop() -> None:
    jobs = FakeTimedJobs()
    jobs.swallow_next_claim_cancel = True
    loop = loop_of(jobs, lambda claim: jobs.complete(claim), max_sleep=0.01)
    task = asyncio.create_task(loop.run())
    await asyncio.sleep(0.05)  # inside the stubborn claim now
    await stop(task)
    assert loop.stopped.is_set()


async def test_shutdown_lets_running_jobs_finish_then_leaves_a_stubborn_one_behind() -> None:
    jobs = FakeTimedJobs()
    jobs.add("slow")
    jobs.add("stubborn")
    finished: list[str] = []
    started: list[str] = []

    async def handler(claim: Claim) -> None:
        started.append(claim.key)
        if claim.key == "slow":
            await asyncio.sleep(0.1)  # finishes within the grace period
            finished.append(claim.key)
            return
        with contextlib.suppress(asyncio.CancelledError):  # swallows its cancellation once
            await asyncio.sleep(10)
        await asyncio.sleep(10)

    loop = loop_of(jobs, handler, capacity=2, shutdown_grace=0.3)
    task = asyncio.create_task(loop.run())
    await until(lambda: len(started) == 2)
    await stop(task)
    assert finished == ["slow"]
    assert loop.stopped.is_set()
    for leftover in asyncio.all_tasks():
        if leftover.get_name() == "k:stubborn":
            leftover.cancel()


async def test_every_repeats_its_step_and_survives_a_failing_one() -> None:
    runs = 0

    async def step() -> None:
        nonlocal runs
        runs += 1
        if runs == 2:
            raise RuntimeError("store away")

    task = asyncio.create_task(every(0.001, step))
    await until(lambda: runs >= 4)
    await stop(task)


async def test_every_stops_when_its_step_swallows_the_cancellation() -> None:
    turns = 0

    async def stubborn() -> None:
        nonlocal turns
        turns += 1
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(0.05)

    task = asyncio.create_task(every(60.0, stubborn))
    await until(lambda: turns == 1)
    await stop(task)
    assert turns == 1


@pytest.mark.parametrize(("capacity", "batch"), [(0, 1), (1, 0)])
def test_capacity_and_batch_must_be_positive(capacity: int, batch: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        loop_of(FakeTimedJobs(), lambda claim: asyncio.sleep(0), capacity=capacity, batch=batch)
