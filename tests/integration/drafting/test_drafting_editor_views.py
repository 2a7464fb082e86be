"""What editors read: revision history and diffs, filtered lists, materials, topic ideas
from reports and feedback digests, and the service's metrics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from drafting_live import DIRECTOR, ED, ERIN, NOW, drafting, publish_raw

from shared.events import (
    Category,
    DigestQuestion,
    DigestTheme,
    FeedbackDigestReady,
    FeedbackDigestReadyPayload,
    ReportKind,
    ReportReady,
    ReportReadyPayload,
    TopicIdea,
)
from tests.support.backbone import wait_for

pytestmark = pytest.mark.integration


async def test_every_edit_is_a_revision_and_two_revisions_can_be_diffed(
    namespace: str, mongo_url: str
) -> None:
    async with drafting(namespace, mongo_url) as svc:
        draft = await svc.create_draft(body_html="<p>第一段。</p><p>第二段。</p>")
        url = f"/drafts/{draft['id']}"
        await svc.client.patch(
            url, json={"body_html": "<p>第一段。</p><p>第二段，改过。</p>"}, headers=ED
        )
        await svc.client.patch(url, json={"title": "新标题", "expected_revision": 2}, headers=ERIN)
        stale = await svc.client.patch(
            url, json={"title": "晚了", "expected_revision": 2}, headers=ED
        )
        unchanged = await svc.client.patch(url, json={"title": "新标题"}, headers=ED)

        assert stale.status_code == 409
        assert unchanged.json()["revision"] == 3
        diff = (await svc.client.get(f"{url}/revisions/1/diff/3", headers=ERIN)).json()
        assert diff["changed_fields"] == ["title", "body_html"]
        lines = diff["diff"].splitlines()
        assert "-<p>第二段。</p>" in lines
        assert "+<p>第二段，改过。</p>" in lines
        assert "+新标题" in lines
        revisions = (await svc.client.get(f"{url}/revisions?limit=2", headers=ERIN)).json()
        assert revisions["total"] == 3
        assert [r["revision"] for r in revisions["items"]] == [3, 2]
        assert revisions["items"][1]["by"] == "ed"
        detail = await svc.draft(draft["id"])
        assert [r["changed"] for r in detail["revisions"]] == [
            ["title"],
            ["body_html"],
            ["created"],
        ]
        missing = await svc.client.get(f"{url}/revisions/1/diff/9", headers=ERIN)
        assert missing.status_code == 404


async def test_drafts_are_listed_by_state_category_author_and_slot_in_pages(
    namespace: str, mongo_url: str
) -> None:
    async with drafting(namespace, mongo_url) as svc:
        for n in range(3):
            await svc.create_draft(title=f"财务{n}")
        hr = await svc.create_draft(
            title="社保", category="hr", author="王编辑", wished_slot="2026-11-25T11:30:00+08:00"
        )
        await svc.submit(hr["id"])

        async def titles(query: str) -> tuple[list[str], int]:
            page = (await svc.client.get(f"/drafts?{query}", headers=DIRECTOR)).json()
            return [d["title"] for d in page["items"]], page["total"]

        assert await titles("category=hr") == (["社保"], 1)
        assert await titles("state=submitted") == (["社保"], 1)
        assert await titles("author=王编辑") == (["社保"], 1)
        assert await titles("slot=2026-11-25T03:30:00Z") == (["社保"], 1)
        first, total = await titles("category=finance&limit=2")
        second, _ = await titles("category=finance&limit=2&offset=2")
        assert total == 3
        assert sorted(first + second) == ["财务0", "财务1", "财务2"]
        bad = await svc.client.get("/drafts?state=lost", headers=ERIN)
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["field"] == "query.state"


async def test_materials_record_their_origin_and_are_listed(namespace: str, mongo_url: str) -> None:
    async with drafting(namespace, mongo_url) as svc:
        with_origin = await svc.create_material(name="a")
        without = await svc.create_material(origin=False, name="b")

        assert with_origin["origin"]["library"] == "视觉中国"
        assert without["has_origin"] is False
        missing = (await svc.client.get("/materials?missing_origin=true", headers=ERIN)).json()
        assert [m["id"] for m in missing["items"]] == [without["id"]]
        assert (await svc.client.get("/materials", headers=ERIN)).json()["total"] == 2
        got = await svc.client.get(f"/materials/{with_origin['id']}", headers=ERIN)
        assert got.json()["url"] == "https://img.example.cn/a.jpg"
        bad = await svc.client.post(
            "/materials",
            json={"title": "图", "url": "https://x.cn/c.jpg", "origin": {"library": "图库"}},
            headers=ERIN,
        )
        assert bad.status_code == 422
        assert {e["field"] for e in bad.json()["errors"]} == {
            "origin.url",
            "origin.credit",
            "origin.licence",
        }
        audit = await svc.runtime.db["audit"].count_documents({"action": "material.create"})
        assert audit == 2


async def test_topic_ideas_from_reports_and_digests_are_shown_ranked(
    namespace: str, mongo_url: str
) -> None:
    async with drafting(namespace, mongo_url) as svc:
        report = ReportReady(
            producer="reporting",
            occurred_at=NOW,
            correlation_id="rep-2026-w47",
            payload=ReportReadyPayload(
                report_id="rep-2026-w47",
                kind=ReportKind.BIWEEKLY,
                period_start=NOW - timedelta(days=14),
                period_end=NOW,
                topic_ideas=(
                    TopicIdea(topic="年终奖怎么计税", category=Category.FINANCE, score=9),
                    TopicIdea(topic="电子发票", category=Category.FINANCE, score=3),
                ),
            ),
        )
        digest = FeedbackDigestReady(
            producer="feedback",
            occurred_at=NOW,
            correlation_id="p-1",
            payload=FeedbackDigestReadyPayload(
                digest_id="dg-p-1",
                post_id="p-1",
                category=Category.FINANCE,
                window_start=NOW - timedelta(hours=24),
                window_end=NOW,
                themes=(DigestTheme(label="社保基数", count=4),),
                questions=(DigestQuestion(text="年终奖怎么计税？", asked_at=NOW, answered=False),),
            ),
        )

        await publish_raw(namespace, report, times=2)
        await publish_raw(namespace, digest)

        async def all_ideas() -> bool:
            page = (await svc.client.get("/topic-ideas", headers=ERIN)).json()
            return bool(page["total"] == 3)

        await wait_for(all_ideas)
        page = (await svc.client.get("/topic-ideas", headers=DIRECTOR)).json()
        topics = [i["topic"] for i in page["items"]]
        assert topics[0] == "年终奖怎么计税"
        assert set(topics) == {"年终奖怎么计税", "电子发票", "社保基数"}
        top = page["items"][0]
        assert {s["source"] for s in top["sources"]} == {"report", "feedback_question"}
        assert {s["source_id"] for s in top["sources"]} == {"rep-2026-w47", "dg-p-1"}
        assert all(s["date"] for s in top["sources"])
        questions = await svc.client.get("/topic-ideas?source=feedback_question", headers=ERIN)
        assert [i["topic"] for i in questions.json()["items"]] == ["年终奖怎么计税？"]
        assert await svc.runtime.db["topic_ideas"].count_documents({}) == 4


async def test_metrics_show_drafts_by_state_and_transitions(namespace: str, mongo_url: str) -> None:
    async with drafting(namespace, mongo_url, state_gauge_seconds=0.1) as svc:
        draft = await svc.create_draft()
        await svc.submit(draft["id"])
        await svc.client.post("/drafts", json={"title": "x"}, headers=ERIN)
        refused = await svc.client.post(
            "/drafts",
            json={
                "title": "x",
                "category": "hr",
                "body_html": "<script>x()</script>",
            },
            headers=ERIN,
        )
        assert refused.status_code == 422

        async def gauge_counted() -> bool:
            text = (await svc.client.get("/metrics")).text
            return 'contentops_drafts{state="submitted"} 1.0' in text

        await wait_for(gauge_counted)
        text = (await svc.client.get("/metrics")).text
        assert 'contentops_drafts{state="editing"} 0.0' in text
        assert (
            'contentops_draft_transitions_total{from_state="editing",to_state="submitted"} 1.0'
            in text
        )
        assert 'contentops_draft_inputs_refused_total{field="body_html"} 1.0' in text
