"""Timing a service from outside: its Prometheus counters and a start-up-free window.

A service's own counters say when it handled its first event and when it finished
(FastStream's ``faststream_received_messages_total`` and the service's domain
counters), read from the runtime's registry in-process or scraped from ``/metrics``
of a child process. :func:`time_window` polls them and returns the window from the
first event received to the last one done, so start-up (imports, connections, index
builds, declarations) is not timed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable

import httpx
from prometheus_client import CollectorRegistry, Metric
from prometheus_client.parser import text_string_to_metric_families

__all__ = [
    "RECEIVED",
    "family_total",
    "registry_total",
    "scrape_total",
    "time_window",
    "window_around",
]

RECEIVED = "faststream_received_messages_total"

Probe = Callable[[], Awaitable[bool]]


def family_total(families: Iterable[Metric], name: str, **labels: str) -> float:
    """Sum of the samples called ``name`` whose labels include ``labels``
    (a label value ending in ``*`` matches as a prefix, e.g. ``handler="ns.feedback*"``)."""
    total = 0.0
    for family in families:
        for sample in family.samples:
            if sample.name == name and all(
                _matches(sample.labels.get(key, ""), want) for key, want in labels.items()
            ):
                total += sample.value
    return total


def _matches(value: str, want: str) -> bool:
    return value.startswith(want[:-1]) if want.endswith("*") else value == want


def registry_total(registry: CollectorRegistry, name: str, **labels: str) -> float:
    """:func:`family_total` of an in-process registry."""
    return family_total(registry.collect(), name, **labels)


async def scrape_total(http: httpx.AsyncClient, url: str, name: str, **labels: str) -> float:
    """:func:`family_total` of a ``/metrics`` page (0 while it does not answer)."""
    try:
        response = await http.get(url, timeout=2)
    except httpx.HTTPError:
        return 0.0
    if response.status_code != 200:
        return 0.0
    return family_total(text_string_to_metric_families(response.text), name, **labels)


async def time_window(
    *, begun: Probe, done: Probe, timeout: float, interval: float = 0.005
) -> tuple[float, float]:
    """``(start, end)`` on ``time.perf_counter``: when ``begun`` first held and when
    ``done`` first held after it; raises ``TimeoutError`` after ``timeout`` seconds."""
    deadline = time.perf_counter() + timeout
    while not await begun():
        if time.perf_counter() > deadline:
            raise TimeoutError("no event was received")
        await asyncio.sleep(interval)
    start = time.perf_counter()
    while not await done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the events were not all handled in time")
        await asyncio.sleep(interval)
    return start, time.perf_counter()


async def window_around(
    start: Callable[[], Awaitable[object]],
    *,
    begun: Probe,
    done: Probe,
    timeout: float,
    interval: float = 0.005,
) -> tuple[float, float]:
    """:func:`time_window` watched from *before* ``start()`` is awaited: a runtime consumes
    as soon as its broker starts, before its own ``start()`` returns, and those first
    events must fall inside the window."""
    window = asyncio.create_task(
        time_window(begun=begun, done=done, timeout=timeout, interval=interval)
    )
    try:
        await start()
    except BaseException:
        window.cancel()
        raise
    return await window
