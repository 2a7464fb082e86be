"""Helpers of the audience integration tests: the service on a fake WeChat, signed
pushes, and an observer of the events it publishes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import httpx
import pytest
from fastapi import FastAPI

from services.audience.bootstrap import create_app
from services.audience.deps import AudienceDeps
from services.audience.queues import FOLLOWER_EVENTS
from services.audience.settings import AudienceSettings
from shared.accounts import secret_env_name
from shared.service import Service
from shared.topology import Topology
from shared.wechat.crypto import sha1_signature
from tests.fakes.wechat_server import FakeWeChat
from tests.support.accounts import TWO_ACCOUNTS
from tests.support.servers import RABBIT_URL
from tests.support.services import make_settings

TOKEN = "wechat-push-token-audience-1"
TALENT_TOKEN = "wechat-push-token-talent-01"
START_SECONDS = 20.0


class ShiftedClock:
    """Real time plus an offset the test moves forward."""

    speed = 1.0

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def audience_settings(
    namespace: str, mongo_url: str, fake: FakeWeChat, **extra: Any
) -> AudienceSettings:
    options: dict[str, Any] = {
        "wechat_token": TOKEN,
        "wechat_app_id": fake.state.appid,
        "wechat_app_secret": fake.state.secret,
        "wechat_base_url": fake.base_url,
        "wechat_qrcode_base_url": fake.base_url,
        "rules_refresh_seconds": 0.05,
        "backfill_poll_seconds": 0.1,
        "reconcile_enabled": False,
        "account_name": "示例公众号",
        **extra,
    }
    settings: AudienceSettings = make_settings(AudienceSettings, namespace, mongo_url, **options)
    return settings


def two_accounts(
    namespace: str,
    mongo_url: str,
    fake: FakeWeChat,
    monkeypatch: pytest.MonkeyPatch,
    *,
    talent_secret: str | None = None,
    **extra: Any,
) -> AudienceSettings:
    """The service with the accounts of ``TWO_ACCOUNTS`` (#12): ``default`` on the
    ``AUDIENCE_WECHAT_*`` settings, ``talent`` with its own app id (the fake's), app secret
    (``talent_secret``, the fake's by default) and push token (``TALENT_TOKEN``), read from
    the environment as a deployment would."""
    accounts = json.loads(TWO_ACCOUNTS)
    for spec in accounts:
        if spec["id"] == "talent":
            spec["wechat_app_id"] = fake.state.appid
    monkeypatch.setenv(
        secret_env_name("talent", "wechat_app_secret"), talent_secret or fake.state.secret
    )
    monkeypatch.setenv(secret_env_name("talent", "wechat_token"), TALENT_TOKEN)
    return audience_settings(
        namespace, mongo_url, fake, accounts_json=json.dumps(accounts, ensure_ascii=False), **extra
    )


def service(app: FastAPI) -> Service[AudienceDeps]:
    audience: Service[AudienceDeps] = app.state.service
    return audience


@contextlib.asynccontextmanager
async def running(
    settings: AudienceSettings, clock: ShiftedClock | None = None
) -> AsyncIterator[FastAPI]:
    """A started audience service (in-process), stopped at the end."""
    app = create_app(settings, clock=clock or ShiftedClock())
    runtime = service(app).runtime
    await asyncio.wait_for(runtime.start(), timeout=START_SECONDS)
    try:
        yield app
    finally:
        await runtime.stop()
        await delete_follower_queues(settings.namespace)


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


DIRECTOR = auth("director-token-0000000001")
EDITOR = auth("editor-token-000000000001")


def push_query(token: str = TOKEN) -> dict[str, str]:
    ts = str(int(time.time()))
    nonce = uuid.uuid4().hex[:10]
    return {"signature": sha1_signature(token, ts, nonce), "timestamp": ts, "nonce": nonce}


def _xml(sender: str, create_time: int, body: str) -> bytes:
    return (
        "<xml><ToUserName><![CDATA[gh_account]]></ToUserName>"
        f"<FromUserName><![CDATA[{sender}]]></FromUserName>"
        f"<CreateTime>{create_time}</CreateTime>{body}</xml>"
    ).encode()


def event_push(event: str, sender: str, create_time: int, event_key: str | None = None) -> bytes:
    key = f"<EventKey><![CDATA[{event_key}]]></EventKey>" if event_key is not None else ""
    return _xml(
        sender,
        create_time,
        f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>{key}",
    )


def text_push(msg_id: int, content: str, sender: str) -> bytes:
    return _xml(
        sender,
        int(time.time()),
        f"<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id}</MsgId>",
    )


class Observer:
    """A test queue bound to some events of the namespace; collects their bodies."""

    def __init__(self, namespace: str, events: tuple[str, ...]) -> None:
        self.namespace = namespace
        self.events = events
        self.received: list[dict[str, Any]] = []
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(RABBIT_URL)
        channel = await self._connection.channel()
        topology = Topology(namespace=self.namespace)
        exchange = await channel.declare_exchange(
            topology.exchange.name, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(
            f"{self.namespace}test.observer.{uuid.uuid4().hex[:6]}",
            exclusive=True,
            auto_delete=True,
        )
        for event in self.events:
            await queue.bind(exchange, routing_key=event)

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                self.received.append(json.loads(message.body))

        await queue.consume(on_message)

    async def stop(self) -> None:
        if self._connection is not None:
            await self._connection.close()

    def of(self, event_type: str) -> list[dict[str, Any]]:
        return [e for e in self.received if e["event_type"] == event_type]

    async def wait(
        self, event_type: str, count: int, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.of(event_type)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{len(self.of(event_type))} of {count} {event_type} events in {timeout} s"
                )
            await asyncio.sleep(0.05)
        return self.of(event_type)


@contextlib.asynccontextmanager
async def observing(namespace: str, *events: str) -> AsyncIterator[Observer]:
    observer = Observer(namespace, events)
    await observer.start()
    try:
        yield observer
    finally:
        await observer.stop()
        await delete_follower_queues(namespace)


async def delete_follower_queues(namespace: str) -> None:
    """The reporting follower queues this service declares (not in the shared cleanup)."""
    topology = Topology(namespace=namespace)
    connection = await aio_pika.connect(RABBIT_URL)
    try:
        channel = await connection.channel()
        for event in FOLLOWER_EVENTS:
            names = topology.names("reporting", event)
            for name in (names.main, names.dlq, names.retry):
                with contextlib.suppress(Exception):
                    await channel.queue_delete(name)
    finally:
        await connection.close()
