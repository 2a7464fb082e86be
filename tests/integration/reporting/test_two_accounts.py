"""Accounts (#12) on the real broker and store: two accounts (``default`` Mon/Wed/Fri
11:30, ``talent`` Tue/Thu 08:00) each get their own weekly report, one of both together
sums them and is not announced, and nobody reads an account they hold no role on, in any
list or format; asking for a report authorises on its account.

Week 48 (Mon 11-23 .. Sun 11-29 China time)::

    d1  default  hr       Wed 11-25 11:30   200 reads, one comment
    d2  default  finance  Fri 11-27 11:30   100 reads
    t1  talent   hr       Tue 11-24 08:00    50 reads, two comments (one with d1's id)
    t2  talent   services failed Thu 11-26 08:00
"""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any, TypeVar

import openpyxl
import pytest
from docx import Document
from pymongo import AsyncMongoClient
from reporting_live import DIRECTOR, Reporting, reporting, utc

from services.reporting.domain.posts import published_post_doc
from services.reporting.settings import ReportingSettings
from shared.events import EventEnvelope
from shared.mongo import MongoDoc
from tests.support.accounts import DIRECTOR_A, REVIEWER_A, REVIEWER_B, TWO_ACCOUNTS
from tests.support.backbone import wait_for
from tests.support.reporting_events import failed, feedback, published
from tests.support.services import auth, make_settings, queue_depths

pytestmark = pytest.mark.integration

E = TypeVar("E", bound=EventEnvelope)

START = utc(2026, 11, 30, 2, 0)  # Mon 10:00 China time, before the weekly run
WEEKLY_FIRED = utc(2026, 11, 30, 6, 31)  # Mon 14:31 China time
WED = utc(2026, 11, 25, 3, 30)
TUE = utc(2026, 11, 24, 0, 0)
IDS = ("weekly-2026-W48", "talent-weekly-2026-W48", "all_weekly-2026-W48")
LIMITED = auth(DIRECTOR_A)  # a director of default only
FORMATS = ("", ".html", ".xlsx", ".docx", "/csv", "/csv/categories", "/csv/accounts")


def of(account: str, event: E) -> E:
    return event.model_copy(update={"account": account})


def v1(event: E) -> E:
    return type(event).model_validate({**event.model_dump(), "schema_version": 1})


def week() -> list[EventEnvelope]:
    return [
        published("d1", "hr", WED),
        v1(published("d2", "finance", WED + timedelta(days=2))),  # before accounts: default's
        of("talent", published("t1", "hr", TUE)),
        of("talent", failed("t2", TUE + timedelta(days=2), category="services")),
        feedback("d1", "metric", WED + timedelta(hours=5), source="stats", reads=200),
        feedback("d2", "metric", WED + timedelta(days=2, hours=5), source="stats", reads=100),
        feedback("d1", "comment", WED + timedelta(hours=1), source_id="c1", text="好"),
        of("talent", feedback("t1", "metric", TUE + timedelta(hours=5), source="stats", reads=50)),
        of(
            "talent", feedback("t1", "comment", TUE + timedelta(hours=1), source_id="c1", text="赞")
        ),
        of(
            "talent", feedback("t1", "comment", TUE + timedelta(hours=2), source_id="c2", text="好")
        ),
    ]


async def ingest(svc: Reporting) -> None:
    await svc.publish(*week())
    await svc.wait_count("posts", 4)
    await svc.wait_count("feedback", 3)
    await svc.wait_count("post_metrics", 3)


async def weekly_reports(svc: Reporting) -> dict[str, dict[str, Any]]:
    await ingest(svc)
    svc.clock.set(WEEKLY_FIRED)
    return {report_id: await svc.wait_report(report_id) for report_id in IDS}


async def test_two_accounts_get_their_own_weekly_reports_and_one_that_sums_them(
    namespace: str, mongo_url: str
) -> None:
    async with reporting(namespace, mongo_url, at=START, accounts_json=TWO_ACCOUNTS) as svc:
        reports = await weekly_reports(svc)
        default, talent, combined = (reports[i] for i in IDS)
        assert (default["account"], talent["account"], combined["account"]) == (
            "default",
            "talent",
            None,
        )
        assert combined["combined"] is True
        assert combined["accounts"] == ["default", "talent"]
        assert [p["post_id"] for p in default["report"]["posts"]] == ["d1", "d2"]
        assert [p["post_id"] for p in talent["report"]["posts"]] == ["t1", "t2"]
        d, t, c = (r["report"]["totals"] for r in (default, talent, combined))
        assert (d["posts"], d["failed"], d["reads"], d["comments"]) == (2, 0, 300, 1)
        assert (t["posts"], t["failed"], t["reads"], t["comments"]) == (1, 1, 50, 2)
        assert (c["posts"], c["failed"], c["reads"], c["comments"]) == (3, 1, 350, 3)
        side_by_side = {r["account"]: r["totals"] for r in combined["report"]["by_account"]}
        assert side_by_side == {"default": d, "talent": t}

        # each account's plan is on its own calendar; all together has none
        assert {s["at"][11:16] for s in default["report"]["recommendations"]["plan"]} == {
            "03:30"  # 11:30 China time
        }
        assert {s["at"][11:16] for s in talent["report"]["recommendations"]["plan"]} == {
            "00:00"  # 08:00 China time
        }
        assert combined["report"]["recommendations"]["plan"] == []

        # report.ready: one per account, carrying it; none for all together
        for report_id in IDS[:2]:
            await svc.wait_announced(report_id)
        outbox = await svc.runtime.db["outbox"].find({"event_type": "report.ready"}).to_list(None)
        assert sorted((o["correlation_id"], o["headers"]["account"]) for o in outbox) == [
            ("talent-weekly-2026-W48", "talent"),
            ("weekly-2026-W48", "default"),
        ]
        assert await svc.announced("all_weekly-2026-W48") == []


async def test_the_report_of_all_together_says_which_accounts_it_covers(
    namespace: str, mongo_url: str
) -> None:
    async with reporting(namespace, mongo_url, at=START, accounts_json=TWO_ACCOUNTS) as svc:
        await weekly_reports(svc)
        url = "/reports/all_weekly-2026-W48"
        html = (await svc.client.get(f"{url}.html", headers=DIRECTOR)).text
        assert "公众号：融智财税、融智人才" in html
        assert "按公众号" in html
        english = (await svc.client.get(f"{url}.html?lang=en", headers=DIRECTOR)).text
        assert "Accounts: Rongzhi Tax、Rongzhi Talent" in english
        assert "All accounts" in english
        book = openpyxl.load_workbook(
            io.BytesIO((await svc.client.get(f"{url}.xlsx", headers=DIRECTOR)).content)
        )
        summary = {row[0]: row[1] for row in book["摘要"].iter_rows(values_only=True)}
        assert summary["公众号"] == "融智财税、融智人才"
        rows = list(book["按公众号"].iter_rows(min_row=3, values_only=True))
        assert [(r[0], r[1]) for r in rows] == [("融智财税", 2), ("融智人才", 1), ("合计", 3)]
        docx = Document(io.BytesIO((await svc.client.get(f"{url}.docx", headers=DIRECTOR)).content))
        assert "全部公众号" in docx.sections[0].header.paragraphs[0].text
        assert any(p.text == "公众号：融智财税、融智人才" for p in docx.paragraphs)
        csv = (await svc.client.get(f"{url}/csv/accounts", headers=DIRECTOR)).text
        assert csv.splitlines()[-1].startswith("合计,3,1,350")
        talent_html = (
            await svc.client.get("/reports/talent-weekly-2026-W48.html", headers=DIRECTOR)
        ).text
        assert "公众号：融智人才" in talent_html
        no_table = await svc.client.get("/reports/weekly-2026-W48/csv/accounts", headers=DIRECTOR)
        assert no_table.status_code == 404


async def test_a_director_of_one_account_never_sees_anothers_reports(
    namespace: str, mongo_url: str
) -> None:
    async with reporting(namespace, mongo_url, at=START, accounts_json=TWO_ACCOUNTS) as svc:
        await weekly_reports(svc)

        async def listed(query: str, headers: dict[str, str]) -> list[str]:
            response = await svc.client.get(f"/reports{query}", headers=headers)
            assert response.status_code == 200, response.text
            return sorted(item["id"] for item in response.json()["items"])

        assert await listed("", DIRECTOR) == sorted(IDS)
        assert await listed("?account=talent", DIRECTOR) == ["talent-weekly-2026-W48"]
        assert await listed("?combined=true", DIRECTOR) == ["all_weekly-2026-W48"]
        assert await listed("?combined=false", DIRECTOR) == sorted(IDS[:2])
        assert await listed("", LIMITED) == ["weekly-2026-W48"]
        assert await listed("?account=default", LIMITED) == ["weekly-2026-W48"]
        for query in ("?account=talent", "?combined=true"):
            response = await svc.client.get(f"/reports{query}", headers=LIMITED)
            assert response.status_code == 403, query
            assert response.headers["content-type"] == "application/problem+json"
        unknown = await svc.client.get("/reports?account=nobody", headers=DIRECTOR)
        assert unknown.status_code == 404
        assert {e["field"] for e in unknown.json()["errors"]} == {"account"}

        for report_id in IDS[1:]:
            for fmt in FORMATS:
                response = await svc.client.get(f"/reports/{report_id}{fmt}", headers=LIMITED)
                assert response.status_code == 404, (report_id, fmt)
                assert "融智人才" not in response.text
        own = await svc.client.get("/reports/weekly-2026-W48.xlsx", headers=LIMITED)
        assert own.status_code == 200

        followers = await svc.client.get(
            "/followers/summary?from=2026-11-23&to=2026-11-29", headers=LIMITED
        )
        assert followers.status_code == 200
        assert followers.json()["accounts"] == ["default"]
        assert [p["post_id"] for p in followers.json()["posts"]] == ["d1", "d2"]
        both = await svc.client.get(
            "/followers/summary?from=2026-11-23&to=2026-11-29", headers=DIRECTOR
        )
        assert {p["post_id"]: p["account"] for p in both.json()["posts"]} == {
            "t1": "talent",
            "d1": "default",
            "d2": "default",
        }
        assert [a["account"] for a in both.json()["by_account"]] == ["default", "talent"]
        forbidden = await svc.client.get(
            "/followers/summary?from=2026-11-23&to=2026-11-29&account=talent", headers=LIMITED
        )
        assert forbidden.status_code == 403


async def test_asking_for_a_report_authorises_on_its_account_and_changes_nothing_else(
    namespace: str, mongo_url: str
) -> None:
    async with reporting(namespace, mongo_url, at=START, accounts_json=TWO_ACCOUNTS) as svc:
        await ingest(svc)
        week48 = {"start": "2026-11-23", "end": "2026-11-29"}
        reviewer_a, reviewer_b = auth(REVIEWER_A), auth(REVIEWER_B)
        for body in ({**week48, "account": "talent"}, {**week48, "combined": True}):
            refused = await svc.client.post("/reports", json=body, headers=reviewer_a)
            assert refused.status_code == 403, body
            assert refused.headers["content-type"] == "application/problem+json"
        unknown = await svc.client.post(
            "/reports", json={**week48, "account": "nobody"}, headers=DIRECTOR
        )
        assert unknown.status_code == 404
        assert {e["field"] for e in unknown.json()["errors"]} == {"account"}
        assert await svc.count("reports") == 0
        assert await svc.count("audit") == 0
        assert await svc.count("outbox", {"event_type": "report.ready"}) == 0

        own = await svc.client.post(
            "/reports", json={**week48, "account": "talent"}, headers=reviewer_b
        )
        assert own.status_code == 201, own.text
        body = own.json()
        assert body["id"].startswith("talent-custom-")
        assert (body["account"], body["posts"], body["failed"]) == ("talent", 1, 1)
        event = await svc.wait_announced(body["id"])
        assert event["report_id"] == body["id"]
        together = await svc.client.post(
            "/reports", json={**week48, "combined": True}, headers=DIRECTOR
        )
        assert together.status_code == 201, together.text
        assert together.json()["id"].startswith("all_custom-")
        assert together.json()["report"]["totals"]["posts"] == 3
        audit = (
            await svc.runtime.db["audit"]
            .find({}, {"_id": 0, "actor": 1, "details": 1})
            .to_list(None)
        )
        assert sorted((a["actor"], a["details"]["account"]) for a in audit) == [
            ("liu", "*"),
            ("tom", "talent"),
        ]


async def test_one_account_has_no_report_of_all_together(namespace: str, mongo_url: str) -> None:
    async with reporting(namespace, mongo_url, at=START) as svc:
        await svc.publish(published("d1", "hr", WED))
        await svc.wait_count("posts", 1)
        svc.clock.set(WEEKLY_FIRED)
        await svc.wait_report("weekly-2026-W48")
        combined = await svc.client.post(
            "/reports",
            json={"start": "2026-11-23", "end": "2026-11-29", "combined": True},
            headers=DIRECTOR,
        )
        assert combined.status_code == 422
        assert {e["field"] for e in combined.json()["errors"]} == {"combined"}


async def test_feedback_naming_another_account_than_its_post_is_dead_lettered(
    namespace: str, mongo_url: str
) -> None:
    async with reporting(namespace, mongo_url, at=START, accounts_json=TWO_ACCOUNTS) as svc:
        await svc.publish(of("talent", published("t1", "hr", TUE)))
        await svc.wait_count("posts", 1)
        await svc.publish(feedback("t1", "comment", TUE, source_id="x", text="好"))

        async def dead_lettered() -> bool:
            depths = await queue_depths(namespace, "reporting", "feedback.received")
            return depths["dlq"] == 1

        await wait_for(dead_lettered, timeout=30)
        assert await svc.count("feedback") == 0


async def test_an_upgrade_keeps_the_history_as_the_default_accounts(
    namespace: str, mongo_url: str
) -> None:
    """Documents from before accounts (no ``account``) become the default account's at
    start-up: its old report keeps its id and routes, its posts count in its reports and
    in none of another account's."""
    settings = make_settings(ReportingSettings, namespace, mongo_url)
    client: AsyncMongoClient[MongoDoc] = AsyncMongoClient(mongo_url, tz_aware=True)
    old = published("old", "hr", WED)
    try:
        db = client[settings.database]
        await db["posts"].insert_one(
            {k: v for k, v in published_post_doc(old, None).items() if k != "account"}
        )
        await db["branches"].insert_one(
            {"_id": "pudong", "name": "浦东", "target": 3, "saved_at": WED, "event_id": "e"}
        )
        async with reporting(namespace, mongo_url, at=START, accounts_json=TWO_ACCOUNTS) as svc:
            await svc.wait_count("posts", 1, {"account": "default"})
            await svc.wait_count("branches", 1, {"account": "default"})
            svc.clock.set(WEEKLY_FIRED)
            body = await svc.wait_report("weekly-2026-W48")
            assert [p["post_id"] for p in body["report"]["posts"]] == ["old"]
            assert body["documents"]["html"] == "/reports/weekly-2026-W48.html"
            combined = await svc.wait_report("all_weekly-2026-W48")
            assert combined["report"]["totals"]["posts"] == 1

            async def skipped() -> bool:
                job = await svc.runtime.db["jobs"].find_one(
                    {"_id": "report:weekly:2026-W48@talent"}
                )
                return job is not None and job.get("state") == "skipped"

            await wait_for(skipped, timeout=30)  # talent has no data: no report of it
            assert await svc.count("reports", {"account": "talent"}) == 0
            summary = await svc.client.get(
                "/followers/summary?from=2026-11-23&to=2026-11-29", headers=LIMITED
            )
            assert [b["code"] for b in summary.json()["branches"]] == ["pudong"]
    finally:
        await client.close()
