"""Benchmark: the console's pages against the services' own API time for the same data (#13).

Needs RabbitMQ on 127.0.0.1:5672; starts its own SecantusDB. Run:
``.venv/bin/python bench/console.py [DRAFTS]`` (default 300 drafts, 60 of them submitted
for review; ``BENCH_QUICK=1``: 60 and 20, one run). Drafting, review and the gateway run
on the real broker and store, each served by uvicorn in this process, with the business
clock fixed on a Monday at 08:30 China time. A person holding the editor and reviewer
roles signs in; each run requests every page ``REQUESTS`` times in turn, and the API
calls the page makes, straight to the service with a static token:

- ``/drafts`` (50 drafts) against drafting ``GET /drafts?limit=50``;
- ``/drafts/<id>`` (the editor) against ``GET /drafts/<id>``;
- ``/reviews`` (50 pending) against review ``GET /reviews?limit=50``;
- ``/reviews/<id>`` (a finding highlighted) against ``GET /reviews/<id>``;
- ``/today`` against its calls made one after another (drafts editing, drafts rejected,
  reviews pending; the publisher and feedback are not run, so their parts are marked
  unavailable at once).

Goal (#13): every page's p95 under 200 ms. The overhead (page p95 minus API p95) is
printed as context: session check, person token, HTTP hop, rendering.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from bench.support.harness import Goal, note, pick, repeat_async, report  # noqa: E402
from services.gateway import usecases  # noqa: E402
from shared.logging import configure_logging  # noqa: E402
from shared.settings import Principal, Role  # noqa: E402
from tests.browser.console_stack import Stack, console_stack  # noqa: E402
from tests.support.servers import SecantusServer  # noqa: E402
from tests.support.services import auth  # noqa: E402

GOAL = Goal("<", 200.0, " ms")
REQUESTS = pick(60, 20)
EDITOR = auth("editor-token-000000000001")  # erin, editor
REVIEWER = auth("reviewer-token-0000000001")  # rita, reviewer
ROOT = Principal(subject="bench", roles=frozenset({Role.ADMIN}))
PASSWORD = "Bench-secret-0001"


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18] if len(samples) >= 20 else max(samples)


async def timed(call: Callable[[], Awaitable[httpx.Response]], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        answer = await call()
        samples.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{answer.request.url}: {answer.status_code} {answer.text[:300]}")
    return samples


async def seed(stack: Stack, api: httpx.AsyncClient, drafts: int, submitted: int) -> None:
    urls = stack.gateway.runtime.settings.service_urls
    body = "今年的个税汇算将于三月开始。" * 20 + "\n\n文中提到的赌场案例与本主题无关。"
    ids = []
    for n in range(drafts):
        answer = await api.post(
            f"{urls['drafting']}/drafts",
            json={"title": f"稿件 {n}", "category": "finance", "body_html": f"<p>{body}</p>"},
            headers=EDITOR,
        )
        answer.raise_for_status()
        ids.append(answer.json()["id"])
    for draft_id in ids[:submitted]:
        submit = await api.post(f"{urls['drafting']}/drafts/{draft_id}/submit", headers=EDITOR)
        submit.raise_for_status()
    reviews = stack.review.runtime.db["reviews"]
    for _ in range(600):
        if await reviews.count_documents({}) >= submitted:
            return
        await asyncio.sleep(0.1)
    raise RuntimeError("the reviews never arrived")


async def main() -> None:
    configure_logging("bench", level="WARNING", fmt="console")
    drafts = int(sys.argv[1]) if len(sys.argv) > 1 else pick(300, 60)
    submitted = max(1, drafts // 5)
    server = SecantusServer()
    server.start()
    try:
        async with console_stack(server.url) as stack, httpx.AsyncClient(timeout=30) as api:
            note(f"seeding {drafts} drafts, {submitted} submitted for review")
            await seed(stack, api, drafts, submitted)
            command = usecases.PersonCreate("erin", "Erin", ["editor", "reviewer"], PASSWORD)
            await usecases.create_person(command, deps=stack.gateway.deps, actor=ROOT)
            urls = stack.gateway.runtime.settings.service_urls
            drafting, review = urls["drafting"], urls["review"]
            async with httpx.AsyncClient(base_url=stack.base, timeout=30) as console:
                signed = await console.post(
                    "/signin", data={"username": "erin", "password": PASSWORD}
                )
                assert signed.status_code == 303, signed.text
                some_draft = (await api.get(f"{drafting}/drafts", headers=EDITOR)).json()
                draft_id = some_draft["items"][0]["id"]
                queue = (await api.get(f"{review}/reviews", headers=REVIEWER)).json()
                review_id = queue["items"][0]["review_id"]

                async def today_api() -> httpx.Response:
                    await api.get(f"{drafting}/drafts?state=editing&limit=100", headers=EDITOR)
                    await api.get(f"{drafting}/drafts?state=rejected&limit=100", headers=EDITOR)
                    return await api.get(f"{review}/reviews?limit=50", headers=REVIEWER)

                pairs: dict[str, tuple[Callable[[], Awaitable[httpx.Response]], ...]] = {
                    "drafts": (
                        lambda: console.get("/drafts"),
                        lambda: api.get(f"{drafting}/drafts?limit=50", headers=EDITOR),
                    ),
                    "editor": (
                        lambda: console.get(f"/drafts/{draft_id}"),
                        lambda: api.get(f"{drafting}/drafts/{draft_id}", headers=EDITOR),
                    ),
                    "reviews": (
                        lambda: console.get("/reviews"),
                        lambda: api.get(f"{review}/reviews?limit=50", headers=REVIEWER),
                    ),
                    "review": (
                        lambda: console.get(f"/reviews/{review_id}"),
                        lambda: api.get(f"{review}/reviews/{review_id}", headers=REVIEWER),
                    ),
                    "today": (lambda: console.get("/today"), today_api),
                }

                async def one_run() -> dict[str, float]:
                    figures: dict[str, float] = {}
                    for name, (page, own_api) in pairs.items():
                        page_ms = await timed(page, REQUESTS)
                        api_ms = await timed(own_api, REQUESTS)
                        figures[f"{name}_page_p95"] = p95(page_ms)
                        figures[f"{name}_api_p95"] = p95(api_ms)
                    return figures

                async def warmup() -> None:
                    for page, own_api in pairs.values():
                        await page()
                        await own_api()

                spreads = await repeat_async(one_run, warmup=warmup)
        for name in ("drafts", "editor", "reviews", "review", "today"):
            report(f"console_{name}_page_p95", spreads[f"{name}_page_p95"], GOAL)
            report(
                f"console_{name}_api_p95",
                spreads[f"{name}_api_p95"],
                unit=" ms",
                label="the service's own API for the same data",
            )
    finally:
        server.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
