"""The lexicon is data: an admin changes it at run time and every replica checks with it."""

from __future__ import annotations

import contextlib

import httpx
import pytest
from review_harness import ADMIN, EDITOR, RITA, Harness, content, submitted

from services.review.bootstrap import create_app
from services.review.settings import ReviewSettings
from tests.support.services import make_settings

pytestmark = pytest.mark.integration


async def test_an_admin_adds_a_term_and_the_next_check_finds_it_with_the_new_version(
    h: Harness,
) -> None:
    before = (await h.client.get("/lexicon", headers=RITA)).json()
    term = {"text": "蓝鲸计划", "category": "confidential", "note": "未公布的项目代号"}

    assert (await h.client.post("/lexicon/terms", json=term, headers=RITA)).status_code == 403
    added = await h.client.post("/lexicon/terms", json=term, headers=ADMIN)

    assert added.status_code == 201, added.text
    after = added.json()
    assert after["version"] != before["version"]
    assert after["revision"] == before["revision"] + 1
    assert after["term"]["source"] == "added"
    assert after["term"]["severity"] == "block"  # the category's default
    queued = await h.submit(submitted("d-lexicon", content("<p>蓝鲸计划将于明年启动。</p>")))
    detail = (await h.client.get(f"/reviews/{queued['review_id']}", headers=RITA)).json()
    assert detail["lexicon_version"] == after["version"]
    assert [(f["matched"], f["severity"]) for f in detail["findings"]] == [("蓝鲸计划", "block")]
    [entry] = await h.audit("lexicon.add")
    assert entry["actor"] == "root"
    assert entry["details"]["text"] == "蓝鲸计划"

    removed = await h.client.delete("/lexicon/terms", params={"text": "蓝鲸计划"}, headers=ADMIN)

    assert removed.status_code == 200
    assert removed.json()["version"] == before["version"]  # the version names the content
    listed = await h.client.get("/lexicon/terms", params={"q": "蓝鲸"}, headers=EDITOR)
    assert listed.json()["total"] == 0


async def test_every_replica_picks_up_a_lexicon_change(
    h: Harness, namespace: str, mongo_url: str
) -> None:
    other = create_app(make_settings(ReviewSettings, namespace, mongo_url), clock=h.clock)
    async with contextlib.AsyncExitStack() as stack:
        # the second replica's API reads the shared store; no need to start its consumers
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://r2")
        )
        stack.push_async_callback(other.state.service.runtime.mongo.close)
        seen_before = (await client.get("/lexicon", headers=RITA)).json()

        added = await h.client.post(
            "/lexicon/terms", json={"text": "网上代练", "category": "spam"}, headers=ADMIN
        )

        seen_after = (await client.get("/lexicon", headers=RITA)).json()
        assert seen_after["version"] == added.json()["version"] != seen_before["version"]
        checker = await other.state.service.deps.checkers.checker()
        assert [f.matched for f in checker.check("承接网上代练").findings] == ["网上代练"]


async def test_bad_lexicon_changes_are_named_and_nothing_is_stored(h: Harness) -> None:
    short = await h.client.post(
        "/lexicon/terms", json={"text": "赌", "category": "gambling_violence"}, headers=ADMIN
    )
    assert short.status_code == 422
    assert short.json()["errors"][0]["field"] == "text"
    unknown = await h.client.post(
        "/lexicon/terms", json={"text": "某词", "category": "gossip"}, headers=ADMIN
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "category"
    missing = await h.client.delete("/lexicon/terms", params={"text": "从未有过"}, headers=ADMIN)
    assert missing.status_code == 404
    assert (await h.client.get("/lexicon", headers=RITA)).json()["revision"] == 0
    assert await h.review.db["audit"].count_documents({}) == 0
