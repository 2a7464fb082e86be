"""Benchmark: a 100k-event burst into the feedback service running as its own process.

Run: ``.venv/bin/python bench/burst.py [N]`` (default 100,000 events; ``BENCH_QUICK=1``:
2,000, one run). Starts its own SecantusDB and uses a unique namespace on the running
RabbitMQ. Each run (after a discarded warm-up of 5,000 events, 500 in the quick mode;
median, min and max over the runs):

1. starts ``python -m services.feedback`` (production settings: prefetch, batch sizes)
   until it answers ``/ready``, so that it declares its queues, and stops it;
2. fills its ``feedback.received`` queue with N persistent events, as a burst from
   other systems would while the service is down or busy;
3. starts the service again; the timer runs from the first delivery (the queue's ready
   count drops below N: the service consumes before its HTTP port answers) to N stored
   (its ``/metrics`` counter); then the count is checked in the database;
4. reads the service process's peak RSS (``VmHWM`` of ``/proc/<pid>/status``) before it
   is stopped, and its peak when the burst began (start-up).

Goal (#15): the service stays under 300 MB RSS; the highest run is judged. Its rate
(events per second) is printed as context; ``bench/ingest.py`` is the throughput bench.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aio_pika
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.ingest import event  # noqa: E402
from bench.support.harness import Goal, note, pick, repeat_async, report  # noqa: E402
from bench.support.progress import scrape_total, time_window  # noqa: E402
from bench.support.rss import peak_of  # noqa: E402
from services.feedback.repository.indexes import ITEMS  # noqa: E402
from services.feedback.settings import FeedbackSettings  # noqa: E402
from shared.logging import configure_logging  # noqa: E402
from shared.mongo import make_client  # noqa: E402
from shared.topology import Topology  # noqa: E402
from tests.support.backbone import wait_for  # noqa: E402
from tests.support.servers import RABBIT_URL, SecantusServer, free_port  # noqa: E402
from tests.support.services import (  # noqa: E402
    delete_namespace,
    make_settings,
    new_namespace,
    service_env,
    spawn_service,
)

GOAL = Goal("<", 300, "MB")
STORED = "feedback_items_total"
CHUNK = 1_000


async def answers(http: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await http.get(url, timeout=2)).status_code == 200
    except httpx.HTTPError:
        return False


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


async def fill_queue(namespace: str, n: int) -> None:
    """Publish ``n`` distinct ``feedback.received`` events, confirmed, in chunks."""
    run = uuid.uuid4().hex[:6]
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(namespace=namespace).exchange.name)
        for start in range(0, n, CHUNK):
            chunk = [event(i, run) for i in range(start, min(n, start + CHUNK))]
            await asyncio.gather(
                *(
                    exchange.publish(
                        aio_pika.Message(
                            e.model_dump_json().encode(),
                            message_id=str(e.event_id),
                            content_type="application/json",
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        ),
                        routing_key=e.EVENT_TYPE,
                        mandatory=True,
                    )
                    for e in chunk
                )
            )


@contextlib.asynccontextmanager
async def queue_depth(namespace: str) -> AsyncIterator[Callable[[], Awaitable[int]]]:
    """Reads the ready messages of the feedback service's ``feedback.received`` queue."""
    name = Topology(namespace=namespace).names("feedback", "feedback.received").main
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel()

        async def ready() -> int:
            queue = await channel.declare_queue(name, passive=True)
            return int(queue.declaration_result.message_count or 0)

        yield ready


async def one_run(mongo_url: str, n: int) -> dict[str, float]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-burst-"))
    try:
        figures = await _burst(mongo_url, n, workdir)
    except BaseException:
        note(f"  burst failed; the service's log is kept in {workdir}")
        raise
    shutil.rmtree(workdir, ignore_errors=True)
    return figures


async def _burst(mongo_url: str, n: int, workdir: Path) -> dict[str, float]:
    namespace = new_namespace()
    env = service_env(namespace, mongo_url, LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    database = make_settings(FeedbackSettings, namespace, mongo_url).database
    async with contextlib.AsyncExitStack() as stack, httpx.AsyncClient() as http:
        stack.push_async_callback(delete_namespace, namespace)
        stack.push_async_callback(_drop, mongo_url, database)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        ready = functools.partial(answers, http, f"{base}/ready")

        first = spawn_service("feedback", env, workdir / "feedback-declare.log", port)
        try:
            await wait_for(ready, timeout=120, interval=0.2)
        finally:
            stop(first)
        started = time.perf_counter()
        await fill_queue(namespace, n)
        fill_s = time.perf_counter() - started
        note(f"  queue declared by the service and filled with {n:,} events ({fill_s:.1f} s)")

        proc = spawn_service("feedback", env, workdir / "feedback.log", port)
        stack.callback(stop, proc)
        metrics = f"{base}/metrics"
        at_start: list[float] = []
        depth = await stack.enter_async_context(queue_depth(namespace))

        def alive() -> None:
            if proc.poll() is not None:
                raise RuntimeError(f"the feedback service exited with {proc.returncode}")

        async def begun() -> bool:  # the broker's view: /metrics may not answer yet
            alive()
            if await depth() < n:
                at_start.append(peak_of(proc.pid) or float("nan"))
                return True
            return False

        async def done() -> bool:
            alive()
            stored = await scrape_total(http, metrics, STORED, via="amqp", outcome="stored")
            return stored >= n

        first_at, last_at = await time_window(
            begun=begun, done=done, timeout=120 + n / 20, interval=0.1
        )
        peak = peak_of(proc.pid)
        if peak is None:
            raise RuntimeError("the service's peak RSS could not be read (/proc)")
        client = make_client(mongo_url, app_name="bench-burst")
        try:
            stored = await client[database][ITEMS].count_documents({})
        finally:
            await client.close()
        if stored != n:
            raise RuntimeError(f"{stored} documents stored for {n} events")
    return {
        "peak_mb": peak,
        "startup_peak_mb": at_start[0],
        "events_per_s": n / (last_at - first_at),
        "fill_s": fill_s,
    }


async def _drop(mongo_url: str, database: str) -> None:
    client = make_client(mongo_url, app_name="bench-cleanup")
    try:
        await client.drop_database(database)
    finally:
        await client.close()


async def main(argv: list[str]) -> None:
    configure_logging("bench", level="WARNING", fmt="console")
    n = int(argv[0]) if argv else pick(100_000, 2_000)
    server = SecantusServer()
    server.start()
    note(f"a burst of {n:,} feedback.received events into the feedback service's process")
    try:
        figures = await repeat_async(
            lambda: one_run(server.url, n),
            warmup=lambda: one_run(server.url, min(n, pick(5_000, 500))),
        )
    finally:
        server.cleanup()
    report("burst.fill_queue", figures["fill_s"], unit="s", label="queue filled in")
    report("burst.rate", figures["events_per_s"], unit=" events/s", label="burst drained at")
    report(
        "burst.startup_peak_rss",
        figures["startup_peak_mb"],
        unit="MB",
        label="service's peak RSS when the burst began",
    )
    note(f"  service's peak RSS during the burst: {figures['peak_mb'].describe('MB')}")
    report(
        "burst.feedback_peak_rss",
        figures["peak_mb"].high,
        GOAL,
        label="the highest run's peak RSS (judged)",
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
