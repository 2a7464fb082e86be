"""The reporting service in-process on the real broker and store, and event builders.

Events are published on the namespace's exchange the way producers do (persistent,
confirmed, mandatory: an unroutable event fails the test instead of vanishing), then
consumed by the service's own subscribers.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
import httpx

from services.reporting.bootstrap import build_service
from services.reporting.deps import ReportingDeps
from services.reporting.settings import ReportingSettings
from shared.clock import FixedClock
from shared.events import (
    EventEnvelope,
)
from shared.runtime import ServiceRuntime
from shared.topology import Topology
from tests.support.backbone import recording_runtime, wait_for
from tests.support.recording import CONSUMED
from tests.support.servers import RABBIT_URL
from tests.support.services import auth, make_settings, running

DIRECTOR = auth("director-token-0000000001")
REVIEWER = auth("reviewer-token-0000000001")
EDITOR = auth("editor-token-000000000001")


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


@dataclass
class Reporting:
    """A running reporting service, an HTTP client on it, and a drafting recorder."""

    client: httpx.AsyncClient
    runtime: ServiceRuntime
    deps: ReportingDeps
    clock: FixedClock
    drafting: ServiceRuntime
    namespace: str

    async def count(self, collection: str, query: dict[str, Any] | None = None) -> int:
        return await self.runtime.db[collection].count_documents(query or {})

    async def wait_count(
        self, collection: str, n: int, query: dict[str, Any] | None = None
    ) -> None:
        async def reached() -> bool:
            return await self.count(collection, query) == n

        await wait_for(reached, timeout=30)

    async def wait_report(self, report_id: str) -> dict[str, Any]:
        async def stored() -> bool:
            return await self.runtime.db["reports"].find_one({"_id": report_id}) is not None

        await wait_for(stored, timeout=30)
        response = await self.client.get(f"/reports/{report_id}", headers=DIRECTOR)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def announced(self, report_id: str) -> list[dict[str, Any]]:
        """``report.ready`` events for ``report_id`` the drafting recorder consumed."""
        docs = await (
            self.drafting.db[CONSUMED]
            .find({"event_type": "report.ready", "correlation_id": report_id})
            .to_list(None)
        )
        return [d["payload"] for d in docs]

    async def wait_announced(self, report_id: str) -> dict[str, Any]:
        async def one() -> bool:
            return len(await self.announced(report_id)) == 1

        await wait_for(one, timeout=30)
        return (await self.announced(report_id))[0]

    async def publish(self, *events: EventEnvelope) -> None:
        await publish(self.namespace, *events)


@contextlib.asynccontextmanager
async def reporting(
    namespace: str, mongo_url: str, *, at: datetime, **extra: Any
) -> AsyncIterator[Reporting]:
    """The service (and a drafting recorder for ``report.ready``), running."""
    clock = FixedClock(at)
    settings = make_settings(
        ReportingSettings,
        namespace,
        mongo_url,
        schedule_poll_seconds=0.1,
        job_poll_seconds=0.1,
        metrics_refresh_seconds=0.2,
        **extra,
    )
    service = build_service(settings, clock=clock)
    app = service.app()
    runtime = service.runtime
    drafting = recording_runtime("drafting", namespace, mongo_url)
    async with (
        running(drafting),
        running(runtime),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        yield Reporting(client, runtime, service.deps, clock, drafting, namespace)


async def publish(namespace: str, *events: EventEnvelope) -> None:
    """Publish ``events`` on the namespace's exchange (confirmed, mandatory)."""
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        exchange = await channel.get_exchange(Topology(namespace=namespace).exchange.name)
        for event in events:
            await exchange.publish(
                aio_pika.Message(
                    event.model_dump_json().encode(),
                    message_id=str(event.event_id),
                    correlation_id=event.correlation_id,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    content_type="application/json",
                ),
                routing_key=event.EVENT_TYPE,
                mandatory=True,
            )
