"""Runtimes that only record what they consume: exercise the backbone without services."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from shared.events import EVENT_TYPES, EventEnvelope
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.topology import CONSUMERS
from tests.support.recording import record_consumed
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
