"""The real console for browser tests: drafting, review and the gateway on the real broker
and store (one namespace), served by uvicorn on free ports, with a business clock fixed
at Monday 08:30 China time; and a browser page watcher (console errors, failed requests,
axe-core accessibility, screenshots under var/screenshots/)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from playwright.async_api import ConsoleMessage, Page, Request, Response

from services.drafting.bootstrap import build_service as build_drafting
from services.drafting.settings import DraftingSettings
from services.gateway.bootstrap import build_service as build_gateway
from services.review.bootstrap import build_service as build_review
from services.review.settings import ReviewSettings
from tests.integration.gateway.gateway_support import ADMIN, gateway_settings, new_keypair
from tests.support.servers import ROOT, serve_asgi
from tests.support.services import delete_namespace, make_settings, new_namespace

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "tests" / "support" / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "var" / "screenshots"
MONDAY_0830 = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
CLOSED = "http://127.0.0.1:9"  # publisher, feedback, reporting are not run here
FIXED = {"clock_mode": "fixed", "clock_sim_epoch": MONDAY_0830}


@dataclass(frozen=True)
class Stack:
    base: str
    gateway: Any
    drafting: Any
    review: Any


@contextlib.asynccontextmanager
async def console_stack(mongo_url: str, *, accounts_json: str = "") -> AsyncIterator[Stack]:
    """The stack; ``accounts_json`` (an ``ACCOUNTS`` value) runs several official accounts
    in every service (#12)."""
    namespace = new_namespace()
    private, public = new_keypair()
    keys: dict[str, Any] = {"person_token_keys": [public]}
    if accounts_json:
        keys["accounts_json"] = accounts_json
    drafting = build_drafting(
        make_settings(DraftingSettings, namespace, mongo_url, **keys, **FIXED)
    )
    review = build_review(
        make_settings(
            ReviewSettings, namespace, mongo_url, overdue_poll_seconds=0.5, **keys, **FIXED
        )
    )
    try:
        async with contextlib.AsyncExitStack() as stack:
            urls = {}
            for name, service in (("drafting", drafting), ("review", review)):
                urls[name] = await stack.enter_async_context(
                    serve_asgi(
                        service.app(), lifespan="on", name=name, start_within=30, stop_within=30
                    )
                )
            urls.update({"publisher": CLOSED, "feedback": CLOSED, "reporting": CLOSED})
            more = {"accounts_json": accounts_json} if accounts_json else {}
            gateway = build_gateway(
                gateway_settings(namespace, mongo_url, private, service_urls=urls, **more, **FIXED)
            )
            base = await stack.enter_async_context(
                serve_asgi(
                    gateway.app(), lifespan="on", name="gateway", start_within=30, stop_within=30
                )
            )
            for _ in range(200):  # the first admin is created by a start-up job
                if await gateway.deps.people.get(ADMIN[0]) is not None:
                    break
                await asyncio.sleep(0.05)
            yield Stack(base=base, gateway=gateway, drafting=drafting, review=review)
    finally:
        await delete_namespace(namespace)


@dataclass
class Watcher:
    """What went wrong on the console's pages while a test browsed them."""

    base: str
    expected_status: set[int] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _failed(self, request: Request) -> None:
        self.problems.append(f"request failed: {request.url} {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and response.status not in self.expected_status:
            self.problems.append(f"{response.status}: {response.url}")


async def check_page(page: Page, name: str) -> None:
    """Screenshot ``name`` and fail on serious or critical axe-core violations."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    await page.add_script_tag(path=str(AXE))
    result = await page.evaluate(
        "async () => { const r = await axe.run(document); return r.violations.map("
        "v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 3).map(n => n.html)})); }"
    )
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert not serious, f"{name}: {json.dumps(serious, ensure_ascii=False, indent=1)}"
