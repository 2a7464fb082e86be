"""Every service's operational endpoints: /metrics parses, /ready tells the truth."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from shared.topology import CONSUMERS
from tests.support.backbone import wait_for
from tests.support.events import sample
from tests.support.servers import SecantusServer
from tests.support.services import make_settings, running

pytestmark = pytest.mark.integration

SETTINGS = {
    "drafting": "DraftingSettings",
    "review": "ReviewSettings",
    "publisher": "PublisherSettings",
    "feedback": "FeedbackSettings",
    "reporting": "ReportingSettings",
}


def build_app(service: str, namespace: str, mongo_url: str, tmp_path: Path) -> FastAPI:
    settings_cls = getattr(
        importlib.import_module(f"services.{service}.settings"), SETTINGS[service]
    )
    extra: dict[str, Any] = {"local_dir": tmp_path / "published"} if service == "publisher" else {}
    settings = make_settings(settings_cls, namespace, mongo_url, **extra)
    app: FastAPI = importlib.import_module(f"services.{service}.bootstrap").create_app(settings)
    return app


def metric_samples(text: str) -> dict[str, float]:
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            values[s.name] = values.get(s.name, 0.0) + s.value
    return values


@pytest.mark.parametrize("service", sorted(SETTINGS))
async def test_metrics_parse_and_count_consumed_messages(
    service: str, namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    app = build_app(service, namespace, mongo_url, tmp_path)
    runtime = app.state.service.runtime
    async with running(runtime):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            event = sample(CONSUMERS[service][0])
            await runtime.broker.publish(
                event.model_dump_json().encode(),
                exchange=runtime.topology.exchange,
                routing_key=event.EVENT_TYPE,
                message_id=str(event.event_id),
                persist=True,
            )

            async def counted() -> bool:  # received is counted on arrival, processed after
                samples = metric_samples((await client.get("/metrics")).text)
                return (
                    samples.get("faststream_received_messages_total", 0) >= 1
                    and samples.get("faststream_received_processed_messages_total", 0) >= 1
                )

            await wait_for(counted)
            response = await client.get("/metrics")
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/plain")
            values = metric_samples(response.text)
            assert "contentops_outbox_pending" in values
            assert (await client.get("/health")).json()["status"] == "ok"
            assert (await client.get("/ready")).status_code == 200
            spec = (await client.get("/asyncapi.json")).json()
            assert spec["asyncapi"].startswith("3.")
            assert (await client.get("/openapi.json")).status_code == 200


async def test_ready_is_503_while_mongo_is_down_and_200_again_after(
    namespace: str, tmp_path: Path
) -> None:
    server = SecantusServer(storage=tmp_path / "store")
    server.start()
    try:
        app = build_app("review", namespace, server.url, tmp_path)
        async with running(app.state.service.runtime):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                assert (await client.get("/ready")).status_code == 200
                server.kill()
                response = await client.get("/ready")
                assert response.status_code == 503
                assert response.json()["checks"] == {"broker": True, "mongo": False}
                assert (await client.get("/health")).status_code == 200
                server.start()

                async def ready_again() -> bool:
                    return (await client.get("/ready")).status_code == 200

                await wait_for(ready_again, timeout=30)
    finally:
        server.cleanup()
