"""Consume throughput of one service runtime against raw aio-pika and the store's own rate.

Every mode handles the same N events from a prefilled quorum queue, in this process, and
each run measures them all side by side (the harness discards a warm-up and prints the
median, min and max over the runs). Timers start at the first message handled:

* ``raw``: aio-pika consume+ack, the same prefetch (the baseline of ``no_store``);
* ``no_store``: a ``ServiceRuntime`` subscriber (FastStream, the consume middleware,
  validation) that stores nothing and acks; goal (#15) >= 0.6x raw;
* ``direct``: the same on :class:`shared.consume.DirectConsumer` (aio-pika, the same
  consume rules, coalesced acks), the consumer of the feedback service's hot path
  (``feedback.received``); the same goal;
* ``batched``: idempotency records written by
  :class:`bench.support.batched_inbox.BatchedInbox` (one unordered ``insert_many`` per
  batch, acks after the write); context, no goal;
* ``store_tx``: the store's own rate of one-document transactions (session, transaction,
  ``insert_one``, commit), with as many in flight as the service may have (the prefetch)
  and the same client settings (the baseline of ``transactional``);
* ``transactional``: the default path of every state-changing consumer, one transaction
  per event (``uow.run`` with its inbox record); goal (#15) >= 0.8x ``store_tx``.

It also prints the peak RSS of this process while it runs the service's runtime.

Usage: ``.venv/bin/python bench/consume.py [N]`` (default 4000; ``BENCH_QUICK=1``: 300,
one run). Uses RabbitMQ on 127.0.0.1:5672 and starts its own SecantusDB unless
``MONGO_URL`` is set. ``BENCH_PREFETCH`` sets the prefetch (default 1024).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support.batched_inbox import BatchedInbox  # noqa: E402
from bench.support.harness import Goal, note, pick, repeat_async, report  # noqa: E402
from bench.support.rss import own_peak_mb, reset_peak  # noqa: E402
from shared.consume import DirectConsumer  # noqa: E402
from shared.events import DraftSubmitted  # noqa: E402
from shared.logging import configure_logging  # noqa: E402
from shared.mongo import make_client  # noqa: E402
from shared.outbox import INBOX, Tx  # noqa: E402
from shared.runtime import ServiceRuntime  # noqa: E402
from shared.settings import ServiceSettings  # noqa: E402
from tests.support.events import sample  # noqa: E402
from tests.support.servers import RABBIT_URL, SecantusServer  # noqa: E402
from tests.support.services import delete_namespace, settings_kwargs  # noqa: E402

PREFETCH = int(os.environ.get("BENCH_PREFETCH", "1024"))
NO_STORE_GOAL = Goal(">=", 0.6, "x")
TX_GOAL = Goal(">=", 0.8, "x")
TIMEOUT = 600.0


async def prefill(
    queue_name: str, arguments: dict[str, Any], bodies: list[tuple[str, bytes]]
) -> None:
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.declare_queue(queue_name, durable=True, arguments=arguments)
        pending = []
        for message_id, body in bodies:
            pending.append(
                channel.default_exchange.publish(
                    aio_pika.Message(
                        body,
                        message_id=message_id,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        content_type="application/json",
                    ),
                    routing_key=queue_name,
                )
            )
            if len(pending) >= 500:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)


def bodies(n: int) -> list[tuple[str, bytes]]:
    out = []
    for i in range(n):
        event = sample("draft.submitted", f"b-{i}")
        out.append((str(event.event_id), event.model_dump_json().encode()))
    return out


async def raw_rate(n: int) -> float:
    """aio-pika consume+ack of ``n`` messages, per second from the first delivery."""
    name = f"bench-raw-{uuid.uuid4().hex[:8]}"
    await prefill(name, {"x-queue-type": "quorum"}, bodies(n))
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=PREFETCH)
        queue = await channel.get_queue(name)
        done = asyncio.Event()
        count = 0
        started = 0.0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal count, started
            if count == 0:
                started = time.perf_counter()
            await message.ack()
            count += 1
            if count == n:
                done.set()

        await queue.consume(on_message)
        await asyncio.wait_for(done.wait(), timeout=TIMEOUT)
        elapsed = time.perf_counter() - started
        await queue.delete(if_unused=False, if_empty=False)
    return n / elapsed


async def store_tx_rate(n: int, mongo_url: str) -> float:
    """The store's own one-document transactions, ``PREFETCH`` in flight, per second."""
    client = make_client(mongo_url, app_name="bench-store-tx")
    db = client[f"bench_tx_{uuid.uuid4().hex[:8]}"]
    coll = db[INBOX]
    await coll.insert_one({"_id": "create"})  # the collection exists, as the service's does
    slots = asyncio.Semaphore(PREFETCH)

    async def one(i: int) -> None:
        async with slots, client.start_session() as session:
            await session.start_transaction()
            await coll.insert_one({"_id": f"bench:{i}", "at": datetime.now(UTC)}, session=session)
            await session.commit_transaction()

    try:
        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*(one(i) for i in range(n))), timeout=TIMEOUT)
        elapsed = time.perf_counter() - started
        stored = await coll.count_documents({}) - 1
        if stored != n:
            raise RuntimeError(f"{stored} documents committed for {n} transactions")
    finally:
        await client.drop_database(db.name)
        await client.close()
    return n / elapsed


async def drop_database(mongo_url: str, name: str) -> None:
    client = make_client(mongo_url, app_name="bench-cleanup")
    try:
        await client.drop_database(name)
    finally:
        await client.close()


async def service_rate(n: int, mongo_url: str, mode: str) -> tuple[float, float]:
    """Events per second of a runtime subscriber in ``mode``, and the peak RSS (MB)."""
    namespace = f"bench{uuid.uuid4().hex[:8]}."
    settings = ServiceSettings(
        service_name="review",
        **settings_kwargs(namespace, mongo_url, prefetch=PREFETCH, max_retries=24),
    )
    runtime = ServiceRuntime(settings)
    inbox = BatchedInbox(
        runtime.db["inbox_batched"],
        max_size=int(os.environ.get("BENCH_BATCH", "500")),
        max_inflight=2,
    )
    processed = 0
    done = asyncio.Event()
    started = 0.0

    async def nothing(_: Tx) -> None:
        return None

    def begin() -> None:
        nonlocal started
        if started == 0.0:  # the timer starts at the first message handled
            started = time.perf_counter()

    def handled() -> None:
        nonlocal processed
        processed += 1
        if processed == n:
            done.set()

    if mode == "direct":
        # the feedback service's hot path: shared.consume.DirectConsumer, same rules
        async def validate(body: bytes) -> None:
            begin()
            DraftSubmitted.model_validate_json(body)
            handled()

        direct = DirectConsumer(
            runtime.policy,
            url=settings.rabbit_url,
            event="draft.submitted",
            handle=validate,
            prefetch=PREFETCH,
            grace=settings.shutdown_grace_seconds,
            registry=runtime.registry,
        )
        runtime.job("direct-consumer", direct.run)
    else:

        @runtime.subscriber("draft.submitted")
        async def on_draft_submitted(body: DraftSubmitted) -> None:
            begin()
            if mode == "transactional":
                await runtime.uow.run(nothing, consumed=("bench", str(body.event_id)))
            elif mode == "batched":
                await inbox.record(str(body.event_id))
            handled()

    queue = runtime.topology.queue("review", "draft.submitted")
    await prefill(queue.name, {"x-queue-type": "quorum", **(queue.arguments or {})}, bodies(n))
    reset_peak()
    try:
        await runtime.start()
        await asyncio.wait_for(done.wait(), timeout=TIMEOUT)
        elapsed = time.perf_counter() - started
        await asyncio.sleep(0.5)  # let the last acks go out before counting
        if mode not in ("no_store", "direct"):
            coll = INBOX if mode == "transactional" else "inbox_batched"
            stored = await runtime.db[coll].count_documents({})
            if stored != n:
                raise RuntimeError(f"{stored} idempotency records for {n} events")
        peak = own_peak_mb()
    finally:
        await runtime.stop()
        await drop_database(mongo_url, settings.database)
        await delete_namespace(namespace)
    return n / elapsed, peak


async def one_run(n: int, mongo_url: str) -> dict[str, float]:
    raw = await raw_rate(n)
    no_store, peak_a = await service_rate(n, mongo_url, "no_store")
    direct, peak_d = await service_rate(n, mongo_url, "direct")
    batched, peak_b = await service_rate(n, mongo_url, "batched")
    store_tx = await store_tx_rate(n, mongo_url)
    transactional, peak_c = await service_rate(n, mongo_url, "transactional")
    return {
        "raw": raw,
        "no_store": no_store,
        "direct": direct,
        "batched": batched,
        "store_tx": store_tx,
        "transactional": transactional,
        "no_store_vs_raw": no_store / raw,
        "direct_vs_raw": direct / raw,
        "batched_vs_raw": batched / raw,
        "tx_vs_store_tx": transactional / store_tx,
        "peak_mb": max(peak_a, peak_b, peak_c, peak_d),
    }


async def main() -> None:
    logging.disable(logging.WARNING)
    configure_logging("bench", level="WARNING")  # as a service runs: JSON, no debug lines
    n = int(sys.argv[1]) if len(sys.argv) > 1 else pick(4000, 300)
    server: SecantusServer | None = None
    mongo_url = os.environ.get("MONGO_URL")
    if not mongo_url:
        server = SecantusServer()
        server.start()
        mongo_url = server.url
    note(f"{n:,} events in every mode, prefetch {PREFETCH} (msg/s)")
    try:
        figures = await repeat_async(
            lambda: one_run(n, mongo_url), warmup=lambda: one_run(min(n, 200), mongo_url)
        )
    finally:
        if server is not None:
            server.cleanup()
    for name, label in (
        ("raw", "raw aio-pika consume+ack"),
        ("store_tx", "store's own one-document transactions"),
        ("batched", "service, batched idempotency records"),
    ):
        report(f"consume.{name}", figures[name], unit=" msg/s", label=label)
    report(
        "consume.no_store_vs_raw",
        figures["no_store_vs_raw"],
        NO_STORE_GOAL,
        label=f"service validate+ack, no store: {figures['no_store'].describe(' msg/s')}; ratio",
    )
    report(
        "consume.direct_vs_raw",
        figures["direct_vs_raw"],
        NO_STORE_GOAL,
        label=(
            "feedback.received's direct consumer (aio-pika, the same consume rules) "
            f"validate+ack, no store: {figures['direct'].describe(' msg/s')}; ratio"
        ),
    )
    report(
        "consume.tx_vs_store_tx",
        figures["tx_vs_store_tx"],
        TX_GOAL,
        label=(
            f"service, one transaction per event: {figures['transactional'].describe(' msg/s')}"
            "; ratio to the store's own"
        ),
    )
    report(
        "consume.peak_rss",
        figures["peak_mb"].high,
        unit="MB",
        label="peak RSS of this process while it ran the service runtime (highest)",
    )


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.install()  # as the services run (uvicorn loop="uvloop")
    except ImportError:
        pass
    asyncio.run(main())
