"""/docs and /asyncapi of a service name no outside host and load only assets the service
itself serves (#16): the pages work on an intranet or behind a firewall."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI

from shared.docs import ASSETS_DIR, ASYNCAPI_REACT_VERSION, SWAGGER_UI_VERSION
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

CONTENT_TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".png": ("image/png",),
}


class References(HTMLParser):
    """The ``src`` and ``href`` attributes of a page, and its ``<html lang>``."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "html":
            self.lang = values.get("lang")
        self.urls += [v for k, v in attrs if k in {"src", "href"} and v is not None]


def references(page: str) -> References:
    parser = References()
    parser.feed(page)
    return parser


def build_runtime() -> tuple[ServiceRuntime, FastAPI]:
    """A runtime with one consumer and one route; built, never started (no broker, no DB)."""
    runtime = ServiceRuntime(ServiceSettings(service_name="review", api_tokens={}))

    @runtime.subscriber("draft.submitted")
    async def on_submitted(body: dict[str, Any]) -> None:
        """Review a submitted draft."""

    router = APIRouter()

    @router.get("/reviews/{review_id}", summary="One review")
    async def get_review(review_id: str) -> dict[str, str]:
        return {"id": review_id}

    return runtime, runtime.asgi(router, title="Review service", description="审校服务")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    runtime, app = build_runtime()
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            yield http
    finally:
        await runtime.stop()  # never started: closes the Mongo client only


@pytest.mark.parametrize("path", ["/docs", "/asyncapi"])
async def test_the_page_names_no_outside_host_and_every_asset_it_loads_is_served(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for outside in ("http://", "https://", "cdn", "unpkg", "jsdelivr"):
        assert outside not in page.lower(), outside
    found = references(page)
    assert found.lang == "zh-CN"
    assets = [url for url in found.urls if url.startswith("/_assets/")]
    assert len(assets) >= 2  # a script and a style sheet (and the icon)
    assert all(url.startswith("/") and not url.startswith("//") for url in found.urls)
    for url in found.urls:
        asset = await client.get(url)
        assert asset.status_code == 200, url
        suffix = url[url.rfind(".") :]
        assert asset.headers["content-type"].startswith(CONTENT_TYPES[suffix]), url
        assert len(asset.content) > 0


async def test_swagger_ui_loads_the_service_openapi_document(client: httpx.AsyncClient) -> None:
    page = (await client.get("/docs")).text
    assert "url: '/openapi.json'" in page
    assert '"validatorUrl": null' in page  # no badge image from validator.swagger.io
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert "/reviews/{review_id}" in paths
    assert "/docs" not in paths


async def test_the_asyncapi_page_inlines_the_services_asyncapi_3_document(
    client: httpx.AsyncClient,
) -> None:
    spec = (await client.get("/asyncapi.json")).json()
    assert spec["asyncapi"].startswith("3.")
    page = (await client.get("/asyncapi")).text
    assert "window.AsyncApiStandalone.render(" in page
    assert '"address": "draft.submitted"' in page
    assert "审校服务" in page


async def test_redoc_is_off_it_would_load_from_a_cdn(client: httpx.AsyncClient) -> None:
    assert (await client.get("/redoc")).status_code == 404


async def test_the_pages_honour_a_path_prefix() -> None:
    runtime, app = build_runtime()
    transport = httpx.ASGITransport(app=app, root_path="/review")
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
            docs = (await http.get("/review/docs")).text
            events = (await http.get("/review/asyncapi")).text
            asset = await http.get("/review/_assets/swagger-ui/swagger-ui.css")
    finally:
        await runtime.stop()
    assert "url: '/review/openapi.json'" in docs
    assert all(url.startswith("/review/_assets/") for url in references(docs).urls)
    assert all(url.startswith("/review/_assets/") for url in references(events).urls)
    assert asset.status_code == 200


def test_the_shipped_assets_are_the_pinned_versions_with_their_licences() -> None:
    bundle = (ASSETS_DIR / "swagger-ui" / "swagger-ui-bundle.js").read_text(encoding="utf-8")
    assert re.search(rf'PACKAGE_VERSION:"{re.escape(SWAGGER_UI_VERSION)}"', bundle)
    readme = (ASSETS_DIR.parent / "README.md").read_text(encoding="utf-8")
    assert SWAGGER_UI_VERSION in readme
    assert ASYNCAPI_REACT_VERSION in readme
    for package in ("swagger-ui", "asyncapi"):
        assert "Apache License" in (ASSETS_DIR / package / "LICENSE").read_text(encoding="utf-8")


async def test_openapi_documents_metrics_as_plain_text(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    ok = spec["paths"]["/metrics"]["get"]["responses"]["200"]
    assert ok["content"] == {"text/plain": {"schema": {"type": "string"}}}
    assert (await client.get("/metrics")).headers["content-type"].startswith("text/plain")
