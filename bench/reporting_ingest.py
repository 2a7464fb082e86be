"""Benchmark: the reporting service's read model fed with ``feedback.received``, and a
report read from the store.

Needs RabbitMQ on 127.0.0.1:5672 (``make infra-rabbit``); starts its own SecantusDB.
Run: ``.venv/bin/python bench/reporting_ingest.py [N]`` (default 5,000 events;
``BENCH_QUICK=1``: 500, one run). Each run (after a discarded warm-up; median, min and
max over the runs) handles the same N comments and messages in every mode:

1. ``store``: the store's own rate, ``insert_many(ordered=False)`` in batches of 200 of
   the very documents the service stores (``feedback_doc``), into a fresh collection
   with the read model's indexes (the baseline);
2. ``service``: the service's queue is filled with the N events (consumer stopped), one
   reporting runtime is started in this process, and the timer runs from its first
   received message to N acked (FastStream's counters), so start-up is not timed; the
   stored count is then checked;
3. ``report``: a biweekly report of 100 posts with 20,000 feedback rows in the store,
   read, folded, built and rendered as the timed job does (context, no goal).

Goal: service / store >= 0.9, the goal #15 sets for feedback ingestion, applied to the
read model (#15 names it the other hot path; its table has no row of its own). Also
prints the peak RSS of this process while it runs the reporting runtime.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aio_pika  # noqa: E402

from bench.support.harness import Goal, note, pick, repeat_async, report  # noqa: E402
from bench.support.progress import RECEIVED, registry_total, window_around  # noqa: E402
from bench.support.rss import own_peak_mb, reset_peak  # noqa: E402
from services.reporting.bootstrap import build_service  # noqa: E402
from services.reporting.domain.feedback import feedback_doc  # noqa: E402
from services.reporting.reports import CATEGORIES  # noqa: E402
from services.reporting.repository.indexes import FEEDBACK, REPORTING_INDEXES  # noqa: E402
from services.reporting.settings import ReportingSettings  # noqa: E402
from services.reporting.usecases.produce import compose_report  # noqa: E402
from shared.calendar import biweekly_period  # noqa: E402
from shared.clock import FixedClock  # noqa: E402
from shared.events import FeedbackKind, FeedbackReceived, FeedbackReceivedPayload  # noqa: E402
from shared.logging import configure_logging  # noqa: E402
from shared.mongo import ensure_indexes, make_client  # noqa: E402
from shared.topology import Topology  # noqa: E402
from tests.support.servers import RABBIT_URL, SecantusServer  # noqa: E402
from tests.support.services import delete_namespace, make_settings, new_namespace  # noqa: E402

GOAL = Goal(">=", 0.9, "x")
BATCH = 200
PROCESSED = "faststream_received_processed_messages_total"
REPORT_POSTS = 100
REPORT_ROWS = pick(20_000, 2_000)
NOW = datetime(2026, 12, 7, 6, 31, tzinfo=UTC)
TEXTS = ["写得很好", "请问社保基数怎么调整？", "谢谢分享", "发票怎么开"]


def _event(i: int, run: str, post_id: str) -> FeedbackReceived:
    return FeedbackReceived(
        occurred_at=NOW,
        producer="bench",
        correlation_id=post_id,
        payload=FeedbackReceivedPayload(
            source="bench",
            source_id=f"{run}-{i}",
            kind=FeedbackKind.COMMENT if i % 3 else FeedbackKind.MESSAGE,
            post_id=post_id,
            text=TEXTS[i % len(TEXTS)],
            received_at=NOW - timedelta(minutes=i % 1000),
        ),
    )


def events(n: int) -> list[FeedbackReceived]:
    run = uuid.uuid4().hex[:6]
    return [_event(i, run, f"p{i % 50}") for i in range(n)]


async def store_rate(mongo_url: str, evs: list[FeedbackReceived]) -> float:
    """Documents per second of the store's own ``insert_many`` of the service's documents."""
    docs = [feedback_doc(e) for e in evs]
    client = make_client(mongo_url, app_name="bench-raw")
    db = client[f"bench_raw_{uuid.uuid4().hex[:8]}"]
    try:
        await ensure_indexes(db, [s for s in REPORTING_INDEXES if s.collection == FEEDBACK])
        coll = db[FEEDBACK]
        started = time.perf_counter()
        for i in range(0, len(docs), BATCH):
            await coll.insert_many(docs[i : i + BATCH], ordered=False)
        elapsed = time.perf_counter() - started
        stored = await coll.count_documents({})
        if stored != len(docs):
            raise RuntimeError(f"{stored} documents stored for {len(docs)} inserted")
    finally:
        await client.drop_database(db.name)
        await client.close()
    return len(docs) / elapsed


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
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                            content_type="application/json",
                        ),
                        routing_key="feedback.received",
                        mandatory=True,
                    )
                    for e in evs[chunk : chunk + 500]
                )
            )


async def service_rate(
    settings: ReportingSettings, evs: list[FeedbackReceived]
) -> tuple[float, float]:
    """Events per second from the queue to the read model, one reporting runtime in this
    process, and this process's peak RSS (MB) meanwhile."""
    declare = build_service(settings, clock=FixedClock(NOW))
    await declare.runtime.start()  # declares the queues and indexes
    await declare.runtime.stop()  # a fresh schedule: no report is due while timed
    await fill_queue(settings.namespace, evs)
    service = build_service(settings, clock=FixedClock(NOW))
    runtime = service.runtime
    handler = f"{Topology(namespace=settings.namespace).exchange.name}.feedback.received"

    async def begun() -> bool:
        return registry_total(runtime.registry, RECEIVED, handler=handler) > 0

    async def done() -> bool:
        acked = registry_total(runtime.registry, PROCESSED, handler=handler, status="acked")
        return acked >= len(evs)

    reset_peak()
    try:
        started, finished = await window_around(runtime.start, begun=begun, done=done, timeout=600)
        peak = own_peak_mb()
        stored = await runtime.db[FEEDBACK].count_documents({})
        if stored != len(evs):
            raise RuntimeError(f"{stored} documents stored for {len(evs)} events")
    finally:
        await runtime.stop()
    return len(evs) / (finished - started), peak


async def report_seconds(settings: ReportingSettings) -> float:
    """A biweekly report of 100 posts and 20,000 feedback rows, from the store."""
    service = build_service(settings, clock=FixedClock(NOW))
    runtime, deps = service.runtime, service.deps
    await runtime.start()
    try:
        await runtime.db[FEEDBACK].delete_many({})
        pair = biweekly_period(date(2026, 1, 5), 23)  # 11-23 .. 12-06 China time
        span = (pair.current.end - pair.current.start) / REPORT_POSTS
        posts: list[dict[str, Any]] = []
        for i in range(REPORT_POSTS):
            at = pair.current.start + span * i
            posts.append(
                {
                    "_id": f"post{i}",
                    "draft_id": f"d{i}",
                    "title": f"文章 {i}",
                    "category": CATEGORIES[i % 5],
                    "status": "published",
                    "at": at,
                    "published_at": at,
                    "failed_at": None,
                    "slot_key": f"publish:{at.isoformat()}",
                    "lateness_seconds": 0.0,
                }
            )
        await runtime.db["posts"].insert_many(posts)
        rows = []
        for i in range(REPORT_ROWS):
            post = posts[i % REPORT_POSTS]
            kind = ("comment", "message", "enquiry", "reply")[i % 4]
            row = {"_id": f"b:{i}", "kind": kind, "post_id": post["_id"], "at": post["at"]}
            if kind == "reply":
                row["in_reply_to"] = f"b:{i - 1}"
            rows.append(row)
        for chunk in range(0, len(rows), 500):
            await runtime.db[FEEDBACK].insert_many(rows[chunk : chunk + 500])
        started = time.perf_counter()
        composed = await compose_report("biweekly", pair, deps=deps, key=None, generated_at=NOW)
        took = time.perf_counter() - started
        if composed.report.totals.posts != REPORT_POSTS:
            raise RuntimeError(f"{composed.report.totals.posts} posts in the report")
    finally:
        await runtime.stop()
    return took


async def one_run(mongo_url: str, n: int, with_report: bool = True) -> dict[str, float]:
    namespace = new_namespace()
    settings = make_settings(ReportingSettings, namespace, mongo_url)
    try:
        evs = events(n)
        store = await store_rate(mongo_url, evs)
        service, peak = await service_rate(settings, evs)
        seconds = await report_seconds(settings) if with_report else 0.0
    finally:
        await delete_namespace(namespace)
        with contextlib.suppress(Exception):
            client = make_client(mongo_url, app_name="bench-cleanup")
            await client.drop_database(settings.database)
            await client.close()
    return {
        "store": store,
        "service": service,
        "ratio": service / store,
        "report_s": seconds,
        "peak_mb": peak,
    }


async def main(argv: list[str]) -> None:
    configure_logging("bench", level="WARNING", fmt="console")
    n = int(argv[0]) if argv else pick(5_000, 500)
    server = SecantusServer()
    server.start()
    note(f"{n:,} feedback events in every mode (docs or events per second)")
    try:
        figures = await repeat_async(
            lambda: one_run(server.url, n),
            warmup=lambda: one_run(server.url, min(n, pick(1_000, 200)), with_report=False),
        )
    finally:
        server.cleanup()
    report("reporting_ingest.store", figures["store"], unit=" docs/s", label="store's insert_many")
    report("reporting_ingest.service", figures["service"], unit=" events/s", label="broker->stored")
    report("reporting_ingest.service_vs_store", figures["ratio"], GOAL, label="ratio")
    report(
        "reporting_ingest.report_from_store",
        figures["report_s"],
        unit="s",
        label=f"biweekly report from the store ({REPORT_POSTS} posts, {REPORT_ROWS:,} rows)",
    )
    report(
        "reporting_ingest.peak_rss",
        figures["peak_mb"].high,
        unit="MB",
        label="peak RSS of this process while it ran the reporting runtime (highest)",
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
