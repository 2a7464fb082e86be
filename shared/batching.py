"""A bounded buffer that writes items in batches and tells each caller its own result.

Used by high-volume subscribers (e.g. ``feedback.received``): each message handler
submits its item and **awaits** the result, so the message is acked only after the batch holding it
was written (the consume middleware acks when the handler returns, and retries or
dead-letters it when the handler raises).

A batch is cut when a writer is free and the buffer holds ``max_size`` items, or its
oldest item has waited ``max_wait``. While every writer is busy the buffer keeps
filling, so under load batches grow to ``max_size`` by themselves and under light load
an item waits at most ``max_wait`` (plus a write in progress). At most ``max_inflight``
batches are written at once.

For a batch to fill, at least ``max_size`` messages must be unacked at once: the
subscriber's prefetch must be ``>= max_size`` (the caller checks it); a
prefetch of ``max_size * (max_inflight + 1)`` keeps the writers busy while a batch fills.

Writes run on their own tasks (not the runtime's job tasks), so when the service stops
and the broker waits for in-flight handlers, their batches still get written.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

__all__ = ["BatchWriter"]

T = TypeVar("T")
R = TypeVar("R")


class BatchWriter(Generic[T, R]):
    """Collects items and writes them with ``write`` in batches cut by size or by time."""

    def __init__(
        self,
        write: Callable[[list[T]], Awaitable[Sequence[R]]],
        *,
        max_size: int,
        max_wait: float,
        max_inflight: int = 2,
        observe: Callable[[int, float], None] | None = None,
    ) -> None:
        if max_size < 1 or max_wait <= 0 or max_inflight < 1:
            raise ValueError("max_size, max_wait and max_inflight must be positive")
        self._write = write
        self._max_size = max_size
        self._max_wait = max_wait
        self._max_inflight = max_inflight
        self._observe = observe
        self._buffer: list[tuple[T, asyncio.Future[R]]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._overdue = False  # the oldest buffered item has waited max_wait
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def pending(self) -> int:
        """Items waiting in the buffer (not yet handed to a write)."""
        return len(self._buffer)

    async def submit(self, item: T) -> R:
        """Add ``item`` and wait until its batch is written; returns its result or raises."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._buffer.append((item, future))
        if len(self._buffer) == 1 and not self._overdue:
            self._timer = loop.call_later(self._max_wait, self._on_timer)
        self._maybe_cut()
        return await future

    def _on_timer(self) -> None:
        self._timer = None
        self._overdue = True
        self._maybe_cut()

    def _maybe_cut(self) -> None:
        while (
            self._buffer
            and len(self._tasks) < self._max_inflight
            and (self._overdue or len(self._buffer) >= self._max_size)
        ):
            self._cut()

    def _cut(self) -> None:
        batch, self._buffer = self._buffer[: self._max_size], self._buffer[self._max_size :]
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        # Whatever stays behind was buffered while writers were busy: it goes next.
        self._overdue = bool(self._buffer) and self._overdue
        if self._buffer and not self._overdue:
            self._timer = asyncio.get_running_loop().call_later(self._max_wait, self._on_timer)
        task = asyncio.get_running_loop().create_task(self._flush(batch), name="batch-write")
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._maybe_cut()

    async def _flush(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        started = time.perf_counter()
        try:
            results = await self._write([item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"write returned {len(results)} results for {len(batch)}")
        except Exception as exc:
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        finally:
            if self._observe is not None:
                self._observe(len(batch), time.perf_counter() - started)
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def drain(self) -> None:
        """Write everything buffered now and wait for every batch in flight."""
        self._overdue = True
        while self._buffer or self._tasks:
            self._maybe_cut()
            if self._tasks:
                await asyncio.gather(*list(self._tasks), return_exceptions=True)
