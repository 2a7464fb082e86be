"""Benchmark: the reporting service's feedback path and a report read from the store.

Needs RabbitMQ on 127.0.0.1:5672 (``make infra-rabbit``); starts its own SecantusDB.

1. **store** — ``feedback.received`` stored the service's way (one insert under the natural
   key, no transaction) against the transactional alternative (``uow.run`` with an inbox
   record), one event at a time;
2. **broker** — events published on the exchange until all are stored by one replica;
3. **report** — a biweekly report of 100 posts with 20k feedback rows in the store: read,
   fold, build and render, as the timed job does.

Run: ``.venv/bin/python bench/reporting_ingest.py``.
"""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aio_pika  # noqa: E402

from services.reporting.bootstrap import build_service  # noqa: E402
from services.reporting.domain.feedback import feedback_doc  # noqa: E402
from services.reporting.reports import CATEGORIES  # noqa: E402
from services.reporting.settings import ReportingSettings  # noqa: E402
from services.reporting.usecases.ingest import record_feedback  # noqa: E402
from services.reporting.usecases.produce import compose_report  # noqa: E402
from shared.calendar import biweekly_period  # noqa: E402
from shared.clock import FixedClock  # noqa: E402
from shared.events import FeedbackKind, FeedbackReceived, FeedbackReceivedPayload  # noqa: E402
from shared.logging import configure_logging  # noqa: E402
from shared.outbox import Tx  # noqa: E402
from shared.topology import Topology  # noqa: E402
from tests.support.recording import CONSUMED  # noqa: E402
from tests.support.servers import RABBIT_URL, SecantusServer  # noqa: E402
from tests.support.services import delete_namespace, make_settings, new_namespace  # noqa: E402

STORE_EVENTS = 1_000
BROKER_EVENTS = 3_000
REPORT_POSTS = 100
REPORT_ROWS = 20_000
NOW = datetime(2026, 12, 7, 6, 31, tzinfo=UTC)
TEXTS = ["写得很好", "请问社保基数怎么调整？", "谢谢分享", "发票怎么开"]


def _event(i: int, post_id: str = "p1") -> FeedbackReceived:
    return FeedbackReceived(
        occurred_at=NOW,
        producer="bench",
        correlation_id=post_id,
        payload=FeedbackReceivedPayload(
            source="bench",
            source_id=f"{i}-{uuid.uuid4().hex[:6]}",
            kind=FeedbackKind.COMMENT if i % 3 else FeedbackKind.MESSAGE,
            post_id=post_id,
            text=TEXTS[i % len(TEXTS)],
            received_at=NOW - timedelta(minutes=i % 1000),
        ),
    )


async def _store(runtime: Any, deps: Any) -> tuple[float, float]:
    events = [_event(i) for i in range(STORE_EVENTS)]
    started = time.perf_counter()
    for e in events:
        await record_feedback(e, deps=deps)
    single = STORE_EVENTS / (time.perf_counter() - started)

    other = [_event(i) for i in range(STORE_EVENTS)]
    started = time.perf_counter()
    for e in other:

        async def work(tx: Tx, e: FeedbackReceived = e) -> None:
            doc = {**feedback_doc(e), "_id": "tx:" + feedback_doc(e)["_id"]}
            await tx.db["feedback"].insert_one(doc, session=tx.session)

        await runtime.uow.run(work, consumed=("bench", str(e.event_id)))
    transactional = STORE_EVENTS / (time.perf_counter() - started)
    await runtime.db["feedback"].delete_many({})
    await runtime.db[CONSUMED].delete_many({})
    return single, transactional


async def _broker(runtime: Any, namespace: str) -> float:
    events = [_event(i, f"p{i % 50}") for i in range(BROKER_EVENTS)]
    connection = await aio_pika.connect(RABBIT_URL)
    started = time.perf_counter()
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(namespace=namespace).exchange.name)
        for e in events:
            await exchange.publish(
                aio_pika.Message(
                    e.model_dump_json().encode(),
                    message_id=str(e.event_id),
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    content_type="application/json",
                ),
                routing_key="feedback.received",
            )
    while await runtime.db["feedback"].count_documents({}) < BROKER_EVENTS:
        await asyncio.sleep(0.05)
    return BROKER_EVENTS / (time.perf_counter() - started)


async def _report(runtime: Any, deps: Any) -> dict[str, float]:
    await runtime.db["feedback"].delete_many({})
    pair = biweekly_period(date(2026, 1, 5), 23)  # 11-23 .. 12-06 China time
    span = (pair.current.end - pair.current.start) / REPORT_POSTS
    posts = []
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
        await runtime.db["feedback"].insert_many(rows[chunk : chunk + 500])
    started = time.perf_counter()
    composed = await compose_report("biweekly", pair, deps=deps, key=None, generated_at=NOW)
    took = time.perf_counter() - started
    assert composed.report.totals.posts == REPORT_POSTS
    return {
        "seconds": took,
        "html_kb": len(composed.html.encode()) / 1024,
        "xlsx_kb": len(composed.xlsx) / 1024,
    }


async def main() -> None:
    configure_logging("bench", level="WARNING", fmt="console")
    server = SecantusServer()
    server.start()
    namespace = new_namespace()
    try:
        settings = make_settings(ReportingSettings, namespace, server.url)
        service = build_service(settings, clock=FixedClock(NOW))
        runtime, deps = service.runtime, service.deps
        await runtime.start()
        try:
            single, transactional = await _store(runtime, deps)
            print(f"store, one event at a time ({STORE_EVENTS:,} events)")
            print(f"  one insert, no transaction : {single:8.0f} events/s")
            print(f"  transaction + inbox record : {transactional:8.0f} events/s")
            rate = await _broker(runtime, namespace)
            print(f"broker -> store, one replica ({BROKER_EVENTS:,} events): {rate:.0f} events/s")
            report = await _report(runtime, deps)
            print(
                f"biweekly report from the store ({REPORT_POSTS} posts, {REPORT_ROWS:,} rows): "
                f"{report['seconds']:.2f} s (html {report['html_kb']:.0f} KB, "
                f"xlsx {report['xlsx_kb']:.0f} KB)"
            )
        finally:
            await runtime.stop()
    finally:
        await delete_namespace(namespace)
        server.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
