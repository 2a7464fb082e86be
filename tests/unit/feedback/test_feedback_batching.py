"""The batch writer: batches cut by size or time, each caller told its own result."""

from __future__ import annotations

import asyncio

import pytest

from shared.batching import BatchWriter


class FakeStore:
    """Records each write; can be held (to look busy) or made to fail."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.gate = asyncio.Event()
        self.gate.set()
        self.failure: Exception | None = None
        self.active = 0
        self.most_active = 0

    async def write(self, items: list[int]) -> list[str]:
        self.active += 1
        self.most_active = max(self.most_active, self.active)
        try:
            self.batches.append(list(items))
            await self.gate.wait()
            if self.failure is not None:
                raise self.failure
            return [f"stored {i}" for i in items]
        finally:
            self.active -= 1


async def _until(condition: object, *, timeout: float = 2.0) -> None:
    async def loop() -> None:
        while not condition():  # type: ignore[operator]
            await asyncio.sleep(0)

    await asyncio.wait_for(loop(), timeout)


async def test_a_full_batch_is_written_at_once_and_each_caller_gets_its_result() -> None:
    store = FakeStore()
    writer = BatchWriter(store.write, max_size=4, max_wait=60)
    results = await asyncio.gather(*(writer.submit(i) for i in range(4)))
    assert results == ["stored 0", "stored 1", "stored 2", "stored 3"]
    assert store.batches == [[0, 1, 2, 3]]


async def test_a_partial_batch_is_written_after_the_wait() -> None:
    store = FakeStore()
    writer = BatchWriter(store.write, max_size=100, max_wait=0.01)
    results = await asyncio.gather(writer.submit(1), writer.submit(2))
    assert list(results) == ["stored 1", "stored 2"]
    assert store.batches == [[1, 2]]


async def test_a_caller_waits_until_its_batch_is_written() -> None:
    store = FakeStore()
    store.gate.clear()
    writer = BatchWriter(store.write, max_size=2, max_wait=60)
    pending = asyncio.gather(writer.submit(1), writer.submit(2))
    await _until(lambda: store.batches)
    assert not pending.done()  # written to, not yet acknowledged by, the store
    store.gate.set()
    assert list(await pending) == ["stored 1", "stored 2"]


async def test_a_failed_write_fails_every_caller_of_that_batch_only() -> None:
    store = FakeStore()
    writer = BatchWriter(store.write, max_size=2, max_wait=60)
    store.failure = ConnectionError("store away")
    failed = await asyncio.gather(writer.submit(1), writer.submit(2), return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in failed)
    store.failure = None
    assert list(await asyncio.gather(writer.submit(3), writer.submit(4))) == [
        "stored 3",
        "stored 4",
    ]


async def test_while_the_writers_are_busy_the_next_batch_keeps_filling() -> None:
    store = FakeStore()
    store.gate.clear()
    writer = BatchWriter(store.write, max_size=100, max_wait=0.001, max_inflight=1)
    first = asyncio.ensure_future(writer.submit(0))
    await _until(lambda: store.batches)
    rest = [asyncio.ensure_future(writer.submit(i)) for i in range(1, 31)]
    await asyncio.sleep(0.01)  # well past max_wait: the batch still waits for the writer
    assert len(store.batches) == 1
    store.gate.set()
    await asyncio.gather(first, *rest)
    assert store.batches == [[0], list(range(1, 31))]


async def test_no_more_batches_are_written_at_once_than_allowed() -> None:
    store = FakeStore()
    store.gate.clear()
    writer = BatchWriter(store.write, max_size=2, max_wait=60, max_inflight=2)
    calls = [asyncio.ensure_future(writer.submit(i)) for i in range(10)]
    await _until(lambda: len(store.batches) == 2)
    assert writer.pending == 6
    store.gate.set()
    await asyncio.gather(*calls)
    assert store.most_active == 2
    assert sorted(i for batch in store.batches for i in batch) == list(range(10))


async def test_drain_writes_what_is_buffered() -> None:
    store = FakeStore()
    writer = BatchWriter(store.write, max_size=100, max_wait=60)
    call = asyncio.ensure_future(writer.submit(7))
    await asyncio.sleep(0)
    await writer.drain()
    assert await call == "stored 7"


def test_nonsense_limits_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        BatchWriter(FakeStore().write, max_size=0, max_wait=1)
