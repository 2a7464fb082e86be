"""Background loops that stop when the service stops, even if a cancellation got lost.

The runtime stops a job by cancelling its task once. On Python 3.11 a cancellation can
be swallowed on its way through a library (``asyncio.wait_for`` returns the result of
an inner future that finished at the same moment, gh-86296; PyMongo's I/O uses such
calls): the loop then goes on, and the runtime's shutdown waits for it forever. So each
loop here also watches its task's pending cancellation requests and stops at its next
turn when one is pending, then re-raises the cancellation.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from services.feedback.deps import FeedbackDeps
from shared.jobs import Claim, run_due_jobs

__all__ = ["every", "run_jobs", "until_cancelled"]

_WATCH_SECONDS = 0.2


async def until_cancelled(run: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run ``run(stop)``; ``stop`` is set once this task has been asked to cancel."""
    task = asyncio.current_task()
    assert task is not None
    stop = asyncio.Event()

    async def watch() -> None:
        # Polled: nothing signals a cancellation request that a library swallowed.
        while not task.cancelling():  # noqa: ASYNC110
            await asyncio.sleep(_WATCH_SECONDS)
        stop.set()

    watcher = asyncio.create_task(watch(), name=f"{task.get_name()}:watch")
    try:
        await run(stop)
    finally:
        watcher.cancel()  # not awaited: an await here could swallow our own cancellation
    if stop.is_set():
        raise asyncio.CancelledError


async def every(seconds: float, step: Callable[[], Awaitable[object]], stop: asyncio.Event) -> None:
    """Run ``step`` every ``seconds`` until ``stop`` is set (errors are the step's to log)."""
    while not stop.is_set():
        await step()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=seconds)


async def run_jobs(
    deps: FeedbackDeps,
    kind: str,
    handler: Callable[[Claim], Awaitable[object]],
    *,
    retry_seconds: float,
) -> None:
    """Claim due jobs of ``kind`` and run ``handler`` on each until the service stops; a
    job whose handler raised is due again after ``retry_seconds`` of real time."""

    async def handle(claim: Claim) -> None:
        await handler(claim)

    async def run(stop: asyncio.Event) -> None:
        await run_due_jobs(
            deps.jobs,
            kind,
            handle,
            clock=deps.clock,
            poll_seconds=deps.settings.job_poll_seconds,
            retry_in=deps.real_to_business(retry_seconds),
            stop=stop,
        )

    await until_cancelled(run)
