"""Benchmark: ``feedback.received`` events per second from the broker to stored documents.

Run: ``.venv/bin/python bench/ingest.py [--events N] [--batch B]`` (default 10,000 events,
batches of 200; ``BENCH_QUICK=1``: 1,000 events, one run). Starts its own SecantusDB and
uses a unique namespace on the running RabbitMQ. Each run (after a discarded warm-up of
1,000 events; median, min and max over the runs) handles the same N events in every mode:

1. ``store``: the store's own rate, ``insert_many(ordered=False)`` of the same documents
   the service stores, in batches of B, into a fresh collection with the same indexes,
   one writer back to back (the baseline); ``store_2w``, two writers at once, is context
   (the service keeps up to ``FEEDBACK_INGEST_MAX_INFLIGHT_BATCHES`` = 2 batches in
   flight);
2. ``service``: the service's queue is filled with N persistent events (consumer
   stopped), one feedback runtime is started in this process (with uvloop, as in
   production), and the timer runs from its first received message (FastStream's
   counter) to its metrics counting N stored items, so start-up is not timed; the count
   is then checked in the database.

Goal (#15): service / store >= 0.9. Also prints the peak RSS of this process while it
runs the feedback runtime (``bench/burst.py`` measures the service as its own process
under a 100k-event burst).

Where the time went, on the 2-core machine: before #15 the FastStream consume path
(decode, validation, middlewares, one ack frame per message) cost the feedback process
about 0.42 ms per event with no writes at all, close to what the store needs per
inserted document (~0.35-0.4 ms). ``feedback.received`` is now consumed by
:class:`shared.consume.DirectConsumer` (one ``model_validate_json``, acks coalesced per
batch), and what remains per event is mostly the item's annotation
(``services.feedback.analysis``: sentiment, ads, asks), the AMQP frame parsing and the
BSON encoding; with the broker, the store and the service on the same two cores, their
CPU adds up. The progress probes read only their own counters (collecting the whole
registry every 5 ms cost the service ~10% of its CPU).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aio_pika

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.support.harness import Goal, note, pick, repeat_async, report  # noqa: E402
from bench.support.progress import family_total, window_around  # noqa: E402
from bench.support.rss import own_peak_mb, reset_peak  # noqa: E402
from services.feedback.bootstrap import build_service  # noqa: E402
from services.feedback.domain.item import Incoming  # noqa: E402
from services.feedback.repository.indexes import INDEXES, ITEMS  # noqa: E402
from services.feedback.repository.shapes import item_document  # noqa: E402
from services.feedback.settings import FeedbackSettings  # noqa: E402
from services.feedback.usecases.storing import Prepared, prepare  # noqa: E402
from shared.events import (  # noqa: E402
    FeedbackKind,
    FeedbackReceived,
    FeedbackReceivedPayload,
)
from shared.logging import configure_logging  # noqa: E402
from shared.mongo import ensure_indexes, make_client  # noqa: E402
from shared.topology import Topology  # noqa: E402
from tests.support.servers import RABBIT_URL, SecantusServer  # noqa: E402
from tests.support.services import delete_namespace, new_namespace, settings_kwargs  # noqa: E402

GOAL = Goal(">=", 0.9, "x")
STORED = "feedback_items_total"  # FeedbackMetrics.items, by door and outcome
# feedback.received is consumed by shared.consume.DirectConsumer, which counts arrivals
RECEIVED = "contentops_direct_received_messages_total"
TEXTS = [
    "请问社保基数怎么调整？",
    "写得很好，学到了很多[强]",
    "你们客服太慢了，一直没人回复，太失望了[发怒]",
    "个税汇算清缴什么时候截止？",
    "发票抬头开错了还能报销么",
    "谢谢分享，很实用👍",
]
START = datetime.now(UTC).replace(microsecond=0)


def event(i: int, run: str) -> FeedbackReceived:
    """The ``i``-th event of ``run``: comments and messages, every 50th a reply."""
    at = START + timedelta(seconds=i)
    if i % 50 == 49:
        payload = FeedbackReceivedPayload(
            source="bench",
            source_id=f"{run}-{i}",
            kind=FeedbackKind.REPLY,
            post_id=f"post-{run}",
            author="运营小王",
            text="您好，已为您处理。",
            received_at=at,
            in_reply_to=f"bench:{run}-{i - 1}",
        )
    else:
        payload = FeedbackReceivedPayload(
            source="bench",
            source_id=f"{run}-{i}",
            kind=FeedbackKind.MESSAGE if i % 3 == 0 else FeedbackKind.COMMENT,
            post_id=f"post-{run}",
            author=f"user-{i % 997}",
            text=f"{TEXTS[i % len(TEXTS)]}（{i}）",
            received_at=at,
        )
    return FeedbackReceived(
        producer="crm", correlation_id=f"post-{run}", occurred_at=at, payload=payload
    )


def events(n: int, run: str) -> list[FeedbackReceived]:
    """``n`` distinct events of ``run``."""
    return [event(i, run) for i in range(n)]


def settings_for(namespace: str, mongo_url: str, batch: int) -> FeedbackSettings:
    return FeedbackSettings(
        **settings_kwargs(namespace, mongo_url),
        ingest_batch_size=batch,
        prefetch=batch * 3,
        enquiry_sweep_seconds=3600,
        job_poll_seconds=5,
    )


async def store_rate(
    mongo_url: str, settings: FeedbackSettings, evs: list[FeedbackReceived], writers: int
) -> float:
    """Documents per second of the store's own ``insert_many``, batches of the same size."""
    service = build_service(settings)
    deps = service.deps
    placed = await prepare([Incoming(e.payload, str(e.event_id), "amqp") for e in evs], deps)
    docs = [item_document(p.item) for p in placed if isinstance(p, Prepared)]
    if len(docs) != len(evs):
        raise SystemExit("bench: the feedback service refused some of the bench's items")
    await service.runtime.mongo.close()
    client = make_client(mongo_url, app_name="bench-raw")
    db = client[f"bench_raw_{uuid.uuid4().hex[:8]}"]
    try:
        await ensure_indexes(db, [spec for spec in INDEXES if spec.collection == ITEMS])
        coll = db[ITEMS]
        size = settings.ingest_batch_size
        batches = [docs[i : i + size] for i in range(0, len(docs), size)]

        async def writer(mine: list[list[dict[str, object]]]) -> None:
            for batch in mine:
                await coll.insert_many(batch, ordered=False)

        started = time.perf_counter()
        await asyncio.gather(*(writer(batches[w::writers]) for w in range(writers)))
        elapsed = time.perf_counter() - started
        stored = await coll.count_documents({})
        if stored != len(docs):
            raise RuntimeError(f"{stored} documents stored for {len(docs)} inserted")
        return len(docs) / elapsed
    finally:
        await client.drop_database(db.name)
        await client.close()


async def fill_queue(namespace: str, evs: list[FeedbackReceived]) -> None:
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(namespace=namespace).exchange.name)
        for chunk in range(0, len(evs), 500):
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
                    for e in evs[chunk : chunk + 500]
                )
            )


async def service_rate(
    settings: FeedbackSettings, evs: list[FeedbackReceived]
) -> tuple[float, float]:
    """Events per second from the queue to stored documents, one feedback runtime in this
    process, and this process's peak RSS (MB) meanwhile."""
    declare = build_service(settings)
    await declare.runtime.start()  # declares the queues and indexes
    await declare.runtime.stop()
    await fill_queue(settings.namespace, evs)

    service = build_service(settings)
    runtime = service.runtime

    # The probes run in the service's process every 5 ms: each reads its one counter
    # (collecting the whole registry cost the service ~10% of its CPU in the window).
    received = runtime.registry.restricted_registry([RECEIVED])
    stored_items = runtime.registry.restricted_registry([STORED])

    async def begun() -> bool:
        return family_total(received.collect(), RECEIVED) > 0

    async def done() -> bool:
        stored = family_total(stored_items.collect(), STORED, via="amqp", outcome="stored")
        return stored >= len(evs)

    reset_peak()
    try:
        started, finished = await window_around(runtime.start, begun=begun, done=done, timeout=600)
        peak = own_peak_mb()
        stored = await service.runtime.db[ITEMS].count_documents({})
        if stored != len(evs):
            raise RuntimeError(f"{stored} documents stored for {len(evs)} events")
    finally:
        await runtime.stop()
        with contextlib.suppress(Exception):
            client = make_client(settings.mongo_url, app_name="bench-cleanup")
            await client.drop_database(settings.database)
            await client.close()
    return len(evs) / (finished - started), peak


async def one_run(mongo_url: str, n: int, batch: int) -> dict[str, float]:
    namespace = new_namespace()
    try:
        settings = settings_for(namespace, mongo_url, batch)
        evs = events(n, uuid.uuid4().hex[:6])
        one = await store_rate(mongo_url, settings, evs, writers=1)
        two = await store_rate(mongo_url, settings, evs, writers=2)
        svc, peak = await service_rate(settings, evs)
    finally:
        await delete_namespace(namespace)
    return {
        "store": one,
        "store_2w": two,
        "service": svc,
        "ratio": svc / one,
        "ratio_2w": svc / two,
        "peak_mb": peak,
    }


async def main(n: int, batch: int) -> int:
    configure_logging("bench-ingest", level="WARNING", fmt="console")
    server = SecantusServer()
    server.start()
    note(f"{n:,} events in every mode, batches of {batch} (docs or events per second)")
    try:
        figures = await repeat_async(
            lambda: one_run(server.url, n, batch),
            warmup=lambda: one_run(server.url, min(n, pick(1_000, 200)), batch),
        )
    finally:
        server.cleanup()
    report("ingest.store", figures["store"], unit=" docs/s", label="store's own insert_many")
    report("ingest.store_2w", figures["store_2w"], unit=" docs/s", label="... with 2 writers")
    report("ingest.service", figures["service"], unit=" events/s", label="feedback, broker->stored")
    report("ingest.service_vs_store", figures["ratio"], GOAL, label="ratio service / store")
    report("ingest.service_vs_store_2w", figures["ratio_2w"], unit="x", label="... / 2 writers")
    report(
        "ingest.peak_rss",
        figures["peak_mb"].high,
        unit="MB",
        label="peak RSS of this process while it ran the feedback runtime (highest)",
    )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=pick(10_000, 1_000))
    parser.add_argument("--batch", type=int, default=200)
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is absent on Windows
        sys.exit(asyncio.run(main(args.events, args.batch)))
    sys.exit(uvloop.run(main(args.events, args.batch)))
