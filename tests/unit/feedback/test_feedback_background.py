"""Background loops stop when asked, even when a library swallowed the cancellation."""

from __future__ import annotations

import asyncio
import contextlib

from services.feedback.background import every, until_cancelled


async def test_a_loop_that_swallows_its_cancellation_still_stops() -> None:
    turns = 0

    async def stubborn(stop: asyncio.Event) -> None:
        nonlocal turns
        while not stop.is_set():
            turns += 1
            # as asyncio.wait_for on Python 3.11 may do, deep in a library:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(0.01)

    task = asyncio.create_task(until_cancelled(stubborn))
    while turns < 2:
        await asyncio.sleep(0.01)
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=5)
    assert task in done
    assert task.cancelled()


async def test_a_periodic_step_runs_until_stopped() -> None:
    stop = asyncio.Event()
    runs = 0

    async def step() -> None:
        nonlocal runs
        runs += 1
        if runs == 3:
            stop.set()

    await asyncio.wait_for(every(0.001, step, stop), timeout=5)
    assert runs == 3
