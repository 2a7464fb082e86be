"""Four eyes through both services, on the real broker and store: drafting (HTTP) names
everyone who wrote, rewrote or submitted the draft in ``draft.submitted``; review (HTTP)
refuses the approval of any of them, whatever roles they hold, and lets another reviewer
approve, which drafting then sees."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.review.bootstrap import build_service
from services.review.settings import ReviewSettings
from shared.clock import FixedClock
from shared.runtime import ServiceRuntime
from tests.integration.drafting.drafting_live import NOW, Drafting, drafting
from tests.support.backbone import wait_for
from tests.support.services import TOKENS, auth, make_settings, running

pytestmark = pytest.mark.integration

ZOE_TOKEN = "editor-reviewer-token-00001"
LIVE_TOKENS = {**TOKENS, ZOE_TOKEN: {"subject": "zoe", "roles": ["editor", "reviewer"]}}
ED = auth("editor-token-000000000002")  # ed, editor
RITA = auth("reviewer-token-0000000001")  # rita, reviewer
ERIN_BOTH = auth("reviewer-token-0000000002")  # erin, reviewer + editor
ZOE = auth(ZOE_TOKEN)  # zoe, editor + reviewer
FOUR_EYES = "Four-eyes rule: you cannot approve your own draft"


@dataclass
class Live:
    drafting: Drafting
    review: httpx.AsyncClient
    review_runtime: ServiceRuntime

    async def create(self, headers: dict[str, str], **fields: Any) -> str:
        draft = await self.drafting.create_draft(headers, author="王编辑", **fields)
        return str(draft["id"])

    async def edit(self, draft_id: str, headers: dict[str, str], **fields: Any) -> None:
        answer = await self.drafting.client.patch(
            f"/drafts/{draft_id}", json=fields, headers=headers
        )
        assert answer.status_code == 200, answer.text

    async def submit(self, draft_id: str, headers: dict[str, str]) -> None:
        answer = await self.drafting.submit(draft_id, headers)
        assert answer.status_code in (200, 201), answer.text

    async def review_of(self, draft_id: str) -> dict[str, Any]:
        found: dict[str, Any] = {}

        async def queued() -> bool:
            page = await self.review.get("/reviews", params={"state": "any"}, headers=RITA)
            for item in page.json()["items"]:
                if item["draft_id"] == draft_id:
                    found.update(item)
                    return True
            return False

        await wait_for(queued, timeout=20)
        return found

    async def approve(self, review_id: str, headers: dict[str, str]) -> httpx.Response:
        return await self.review.post(f"/reviews/{review_id}/approve", json={}, headers=headers)

    async def refused_as_four_eyes(self, review_id: str, headers: dict[str, str], who: str) -> None:
        answer = await self.approve(review_id, headers)
        assert answer.status_code == 403, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        assert problem["title"] == FOUR_EYES
        assert problem["type"] == "urn:contentops:problem:review:four-eyes-violation"
        assert f"{who} wrote or submitted this draft" in problem["detail"]
        # no decision and no event: still pending, nothing in review's outbox
        detail = (await self.review.get(f"/reviews/{review_id}", headers=RITA)).json()
        assert detail["state"] == "pending"
        outbox = self.review_runtime.db["outbox"]
        assert await outbox.count_documents({"event_type": "draft.approved"}) == 0

    async def approved_by_another(self, draft_id: str, review_id: str) -> None:
        answer = await self.approve(review_id, RITA)
        assert answer.status_code == 200, answer.text
        assert answer.json()["state"] == "approved"

        async def drafting_saw_it() -> bool:
            return (await self.drafting.draft(draft_id))["state"] == "scheduled"

        await wait_for(drafting_saw_it, timeout=20)
        draft = await self.drafting.draft(draft_id)
        assert draft["approval"]["reviewer"] == "rita"


@contextlib.asynccontextmanager
async def live(namespace: str, mongo_url: str) -> AsyncIterator[Live]:
    settings = make_settings(ReviewSettings, namespace, mongo_url, api_tokens=LIVE_TOKENS)
    service = build_service(settings, clock=FixedClock(NOW))
    app = service.app()
    async with (
        drafting(namespace, mongo_url, api_tokens=LIVE_TOKENS) as writing,
        running(service.runtime),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as client,
    ):
        yield Live(drafting=writing, review=client, review_runtime=service.runtime)


async def test_who_rewrote_a_revision_cannot_approve_when_someone_else_submitted(
    namespace: str, mongo_url: str
) -> None:
    async with live(namespace, mongo_url) as lv:
        draft_id = await lv.create(ED)
        await lv.edit(draft_id, ZOE, digest="zoe 改写了摘要。")
        await lv.submit(draft_id, ED)
        revisions = await lv.drafting.client.get(f"/drafts/{draft_id}/revisions", headers=RITA)
        written = {r["revision"]: r["by"] for r in revisions.json()["items"]}
        assert written == {1: "ed", 2: "zoe"}  # each revision records who wrote it

        queued = await lv.review_of(draft_id)
        assert (queued["revision"], queued["submitted_by"]) == (2, "ed")

        await lv.refused_as_four_eyes(queued["review_id"], ZOE, "zoe")
        await lv.approved_by_another(draft_id, queued["review_id"])


async def test_an_editor_who_is_also_a_reviewer_cannot_approve_own_work(
    namespace: str, mongo_url: str
) -> None:
    async with live(namespace, mongo_url) as lv:
        # erin writes it with her editor+reviewer token, under another byline; ed submits
        draft_id = await lv.create(ERIN_BOTH)
        await lv.submit(draft_id, ED)
        queued = await lv.review_of(draft_id)

        await lv.refused_as_four_eyes(queued["review_id"], ERIN_BOTH, "erin")
        await lv.approved_by_another(draft_id, queued["review_id"])
