"""Helpers of the review integration tests: the review service in-process on the real
broker and store, with recorders around it.

``drafting`` is a recording runtime: it publishes ``draft.submitted`` through its outbox
and records the ``draft.approved``/``draft.rejected`` it consumes; ``publisher`` records
the approvals it consumes. The review service runs on a :class:`FixedClock`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from services.review.bootstrap import build_service
from services.review.deps import ReviewDeps
from services.review.settings import ReviewSettings
from shared.clock import FixedClock
from shared.events import (
    Category,
    ContentSnapshot,
    DraftSubmitted,
)
from shared.runtime import ServiceRuntime
from tests.support.backbone import emit, recording_runtime, wait_for
from tests.support.events import draft_submitted
from tests.support.recording import CONSUMED
from tests.support.services import auth, make_settings

RITA = auth("reviewer-token-0000000001")  # rita, reviewer
ERIN_REVIEWER = auth("reviewer-token-0000000002")  # erin, reviewer + editor
ADMIN = auth("admin-token-0000000000001")
EDITOR = auth("editor-token-000000000001")

MONDAY_0830 = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
MONDAY_SLOT = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)  # 11:30 in Shanghai
WEDNESDAY_SLOT = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)


def content(
    body: str = "<p>今年的个人所得税汇算清缴将于3月1日开始。</p>", **kw: Any
) -> ContentSnapshot:
    return ContentSnapshot.model_validate(
        {
            "title": "2026年个税汇算清缴要点",
            "category": Category.FINANCE,
            "digest": "三分钟看懂今年的汇算清缴。",
            "body_html": body,
            "author": "erin",
            **kw,
        }
    )


def submitted(
    draft_id: str,
    snapshot: ContentSnapshot | None = None,
    *,
    revision: int = 1,
    by: str = "erin",
    at: datetime = MONDAY_0830,
    wished: datetime | None = MONDAY_SLOT,
) -> DraftSubmitted:
    return draft_submitted(
        snapshot or content(), draft_id=draft_id, revision=revision, by=by, at=at, wished=wished
    )


@dataclass
class Harness:
    """The review service and its neighbours, for one test."""

    client: httpx.AsyncClient
    review: ServiceRuntime
    deps: ReviewDeps
    drafting: ServiceRuntime
    publisher: ServiceRuntime
    clock: FixedClock

    async def submit(self, event: DraftSubmitted) -> dict[str, Any]:
        """Publish through drafting's outbox and wait until the review exists."""
        await emit(self.drafting, event)
        return await self.review_of(event.payload.draft_id, event.payload.revision)

    async def review_of(self, draft_id: str, revision: int = 1) -> dict[str, Any]:
        found: dict[str, Any] = {}

        async def listed() -> bool:
            page = await self.client.get("/reviews", params={"state": "any"}, headers=RITA)
            for item in page.json()["items"]:
                if (item["draft_id"], item["revision"]) == (draft_id, revision):
                    found.update(item)
                    return True
            return False

        await wait_for(listed, timeout=15)
        return found

    async def consumed(self, runtime: ServiceRuntime, event_type: str) -> list[dict[str, Any]]:
        cursor = runtime.db[CONSUMED].find({"event_type": event_type})
        return await cursor.to_list(None)

    async def wait_consumed(
        self, runtime: ServiceRuntime, event_type: str, count: int = 1
    ) -> list[dict[str, Any]]:
        async def arrived() -> bool:
            return len(await self.consumed(runtime, event_type)) >= count

        await wait_for(arrived, timeout=15)
        return await self.consumed(runtime, event_type)

    async def audit(self, action: str) -> list[dict[str, Any]]:
        return await self.review.db["audit"].find({"action": action}).to_list(None)


@contextlib.asynccontextmanager
async def harness(
    namespace: str, mongo_url: str, *, second_replica: bool = False, **extra: Any
) -> AsyncIterator[Harness]:
    clock = FixedClock(MONDAY_0830)
    settings = make_settings(
        ReviewSettings,
        namespace,
        mongo_url,
        overdue_poll_seconds=0.05,
        gauge_refresh_seconds=0.5,
        **extra,
    )
    service = build_service(settings, clock=clock)
    app = service.app()
    runtime = service.runtime
    drafting = recording_runtime("drafting", namespace, mongo_url)
    publisher = recording_runtime("publisher", namespace, mongo_url)
    async with contextlib.AsyncExitStack() as stack:
        for rt in (drafting, publisher, runtime):
            await rt.start()
            stack.push_async_callback(rt.stop)
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://review")
        )
        yield Harness(
            client=client,
            review=runtime,
            deps=service.deps,
            drafting=drafting,
            publisher=publisher,
            clock=clock,
        )
