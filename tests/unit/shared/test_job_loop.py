"""The one timed-job loop and the one periodic loop, over an in-memory job store."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Collection, Mapping
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
        self.asked: list[dict[str, int]] = []  # the room of each claim_due_among

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

    async def claim_due_among(
        self, room: Mapping[str, int], *, now: datetime, limit: int = 20
    ) -> list[Claim]:
        self.asked.append(dict(room))
        await asyncio.sleep(0)
        left = {kind: n for kind, n in room.items() if n > 0}
        due = sorted(
            (key for key, doc in self.docs.items() if self._due(doc, doc["kind"], now)),
            key=lambda key: self.docs[key]["due_at"],
        )
        claims: list[Claim] = []
        for key in due:
            doc = self.docs[key]
            if len(claims) >= limit or left.get(doc["kind"], 0) <= 0:
                continue
            left[doc["kind"]] -= 1
            doc["state"] = "running"
            doc["fence"] += 1
            claims.append(Claim(key, doc["kind"], doc["fence"], doc["due_at"], {}, doc["fence"]))
        return claims

    async def next_due_among(self, kinds: Collection[str]) -> datetime | None:
        pending = [
            d["due_at"]
            for d in self.docs.values()
            if d["kind"] in kinds and d["state"] == "pending"
        ]
        return min(pending, default=None)

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
    if "kinds" not in kwargs:
        options["kind"] = "k"
    return JobLoop(
        jobs=cast(TimedJobs, jobs),
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


# -- one loop for several kinds, with a cap per kind ---------------------------------------


async def test_one_loop_runs_the_due_jobs_of_every_kind_and_later_ones_wait() -> None:
    jobs = FakeTimedJobs()
    for kind in ("a", "b", "c"):
        jobs.add(f"{kind}-1", kind=kind)
    jobs.add("a-later", kind="a", due_at=T0 + timedelta(hours=1))
    jobs.add("other", kind="not-mine")
    ran: list[tuple[str, str]] = []

    async def handler(claim: Claim) -> None:
        ran.append((claim.kind, claim.key))
        await jobs.complete(claim)

    loop = loop_of(jobs, handler, kinds=["a", "b", "c"], capacity=6, kind_capacity=2)
    task = asyncio.create_task(loop.run())
    await until(lambda: len(ran) == 3)
    await asyncio.sleep(0.1)
    await stop(task)
    assert sorted(ran) == [("a", "a-1"), ("b", "b-1"), ("c", "c-1")]
    assert jobs.docs["a-later"]["state"] == "pending"
    assert jobs.docs["other"]["state"] == "pending"
    assert loop.stopped.is_set()


async def test_a_kind_at_its_cap_does_not_hold_the_jobs_of_another_kind() -> None:
    jobs = FakeTimedJobs()
    for n in range(5):
        jobs.add(f"slow-{n}", kind="slow", due_at=T0 - timedelta(minutes=5 - n))
    jobs.add("quick", kind="quick")  # due after all of the slow kind's jobs
    release = asyncio.Event()
    started: list[str] = []
    done: list[str] = []

    async def handler(claim: Claim) -> None:
        started.append(claim.key)
        if claim.kind == "slow":
            await release.wait()  # a channel that answers nothing
        done.append(claim.key)
        await jobs.complete(claim)

    loop = loop_of(jobs, handler, kinds=["slow", "quick"], capacity=10, kind_capacity=2)
    task = asyncio.create_task(loop.run())
    await until(lambda: "quick" in done)
    await asyncio.sleep(0.1)
    # the slow kind holds its two places, no more; the quick kind's job went through
    assert sorted(started) == ["quick", "slow-0", "slow-1"]
    assert "slow" not in jobs.asked[-1]  # a kind at its cap is not even asked for
    release.set()  # each finished slow job makes room for the next one of its kind
    await until(lambda: len(done) == 6)
    await stop(task)
    assert sorted(done) == ["quick", *(f"slow-{n}" for n in range(5))]


async def test_a_finished_job_makes_room_for_its_kind_at_once() -> None:
    jobs = FakeTimedJobs()
    jobs.add("first", kind="a")
    jobs.add("second", kind="a")
    gate = asyncio.Event()
    done: list[str] = []

    async def handler(claim: Claim) -> None:
        if claim.key == "first":
            await gate.wait()
        done.append(claim.key)
        await jobs.complete(claim)

    # a long max_sleep: only the finished job's wake-up lets the second one start soon
    loop = loop_of(jobs, handler, kinds=["a", "b"], capacity=4, kind_capacity=1, max_sleep=30)
    task = asyncio.create_task(loop.run())
    await until(lambda: jobs.docs["first"]["state"] == "running")
    assert jobs.docs["second"]["state"] == "pending"
    gate.set()
    await until(lambda: done == ["first", "second"], timeout=10)
    await stop(task)


async def test_paused_kinds_are_left_alone_until_they_are_not() -> None:
    jobs = FakeTimedJobs()
    jobs.add("held-1", kind="held")
    jobs.add("free-1", kind="free")
    paused = {"held"}
    ran: list[str] = []

    async def paused_kinds() -> Collection[str]:
        return set(paused)

    async def handler(claim: Claim) -> None:
        ran.append(claim.key)
        await jobs.complete(claim)

    loop = loop_of(jobs, handler, kinds=["held", "free"], capacity=4, paused_kinds=paused_kinds)
    task = asyncio.create_task(loop.run())
    await until(lambda: ran == ["free-1"])
    await asyncio.sleep(0.1)
    assert jobs.docs["held-1"]["state"] == "pending"
    assert all("held" not in room for room in jobs.asked)
    paused.clear()
    await until(lambda: ran == ["free-1", "held-1"])
    await stop(task)


async def test_no_more_than_capacity_jobs_of_all_kinds_run_at_once() -> None:
    jobs = FakeTimedJobs()
    for n in range(9):
        jobs.add(f"j{n}", kind="abc"[n % 3])
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

    loop = loop_of(jobs, handler, kinds=["a", "b", "c"], capacity=2, kind_capacity=2, batch=4)
    task = asyncio.create_task(loop.run())
    await until(lambda: len(finished) == 9)
    await stop(task)
    assert peak == 2


@pytest.mark.parametrize(
    "options",
    [
        {},  # neither kind nor kinds
        {"kind": "k", "kinds": ["k"]},
        {"kinds": []},
        {"kinds": "ab"},  # a string is not a list of kinds
        {"kind": "k", "kind_capacity": 2},
        {"kinds": ["a"], "kind_capacity": 0},
    ],
)
def test_a_loop_serves_one_kind_or_a_list_of_kinds(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="kind"):
        JobLoop(
            jobs=cast(TimedJobs, FakeTimedJobs()),
            handler=lambda claim: asyncio.sleep(0),
            clock=FixedClock(T0),
            max_sleep=0.02,
            retry_real=30.0,
            shutdown_grace=1.0,
            **options,
        )
