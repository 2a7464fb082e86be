"""Every service's /docs and /asyncapi, opened in a real browser with no internet (#16).

Each service's app is served by uvicorn on a free local port; Debian's chromium
(``deploy/local/infra.sh chromium``, run by ``make infra-tools``), driven by Playwright,
opens both pages with every request to another host aborted, and finds the service's
HTTP operations in Swagger UI and its events in the AsyncAPI viewer. The pages need
neither the broker nor the store, so the app's lifespan is not run.
"""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.async_api import Browser, Page, Request, Response, Route, async_playwright

from shared.topology import CONSUMERS, PRODUCERS
from tests.support.servers import serve_asgi
from tests.support.services import make_settings, new_namespace

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
SETTINGS = {
    "drafting": "DraftingSettings",
    "review": "ReviewSettings",
    "publisher": "PublisherSettings",
    "feedback": "FeedbackSettings",
    "reporting": "ReportingSettings",
}
UNUSED_MONGO = "mongodb://127.0.0.1:9/?directConnection=true"  # never connected: no lifespan


def build_app(service: str, tmp_path: Path) -> FastAPI:
    settings_cls = getattr(
        importlib.import_module(f"services.{service}.settings"), SETTINGS[service]
    )
    extra: dict[str, Any] = {"local_dir": tmp_path / "published"} if service == "publisher" else {}
    settings = make_settings(settings_cls, new_namespace(), UNUSED_MONGO, **extra)
    app: FastAPI = importlib.import_module(f"services.{service}.bootstrap").create_app(settings)
    return app


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make infra-tools` (deploy/local/infra.sh chromium) "
            "or `apt-get install chromium`; Playwright's own browser download is not used"
        )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            await launched.close()


@dataclass
class Visit:
    """What a page asked for while it was open."""

    base: str
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    async def route(self, route: Route) -> None:
        if route.request.url.startswith(self.base):
            await route.continue_()
        else:
            self.blocked.append(route.request.url)
            await route.abort()

    def _request_failed(self, request: Request) -> None:
        if request.url.startswith(self.base):
            self.failed.append(f"{request.url}: {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.url}: {response.status}")


@pytest.fixture
async def served(service: str, tmp_path: Path) -> AsyncIterator[tuple[FastAPI, str]]:
    app = build_app(service, tmp_path)
    try:
        async with serve_asgi(
            app, lifespan="off", name=service, start_within=10, stop_within=10
        ) as base_url:
            yield app, base_url
    finally:
        await app.state.service.runtime.stop()  # never started: closes the Mongo client only


@pytest.mark.slow
@pytest.mark.parametrize("service", sorted(SETTINGS))
async def test_docs_and_asyncapi_render_with_no_internet(
    service: str, served: tuple[FastAPI, str], browser: Browser, tmp_path: Path
) -> None:
    app, base = served
    visit = Visit(base=f"{base}/")
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        await context.route("**/*", visit.route)
        page = await context.new_page()
        visit.watch(page)

        # Swagger UI: every path of the service's OpenAPI document is listed.
        paths = set(app.openapi()["paths"])
        await page.goto(f"{base}/docs")
        await page.locator(".opblock-summary-path").first.wait_for(timeout=20_000)
        shown = {
            await item.get_attribute("data-path")
            for item in await page.locator(".opblock-summary-path").all()
        }
        assert paths <= shown, sorted(paths - shown)
        assert "/health" in shown
        assert app.title in await page.title()
        await page.screenshot(path=tmp_path / f"{service}-docs.png", full_page=True)

        # AsyncAPI viewer: every event the service consumes or produces is listed.
        events = [*CONSUMERS.get(service, ()), *PRODUCERS.get(service, ())]
        assert events, f"{service} has no events"
        await page.goto(f"{base}/asyncapi")
        operations = page.locator("#operations")
        await operations.get_by_text(events[0], exact=True).first.wait_for(timeout=20_000)
        text = await operations.inner_text()
        missing = [event for event in events if event not in text]
        assert not missing, missing
        await page.screenshot(path=tmp_path / f"{service}-asyncapi.png")
    finally:
        await context.close()

    assert visit.blocked == [], "the pages asked another host"
    assert visit.failed == [], "a local asset failed"
    assert visit.errors == [], "the page threw"
