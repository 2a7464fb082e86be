"""The drafting service in-process on the real broker and store, plus helpers to talk to it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import aio_pika
import httpx

from services.drafting.bootstrap import create_app
from services.drafting.deps import DraftingDeps
from services.drafting.settings import DraftingSettings
from shared.clock import FixedClock
from shared.events import EventEnvelope
from shared.runtime import ServiceRuntime
from shared.service import Service
from shared.topology import Topology
from tests.support.servers import RABBIT_URL
from tests.support.services import auth, make_settings, running

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # Friday before a Monday slot
SLOT = "2026-11-23T11:30:00+08:00"
ERIN = auth("editor-token-000000000001")
ED = auth("editor-token-000000000002")
RITA = auth("reviewer-token-0000000001")
DIRECTOR = auth("director-token-0000000001")
COLLECTIONS = ("drafts", "revisions", "submissions", "materials", "audit", "outbox")


@dataclass
class Drafting:
    """A running drafting service and an HTTP client on it."""

    client: httpx.AsyncClient
    runtime: ServiceRuntime
    deps: DraftingDeps
    clock: FixedClock

    async def counts(self) -> dict[str, int]:
        return {c: await self.runtime.db[c].count_documents({}) for c in COLLECTIONS}

    async def draft(self, draft_id: str) -> dict[str, Any]:
        response = await self.client.get(f"/drafts/{draft_id}", headers=ERIN)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def create_material(self, *, origin: bool = True, name: str = "a") -> dict[str, Any]:
        body: dict[str, Any] = {"title": "办公室配图", "url": f"https://img.example.cn/{name}.jpg"}
        if origin:
            body["origin"] = {
                "library": "视觉中国",
                "url": "https://www.vcg.com/creative/1",
                "credit": "张三",
                "licence": "编辑用途授权",
            }
        response = await self.client.post("/materials", json=body, headers=ERIN)
        assert response.status_code == 201, response.text
        material: dict[str, Any] = response.json()
        return material

    async def create_draft(self, headers: dict[str, str] = ERIN, **fields: Any) -> dict[str, Any]:
        response = await self.client.post("/drafts", json=draft_body(**fields), headers=headers)
        assert response.status_code == 201, response.text
        draft: dict[str, Any] = response.json()
        return draft

    async def submit(self, draft_id: str, headers: dict[str, str] = ERIN) -> httpx.Response:
        return await self.client.post(f"/drafts/{draft_id}/submit", headers=headers)


def draft_body(**fields: Any) -> dict[str, Any]:
    return {
        "title": "2026年个税汇算清缴要点",
        "category": "finance",
        "digest": "三分钟看懂今年的汇算清缴。",
        "body_html": "<p>今年的个人所得税汇算清缴将于3月1日开始。</p>",
        "sources": [
            {"kind": "authority", "name": "国家税务总局", "url": "https://www.chinatax.gov.cn/"}
        ],
        "wished_slot": SLOT,
        **fields,
    }


@contextlib.asynccontextmanager
async def drafting(namespace: str, mongo_url: str, **extra: Any) -> AsyncIterator[Drafting]:
    clock = FixedClock(NOW)
    settings = make_settings(DraftingSettings, namespace, mongo_url, **extra)
    app = create_app(settings, clock=clock)
    service: Service[DraftingDeps] = app.state.service
    async with (
        running(service.runtime),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client,
    ):
        yield Drafting(client=client, runtime=service.runtime, deps=service.deps, clock=clock)


async def publish_raw(namespace: str, event: EventEnvelope, *, times: int = 1) -> None:
    """Publish ``event`` straight to the exchange, as a producer (or a redelivery) would."""
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(namespace=namespace).exchange.name)
        for _ in range(times):
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
