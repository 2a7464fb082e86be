"""Helpers of the feedback integration tests: a movable clock, replicas, raw publishing."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import httpx
from fastapi import FastAPI
from pymongo.asynchronous.database import AsyncDatabase

from services.feedback.bootstrap import create_app
from services.feedback.deps import FeedbackDeps
from services.feedback.settings import FeedbackSettings
from shared.events import (
    Category,
    EventEnvelope,
    FeedbackKind,
    FeedbackMetrics,
    FeedbackReceived,
    FeedbackReceivedPayload,
    PostPublished,
    PostPublishedPayload,
)
from shared.mongo import MongoDoc
from shared.service import Service
from shared.topology import Topology
from shared.wechat.crypto import sha1_signature
from tests.support.events import HASH
from tests.support.servers import RABBIT_URL
from tests.support.services import make_settings

TOKEN = "wechat-push-token-7f3a"
APP_ID = "wx-fake-appid"
APP_SECRET = "fake-secret"
START_SECONDS = 20.0


class ShiftedClock:
    """Real time plus an offset the test moves forward (time flows, and can jump)."""

    speed = 1.0

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


def feedback_settings(namespace: str, mongo_url: str, **extra: Any) -> FeedbackSettings:
    """Settings with fast background loops."""
    options: dict[str, Any] = {
        "job_poll_seconds": 0.1,
        "enquiry_sweep_seconds": 0.2,
        "ingest_batch_max_wait_seconds": 0.02,
        **extra,
    }
    settings: FeedbackSettings = make_settings(FeedbackSettings, namespace, mongo_url, **options)
    return settings


async def _started(settings: FeedbackSettings, clock: ShiftedClock) -> FastAPI:
    """A started app. The broker handshake has no timeout of its own, and a RabbitMQ that
    other suites stop and start may leave it waiting forever (ignoring cancellation):
    give up on that attempt, connect again, and fail with a clear message at last."""
    for _ in range(3):
        app = create_app(settings, clock=clock)
        runtime = service(app).runtime
        starting = asyncio.ensure_future(runtime.start())
        done, _ = await asyncio.wait({starting}, timeout=START_SECONDS)
        if done:
            starting.result()
            return app
        starting.cancel()  # not awaited: a stuck handshake may never honour it
    raise AssertionError(
        f"the feedback service could not start 3 times in {START_SECONDS:.0f} s: "
        "is RabbitMQ answering the AMQP handshake?"
    )


@contextlib.asynccontextmanager
async def replicas(
    settings: FeedbackSettings, clock: ShiftedClock, count: int = 1
) -> AsyncIterator[list[FastAPI]]:
    """``count`` feedback processes in-process on the same namespace and database."""
    async with contextlib.AsyncExitStack() as stack:
        apps = []
        for _ in range(count):
            app = await _started(settings, clock)
            stack.push_async_callback(service(app).runtime.stop)
            apps.append(app)
        yield apps


def service(app: FastAPI) -> Service[FeedbackDeps]:
    feedback: Service[FeedbackDeps] = app.state.service
    return feedback


class Store:
    """The service's collections as stored, for tests to read (and tamper with) directly."""

    def __init__(self, db: AsyncDatabase[MongoDoc]) -> None:
        self.db = db
        self.items = db["feedback_items"]
        self.windows = db["windows"]
        self.documents = db["documents"]
        self.push_events = db["push_events"]
        self.jobs = db["jobs"]
        self.outbox = db["outbox"]

    async def get_window(self, post_id: str) -> MongoDoc | None:
        return await self.windows.find_one({"_id": post_id})

    async def get_enquiry(self, key: str) -> MongoDoc | None:
        """The stored item ``source:source_id`` if it carries an enquiry."""
        source, _, source_id = key.partition(":")
        doc = await self.items.find_one({"source": source, "source_id": source_id})
        return doc if doc is not None and doc.get("enquiry") else None

    async def get_document(self, post_id: str) -> MongoDoc | None:
        return await self.documents.find_one({"post_id": post_id})


def store(app: FastAPI) -> Store:
    return Store(service(app).runtime.db)


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


def post_published(
    post_id: str,
    *,
    at: datetime,
    channel: str = "wechat",
    msg_data_id: str | None = None,
    category: Category = Category.FINANCE,
    title: str = "个税汇算清缴全攻略",
) -> PostPublished:
    ids = {"publish_id": f"pub-{post_id}"}
    if msg_data_id is not None:
        ids["msg_data_id"] = msg_data_id
    return PostPublished(
        producer="publisher",
        correlation_id=post_id,
        occurred_at=at,
        payload=PostPublishedPayload(
            post_id=post_id,
            draft_id=f"d-{post_id}",
            title=title,
            category=category,
            channel=channel,
            channel_ids=ids,
            published_at=at,
            slot_key="publish:2026-11-23T11:30+08:00",
            slot_at=at,
            lateness_seconds=0.0,
            content_hash=HASH,
        ),
    )


def feedback_event(
    source_id: str,
    *,
    at: datetime,
    kind: FeedbackKind = FeedbackKind.COMMENT,
    text: str = "请问社保基数怎么调整？",
    post_id: str | None = None,
    source: str = "crm",
    in_reply_to: str | None = None,
    metrics: FeedbackMetrics | None = None,
    author: str = "c-1029",
) -> FeedbackReceived:
    return FeedbackReceived(
        producer="crm",
        correlation_id=post_id or source_id,
        occurred_at=at,
        payload=FeedbackReceivedPayload(
            source=source,
            source_id=source_id,
            kind=kind,
            post_id=post_id,
            author=author,
            text=text,
            received_at=at,
            in_reply_to=in_reply_to,
            metrics=metrics,
        ),
    )


async def publish_raw(namespace: str, *messages: tuple[bytes, str, str]) -> None:
    """Publish ``(body, routing_key, message_id)`` as another internal system would."""
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(namespace=namespace).exchange.name)
        for body, routing_key, message_id in messages:
            await exchange.publish(
                aio_pika.Message(
                    body,
                    message_id=message_id,
                    content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=routing_key,
                mandatory=True,
            )


async def publish(namespace: str, *events: EventEnvelope) -> None:
    await publish_raw(
        namespace,
        *((e.model_dump_json().encode(), e.EVENT_TYPE, str(e.event_id)) for e in events),
    )


@contextlib.asynccontextmanager
async def probe(namespace: str, routing_key: str) -> AsyncIterator[aio_pika.abc.AbstractQueue]:
    """A private queue bound to ``routing_key``: what was published there, and how often."""
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange(Topology(namespace=namespace).exchange.name)
        queue = await channel.declare_queue(
            f"{namespace}probe.{uuid.uuid4().hex[:8]}", exclusive=True, auto_delete=True
        )
        await queue.bind(exchange, routing_key=routing_key)
        yield queue


async def drain(queue: aio_pika.abc.AbstractQueue) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Every message in the probe now."""
    messages = []
    while (message := await queue.get(no_ack=True, fail=False)) is not None:
        messages.append(message)
    return messages


def push_query(token: str = TOKEN, *, timestamp: int | None = None) -> dict[str, str]:
    """A plain-mode signed query string for the push endpoint."""
    ts = str(timestamp if timestamp is not None else int(time.time()))
    nonce = uuid.uuid4().hex[:10]
    return {"signature": sha1_signature(token, ts, nonce), "timestamp": ts, "nonce": nonce}


def text_push(msg_id: int, content: str, *, sender: str = "o-follower-1") -> bytes:
    return (
        "<xml><ToUserName><![CDATA[gh_account]]></ToUserName>"
        f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id}</MsgId></xml>"
    ).encode()


def event_push(
    event: str, *, sender: str = "o-follower-1", create_time: int = 1_700_000_000
) -> bytes:
    return (
        "<xml><ToUserName><![CDATA[gh_account]]></ToUserName>"
        f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime>"
        "<MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event></xml>"
    ).encode()
