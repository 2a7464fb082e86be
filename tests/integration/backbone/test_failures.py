"""Nothing accepted is lost when a process or the broker dies."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from shared.topology import Topology
from tests.support.backbone import emit, recording_runtime, wait_for
from tests.support.events import sample
from tests.support.recording import CONSUMED, EFFECTS
from tests.support.servers import ROOT, die_with_parent, rabbit_stopped
from tests.support.services import queue_depths

pytestmark = pytest.mark.integration


def _messages_held() -> dict[str, int]:
    """Messages ready or delivered but not yet acknowledged, by queue."""
    out = subprocess.run(
        ["rabbitmqctl", "list_queues", "-q", "name", "messages_ready", "messages_unacknowledged"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    held: dict[str, int] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
            held[parts[0]] = int(parts[1]) + int(parts[2])
    return held


async def test_an_outbox_event_survives_the_death_of_its_writer(
    namespace: str, mongo_url: str
) -> None:
    consumer = recording_runtime("review", namespace, mongo_url)
    writer = recording_runtime("drafting", namespace, mongo_url)
    # The writer commits state + event, then dies before its relay runs (never started).
    event = sample("draft.submitted")
    await emit(writer, event)
    await writer.mongo.close()
    assert (
        await consumer.db.client[writer.settings.database]["outbox"].count_documents(
            {"status": "pending"}
        )
        == 1
    )
    replica = recording_runtime("drafting", namespace, mongo_url)
    async with contextlib.AsyncExitStack() as stack:
        for rt in (consumer, replica):
            await rt.start()
            stack.push_async_callback(rt.stop)

        async def delivered() -> bool:
            return await consumer.db[CONSUMED].count_documents({}) == 1

        await wait_for(delivered)
        assert await replica.db["outbox"].count_documents({"status": "sent"}) == 1


@pytest.mark.slow
async def test_events_written_while_the_broker_is_down_are_delivered_when_it_is_back(
    namespace: str, mongo_url: str
) -> None:
    consumer = recording_runtime("review", namespace, mongo_url)
    producer = recording_runtime("drafting", namespace, mongo_url)
    async with contextlib.AsyncExitStack() as stack:
        for rt in (consumer, producer):
            await rt.start()
            stack.push_async_callback(rt.stop)
        events = [sample("draft.submitted") for _ in range(5)]
        with rabbit_stopped():
            for event in events:
                await emit(producer, event)  # accepted: committed to Mongo

            async def relay_tried_them_all() -> bool:
                # the relay counts an attempt when it claims an event to publish it
                tried = {"status": "pending", "attempts": {"$gte": 1}}
                return await producer.db["outbox"].count_documents(tried) == 5

            await wait_for(relay_tried_them_all, timeout=30)  # tried while the broker is down
            assert await producer.db["outbox"].count_documents({"status": "pending"}) == 5

        async def delivered() -> bool:
            return await consumer.db[CONSUMED].count_documents({}) == 5

        await wait_for(delivered, timeout=90)
        assert await producer.db["outbox"].count_documents({"status": "pending"}) == 0


@pytest.mark.slow
async def test_kill_9_of_a_consumer_mid_batch_loses_nothing_and_duplicates_nothing(
    namespace: str, mongo_url: str
) -> None:
    total = 300
    producer = recording_runtime("feedback", namespace, mongo_url)
    observer = recording_runtime("reporting", namespace, mongo_url)  # not started: reads only
    # A transaction the killed process left open holds its locks for the server's 60 s
    # transaction lifetime: the retries must outlast it (as the production defaults do).
    env = {
        **os.environ,
        "CONTENTOPS_NAMESPACE": namespace,
        "MONGO_URL": mongo_url,
        "RETRY_DELAY_MS": "2000",
        "MAX_RETRIES": "60",
        "PYTHONUNBUFFERED": "1",
    }
    log = Path(tempfile.gettempdir()) / f"recorder-{namespace}log"

    def spawn() -> subprocess.Popen[bytes]:
        with open(log, "ab") as handle:
            return subprocess.Popen(
                [sys.executable, "-m", "tests.support.recorder", "reporting"],
                cwd=ROOT,
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
            )

    async def ready(count: int) -> None:
        async def logged() -> bool:
            return log.exists() and log.read_text().count("recorder ready") >= count

        await wait_for(logged, timeout=60)

    first = spawn()
    second: subprocess.Popen[bytes] | None = None
    try:
        async with contextlib.AsyncExitStack() as stack:
            await producer.start()
            stack.push_async_callback(producer.stop)
            await ready(1)  # its queue exists: nothing is published before it is bound
            events = [sample("feedback.received", f"k-{i}") for i in range(total)]
            for i in range(0, total, 50):
                await emit(producer, *events[i : i + 50])
            effects = observer.db[EFFECTS]

            async def some_consumed() -> bool:
                return await effects.count_documents({}) >= 40

            await wait_for(some_consumed, timeout=60, interval=0.02)
            first.send_signal(signal.SIGKILL)
            first.wait(10)
            done_at_kill = await effects.count_documents({})
            assert done_at_kill < total, "the kill must land mid-batch"
            second = spawn()

            async def all_consumed() -> bool:
                return await effects.count_documents({}) == total

            try:
                await wait_for(all_consumed, timeout=180, interval=0.2)
            except AssertionError:
                n = await effects.count_documents({})
                depth = await queue_depths(namespace, "reporting", "feedback.received")
                raise AssertionError(
                    f"{n} of {total} consumed (at kill: {done_at_kill}); queues: {depth}"
                ) from None
            # Any stray redelivery lands before counting: one event more, sent after all
            # of them, has been consumed, and the queue and its retry queue hold nothing,
            # neither waiting nor being handled.
            await emit(producer, sample("feedback.received", "k-last"))
            names = Topology(namespace=namespace).names("reporting", "feedback.received")

            async def strays_landed() -> bool:
                if await effects.count_documents({}) != total + 1:
                    return False
                held = await asyncio.to_thread(_messages_held)
                return held.get(names.main, 1) == held.get(names.retry, 1) == 0

            await wait_for(strays_landed, timeout=60, interval=0.2)
            counts = [doc["n"] async for doc in effects.find({}, {"n": 1})]
            assert len(counts) == total + 1
            assert set(counts) == {1}, "an event had a second effect"
            assert await observer.db[CONSUMED].count_documents({}) == total + 1
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    proc.wait(15)
                if proc.poll() is None:
                    proc.kill()
        await observer.mongo.close()
