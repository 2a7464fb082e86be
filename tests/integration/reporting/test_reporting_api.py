"""On-demand reports and reading reports through the HTTP API."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import openpyxl
import pytest
from docx import Document
from reporting_live import DIRECTOR, EDITOR, REVIEWER, reporting, utc

from tests.support.reporting_events import failed, feedback, published

pytestmark = pytest.mark.integration

NOW = utc(2026, 12, 9, 2, 0)  # Wed 10:00 China time: no timed run is due while tests run


async def test_a_period_without_posts_gives_a_clear_non_empty_report(
    namespace: str, mongo_url: str
) -> None:
    async with reporting(namespace, mongo_url, at=NOW) as svc:
        response = await svc.client.post(
            "/reports", json={"start": "2026-11-02", "end": "2026-11-08"}, headers=DIRECTOR
        )
        assert response.status_code == 201, response.text
        body = response.json()
        report_id = body["id"]
        assert response.headers["location"] == f"/reports/{report_id}"
        assert body["kind"] == "custom"
        assert body["requested_by"] == "liu"
        assert body["report"]["notes"] == [{"code": "no_posts", "params": {}}]
        assert body["posts"] == 0
        assert body["summary"] == "本期没有发布推送，以下各项数据均为零。"
        assert len(body["report"]["categories"]) == 5
        plan = body["report"]["recommendations"]["plan"]
        assert [s["idea"]["source"] for s in plan] == ["rotation"] * 6

        html = await svc.client.get(f"/reports/{report_id}.html", headers=EDITOR)
        assert html.headers["content-type"] == "text/html; charset=utf-8"
        assert '<html lang="zh-CN">' in html.text
        assert "本期没有发布推送" in html.text
        assert "本期没有推送。" in html.text
        english = await svc.client.get(f"/reports/{report_id}.html?lang=en", headers=EDITOR)
        assert "No posts were published in this period" in english.text
        unknown = await svc.client.get(f"/reports/{report_id}.html?lang=fr", headers=EDITOR)
        assert unknown.status_code == 422
        assert {e["field"] for e in unknown.json()["errors"]} == {"query.lang"}
        xlsx = await svc.client.get(f"/reports/{report_id}.xlsx", headers=EDITOR)
        summary = openpyxl.load_workbook(io.BytesIO(xlsx.content))["摘要"]
        notes = [row[1] for row in summary.iter_rows(values_only=True) if row[0] == "说明"]
        assert notes == [body["summary"]]
        docx = await svc.client.get(f"/reports/{report_id}.docx", headers=EDITOR)
        assert docx.status_code == 200
        assert docx.headers["content-type"].startswith("application/vnd.openxmlformats")
        document = Document(io.BytesIO(docx.content))
        assert document.sections[0].header.paragraphs[0].text.startswith("运营分析（自定义时段）")
        csv = await svc.client.get(f"/reports/{report_id}/csv/categories", headers=EDITOR)
        rows = csv.text.strip().splitlines()
        assert len(rows) == 1 + 5 + 1  # header, five categories, total
        assert rows[0].startswith("类别,推送数,失败,阅读")
        assert rows[-1].startswith("合计,0,0,0")
        csv_en = await svc.client.get(
            f"/reports/{report_id}/csv/categories?lang=en", headers=EDITOR
        )
        assert csv_en.text.splitlines()[-1].startswith("Total,0,0,0")

        event = await svc.wait_announced(report_id)
        assert event["kind"] == "custom"
        assert event["summary"] == body["summary"]
        assert sum(r["slots"] for r in event["recommended_mix"]) == 6  # the plan's six
        assert event["documents"]["docx"] == f"/reports/{report_id}.docx"
        audit = await svc.runtime.db["audit"].find_one({"target": report_id})
        assert audit is not None
        assert (audit["actor"], audit["action"]) == ("liu", "report.create")


async def test_a_custom_range_of_local_days_counts_the_posts_of_those_days(
    namespace: str, mongo_url: str
) -> None:
    async with reporting(namespace, mongo_url, at=NOW) as svc:
        await svc.publish(
            published("before", "hr", utc(2026, 11, 29, 15, 59)),  # Sun 23:59 local
            published("first", "hr", utc(2026, 11, 29, 16, 0)),  # Mon 00:00 local
            published("last", "finance", utc(2026, 11, 30, 15, 59)),  # Mon 23:59 local
            published("after", "finance", utc(2026, 11, 30, 16, 0)),  # Tue 00:00 local
            feedback("first", "metric", utc(2026, 11, 30), source="stats", reads=40, likes=2),
            failed("lost", utc(2026, 11, 30, 3, 30)),  # no category: cannot sit in a table
        )
        await svc.wait_count("posts", 5)
        await svc.wait_count("post_metrics", 1)

        response = await svc.client.post(
            "/reports", json={"start": "2026-11-30", "end": "2026-11-30"}, headers=REVIEWER
        )
        assert response.status_code == 201, response.text
        report = response.json()["report"]
        assert [p["post_id"] for p in report["posts"]] == ["first", "last"]
        assert report["totals"]["reads"] == 40
        assert [p["post_id"] for p in report["posts"] if p["has_feedback"]] == ["first"]
        assert report["previous_totals"]["posts"] == 1  # the day before: "before"
        assert report["notes"][-1] == {
            "code": "uncategorised",
            "params": {"count": 1, "posts": "lost"},
        }
        html = await svc.client.get(f"/reports/{response.json()['id']}.html", headers=EDITOR)
        assert "1 篇推送失败且类别不明，未计入各表：lost。" in html.text

        instants = await svc.client.post(
            "/reports",
            json={"start": "2026-11-30T00:00:00+08:00", "end": "2026-12-01T00:00:00+08:00"},
            headers=REVIEWER,
        )
        assert [p["post_id"] for p in instants.json()["report"]["posts"]] == ["first", "last"]


async def test_only_directors_and_reviewers_ask_for_reports_and_readers_need_a_token(
    namespace: str, mongo_url: str
) -> None:
    async with reporting(namespace, mongo_url, at=NOW) as svc:
        body = {"start": "2026-11-02", "end": "2026-11-08"}
        anonymous = await svc.client.post("/reports", json=body)
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"] == "application/problem+json"
        editor = await svc.client.post("/reports", json=body, headers=EDITOR)
        assert editor.status_code == 403
        assert (await svc.client.get("/reports")).status_code == 401
        assert await svc.count("reports") == 0
        assert await svc.count("audit") == 0
        created = await svc.client.post("/reports", json=body, headers=REVIEWER)
        assert created.status_code == 201
        listed = await svc.client.get("/reports", headers=EDITOR)
        assert listed.status_code == 200
        assert listed.json()["total"] == 1


BAD_BODIES = [
    ({"start": "2026-11-01T00:00", "end": "2026-11-08"}, "start"),  # no UTC offset
    ({"start": "yesterday", "end": "2026-11-08"}, "start"),
    ({"start": "2026-11-08", "end": "2026-11-01"}, "end"),
    ({"start": "2025-01-01", "end": "2026-11-01"}, "end"),  # over 400 days
    ({"kind": "weekly", "start": "2026-11-01", "end": "2026-11-08"}, "kind"),
    ({"start": "2026-11-01"}, "end"),
]


async def test_a_bad_range_is_refused_naming_the_field_and_nothing_is_stored(
    namespace: str, mongo_url: str
) -> None:
    async with reporting(namespace, mongo_url, at=NOW) as svc:
        for body, field in BAD_BODIES:
            response = await svc.client.post("/reports", json=body, headers=DIRECTOR)
            assert response.status_code == 422, (body, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert field in problem["detail"], body
            assert {e["field"] for e in problem["errors"]} == {field}, body
        assert await svc.count("reports") == 0
        assert await svc.count("report_files") == 0
        assert await svc.count("audit") == 0
        assert await svc.count("outbox") == 0


async def test_reports_are_listed_newest_first_in_pages_and_unknown_ones_are_404(
    namespace: str, mongo_url: str
) -> None:
    async with reporting(namespace, mongo_url, at=NOW) as svc:
        ids = []
        for day in (2, 3, 4):
            svc.clock.advance(timedelta(minutes=1))
            response = await svc.client.post(
                "/reports", json={"start": f"2026-11-0{day}", "end": "2026-11-08"}, headers=DIRECTOR
            )
            ids.append(response.json()["id"])
        page = (await svc.client.get("/reports?limit=2", headers=EDITOR)).json()
        assert (page["total"], page["offset"], page["limit"]) == (3, 0, 2)
        assert [item["id"] for item in page["items"]] == [ids[2], ids[1]]
        assert "report" not in page["items"][0]
        rest = (await svc.client.get("/reports?limit=2&offset=2", headers=EDITOR)).json()
        assert [item["id"] for item in rest["items"]] == [ids[0]]
        weekly = (await svc.client.get("/reports?kind=weekly", headers=EDITOR)).json()
        assert weekly["total"] == 0
        too_many = await svc.client.get("/reports?limit=500", headers=EDITOR)
        assert too_many.status_code == 422
        assert "limit" in too_many.json()["detail"]

        missing = await svc.client.get("/reports/weekly-2020-W01", headers=EDITOR)
        assert missing.status_code == 404
        assert missing.json()["title"] == "Report not found"
        assert (await svc.client.get("/reports/nope.html", headers=EDITOR)).status_code == 404
        table = await svc.client.get(f"/reports/{ids[0]}/csv/secrets", headers=EDITOR)
        assert table.status_code == 404
        assert "categories" in table.json()["detail"]
        archive = await svc.client.get(f"/reports/{ids[0]}/csv", headers=EDITOR)
        assert len(zipfile.ZipFile(io.BytesIO(archive.content)).namelist()) == 8
        assert (await svc.client.get("/reports/nope.docx", headers=EDITOR)).status_code == 404
