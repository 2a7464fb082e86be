"""Runtimes that only record what they consume: exercise the backbone without services."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aio_pika

from shared.events import EVENT_TYPES, EventEnvelope
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.topology import CONSUMERS, Topology
from tests.support.recording import record_consumed
from tests.support.servers import RABBIT_URL
from tests.support.services import settings_kwargs


def _register(runtime: ServiceRuntime, service: str, event: str) -> None:
    model = EVENT_TYPES[event]

    async def handler(body: EventEnvelope) -> None:
        await record_consumed(runtime.uow, service, body)

    handler.__annotations__["body"] = model  # FastStream validates against the real model

    handler.__name__ = f"on_{event.replace('.', '_')}"
    runtime.subscriber(event)(handler)


def recording_runtime(service: str, namespace: str, mongo_url: str, **extra: Any) -> ServiceRuntime:
    settings = ServiceSettings(
        service_name=service, **settings_kwargs(namespace, mongo_url, **extra)
    )
    runtime = ServiceRuntime(settings)
    for event in CONSUMERS[service]:
        _register(runtime, service, event)
    return runtime


async def emit(runtime: ServiceRuntime, *events: EventEnvelope) -> None:
    """Write events through the producer's outbox (the relay publishes them)."""

    async def work(tx: Any) -> None:
        for event in events:
            tx.emit(event)

    await runtime.uow.run(work)


async def wait_for(
    probe: Callable[[], Awaitable[bool]], *, timeout: float = 20.0, interval: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await probe():
            return
        await asyncio.sleep(interval)
    raise AssertionError("condition not reached in time")


async def publish_raw(namespace: str, body: bytes, routing_key: str, message_id: str) -> None:
    """``body`` straight to the namespace's exchange, confirmed, as another internal
    system would send it (no envelope checks: malformed bodies are the point)."""
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(namespace=namespace).exchange.name)
        await exchange.publish(
            aio_pika.Message(
                body,
                message_id=message_id,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                content_type="application/json",
            ),
            routing_key=routing_key,
            mandatory=True,
        )
