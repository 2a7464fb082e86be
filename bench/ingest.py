"""Benchmark: ``feedback.received`` events per second from the broker to stored documents.

Run: ``.venv/bin/python bench/ingest.py [--events N] [--batch B] [--runs R]``. Starts its
own SecantusDB and uses a unique namespace on the running RabbitMQ. For each run it:

1. measures the store's own rate: ``insert_many(ordered=False)`` of the same documents
   the service stores, in batches of B, into a fresh collection with the same indexes,
   one writer back to back (and, for context, two writers at once: the service keeps up
   to ``FEEDBACK_INGEST_MAX_INFLIGHT_BATCHES`` = 2 batches in flight);
2. fills the service's queue with N persistent events (the consumer stopped), starts one
   feedback process (the runtime in-process, with uvloop as in production), and times
   from the start until its metrics count N stored items; the count is then checked in
   the database.

It prints both rates and their ratio (target >= 0.8 against the one-writer rate) and a
verdict; ``--strict`` makes a result below the target exit 1.

Where the time goes, measured on the 2-core machine this was written on: the FastStream
consume path (decode, validation, middlewares, ack) costs the feedback process about
0.42 ms per event with no writes at all (~2,200-2,400 events/s), close to what the store
needs per inserted document (~0.35-0.4 ms); with the broker, the store and the service
on the same two cores, their CPU adds up, so the end-to-end rate lands at about half of
the store's own rate there. On separate cores the two overlap (the batches are
pipelined: up to two written while the next fills).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aio_pika

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.feedback.bootstrap import build_service  # noqa: E402
from services.feedback.domain.item import Incoming  # noqa: E402
from services.feedback.repository.indexes import INDEXES, ITEMS  # noqa: E402
from services.feedback.repository.shapes import item_document  # noqa: E402
from services.feedback.settings import FeedbackSettings  # noqa: E402
from services.feedback.usecases.storing import prepare  # noqa: E402
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

TARGET = 0.8
TEXTS = [
    "请问社保基数怎么调整？",
    "写得很好，学到了很多[强]",
    "你们客服太慢了，一直没人回复，太失望了[发怒]",
    "个税汇算清缴什么时候截止？",
    "发票抬头开错了还能报销么",
    "谢谢分享，很实用👍",
]
START = datetime.now(UTC).replace(microsecond=0)


def events(n: int, run: str) -> list[FeedbackReceived]:
    """``n`` distinct events: comments and messages, a few replies and metric snapshots."""
    out = []
    for i in range(n):
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
        out.append(
            FeedbackReceived(
                producer="crm", correlation_id=f"post-{run}", occurred_at=at, payload=payload
            )
        )
    return out


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
    docs = [
        item_document(p.item)
        for p in await prepare([Incoming(e.payload, str(e.event_id), "amqp") for e in evs], deps)
    ]
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
        assert await coll.count_documents({}) == len(docs)
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


async def service_rate(settings: FeedbackSettings, evs: list[FeedbackReceived]) -> float:
    """Events per second from the queue to stored documents, one feedback process."""
    declare = build_service(settings)
    await declare.runtime.start()  # declares the queues and indexes
    await declare.runtime.stop()
    await fill_queue(settings.namespace, evs)

    service = build_service(settings)
    counter = service.deps.metrics.items
    runtime = service.runtime
    started = time.perf_counter()
    await runtime.start()
    try:
        deadline = started + 600
        while counter.labels("amqp", "stored")._value.get() < len(evs):
            if time.perf_counter() > deadline:
                raise RuntimeError("the service did not store every event in 10 minutes")
            await asyncio.sleep(0.02)
        elapsed = time.perf_counter() - started
        stored = await service.runtime.db[ITEMS].count_documents({})
        if stored != len(evs):
            raise RuntimeError(f"{stored} documents stored for {len(evs)} events")
    finally:
        await runtime.stop()
        with contextlib.suppress(Exception):
            client = make_client(settings.mongo_url, app_name="bench-cleanup")
            await client.drop_database(settings.database)
            await client.close()
    return len(evs) / elapsed


async def main(n: int, batch: int, runs: int, strict: bool) -> int:
    configure_logging("bench-ingest", level="WARNING", fmt="console")
    server = SecantusServer()
    server.start()
    results: list[tuple[float, float, float]] = []
    try:
        for run in range(runs):
            namespace = new_namespace()
            try:
                settings = settings_for(namespace, server.url, batch)
                evs = events(n, uuid.uuid4().hex[:6])
                one = await store_rate(server.url, settings, evs, writers=1)
                two = await store_rate(server.url, settings, evs, writers=2)
                svc = await service_rate(settings, evs)
            finally:
                await delete_namespace(namespace)
            results.append((one, two, svc))
            print(
                f"run {run + 1}: store insert_many {one:,.0f} docs/s (2 writers {two:,.0f}); "
                f"service {svc:,.0f} events/s; ratio {svc / one:.2f} "
                f"(vs 2 writers {svc / two:.2f})",
                flush=True,
            )
    finally:
        server.cleanup()
    one = statistics.median(r[0] for r in results)
    two = statistics.median(r[1] for r in results)
    svc = statistics.median(r[2] for r in results)
    ratio = svc / one
    verdict = "OK" if ratio >= TARGET else "BELOW TARGET"
    print(
        f"\n{n:,} events, batch {batch}, median of {runs} run(s):\n"
        f"  store's own insert_many (1 writer): {one:,.0f} docs/s\n"
        f"  store's own insert_many (2 writers): {two:,.0f} docs/s\n"
        f"  feedback service, broker -> stored: {svc:,.0f} events/s\n"
        f"  ratio service / store: {ratio:.2f} (target >= {TARGET}) -> {verdict}; "
        f"against 2 writers: {svc / two:.2f}"
    )
    return 1 if strict and ratio < TARGET else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--strict", action="store_true", help="exit 1 below the target")
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is absent on Windows
        sys.exit(asyncio.run(main(args.events, args.batch, args.runs, args.strict)))
    sys.exit(uvloop.run(main(args.events, args.batch, args.runs, args.strict)))
