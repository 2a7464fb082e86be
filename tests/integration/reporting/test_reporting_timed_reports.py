"""Timed reports built from events on the real broker and store, with China-time periods.

Posts sit on the boundaries (China time = UTC+8)::

    g  industry    Sat 10-31 23:59 local   October (the monthly report's previous month)
    a  industry    Sun 11-29 23:59 local   week 48, November
    b  hr          Mon 11-30 00:00 local   week 49, November      (UTC date: 11-29)
    c  finance     Mon 11-30 23:59 local   week 49, November
    d  industry    Tue 12-01 00:00 local   week 49, December      (UTC date: 11-30)
    e  management  failed 12-02            week 49
    f  services    failed, then published after reconciliation    week 49

Week 49 (Mon 11-30 .. Sun 12-06) spans the end of November. The monthly report fires on
Tue 12-01 14:30 local, the weekly and the biweekly (anchor 2026-01-05: 11-23 .. 12-06) on
Mon 12-07 14:30 local. A service whose first data comes in December skips November.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from reporting_live import DIRECTOR, Reporting, reporting, utc

from shared.events import DigestQuestion, DigestTheme, EventEnvelope, FailureCode
from tests.support.backbone import wait_for
from tests.support.reporting_events import digest, failed, feedback, published

pytestmark = pytest.mark.integration

START = utc(2026, 12, 1, 2, 0)  # Tue 10:00 local, before the monthly run
MONTHLY_FIRED = utc(2026, 12, 1, 6, 31)  # Tue 14:31 local
WEEKLY_FIRED = utc(2026, 12, 7, 6, 31)  # Mon 14:31 local


def scenario() -> list[EventEnvelope]:
    """The posts above and their feedback; figures are worked out in the tests."""
    return [
        published("g", "industry", utc(2026, 10, 31, 15, 59)),
        published("a", "industry", utc(2026, 11, 29, 15, 59)),
        published("b", "hr", utc(2026, 11, 29, 16, 0)),
        published("c", "finance", utc(2026, 11, 30, 15, 59)),
        published("d", "industry", utc(2026, 11, 30, 16, 0)),
        failed("e", utc(2026, 12, 2, 3, 30), category="management"),
        failed("f", utc(2026, 12, 4, 3, 30), category="services", code=FailureCode.OUTCOME_UNKNOWN),
        published("f", "services", utc(2026, 12, 4, 3, 40)),
        failed("b", utc(2026, 12, 1, 0, 0)),  # late news of an attempt: b went out
        # g, a: one snapshot each, one comment on a
        feedback("g", "metric", utc(2026, 11, 1), source="wechat_stats", reads=80),
        feedback(
            "a", "metric", utc(2026, 11, 30), source="wechat_stats", reads=1000, likes=30, shares=5
        ),
        feedback("a", "comment", utc(2026, 11, 29, 16, 30), text="好文"),
        # b: the latest snapshot wins; two comments (one sent twice), two enquiries, a message
        feedback(
            "b",
            "metric",
            utc(2026, 12, 1, 10),
            source="wechat_stats",
            reads=300,
            likes=12,
            shares=4,
        ),
        feedback(
            "b", "metric", utc(2026, 12, 1, 0), source="wechat_stats", reads=100, likes=5, shares=2
        ),
        feedback("b", "comment", utc(2026, 11, 30, 1), text="写得很好，受益匪浅", source_id="b-c1"),
        feedback("b", "comment", utc(2026, 11, 30, 1), text="写得很好，受益匪浅", source_id="b-c1"),
        feedback("b", "comment", utc(2026, 11, 30, 1, 30), text="赞", source_id="b-c2"),
        feedback(
            "b", "comment", utc(2026, 11, 30, 2), text="请问社保基数怎么调整？", source_id="b-c3"
        ),
        feedback(
            None,
            "reply",
            utc(2026, 11, 30, 5),
            text="您好，见下期推文",
            source="wechat_reply",
            in_reply_to="wechat_comment:b-c3",
        ),  # 3 h, no post_id
        feedback(
            "b", "message", utc(2026, 11, 30, 2, 30), text="谢谢分享", source="wechat_message"
        ),
        feedback(
            "b",
            "message",
            utc(2026, 11, 30, 3),
            text="个税汇算什么时候开始？",
            source="wechat_message",
            source_id="b-q2",
        ),
        feedback(
            "b",
            "reply",
            utc(2026, 11, 30, 20),
            text="3月1日开始",
            source="wechat_reply",
            in_reply_to="wechat_message:b-q2",
        ),  # 17 h: late
        # c: an enquiry never answered (asked Tue 08:00 local)
        feedback("c", "metric", utc(2026, 12, 1, 8), source="wechat_stats", reads=200, likes=10),
        feedback("c", "message", utc(2026, 12, 1, 0), text="发票怎么开", source="crm"),
        # d: a comment, a snapshot, and a digest without a category (the post's is used)
        feedback(
            "d",
            "metric",
            utc(2026, 12, 1, 12),
            source="wechat_stats",
            reads=500,
            likes=20,
            shares=10,
        ),
        feedback("d", "comment", utc(2026, 12, 1, 1), text="不错"),
        feedback("f", "metric", utc(2026, 12, 4, 10), source="wechat_stats", reads=50),
        digest(
            "d",
            utc(2026, 12, 2),
            sentiment={"positive": 3, "neutral": 1, "negative": 1},
            themes=(
                DigestTheme(
                    label="税务筹划",
                    terms=("税务", "筹划", "节税"),
                    count=4,
                    quotes=("怎么合法节税",),
                ),
            ),
            questions=(
                DigestQuestion(text="补贴怎么申报？", asked_at=utc(2026, 12, 1, 2), answered=False),
            ),
        ),
        digest(
            "b",
            utc(2026, 12, 1),
            category="hr",
            sentiment={"positive": 2, "neutral": 1},
            themes=(DigestTheme(label="社保基数", terms=("社保", "基数", "调整"), count=3),),
            questions=(
                DigestQuestion(
                    text="社保基数怎么调整？",
                    asked_at=utc(2026, 11, 30, 2),
                    answered=True,
                    reply="见下期推文",
                    replied_at=utc(2026, 11, 30, 5),
                ),
            ),
        ),
    ]


async def ingest(svc: Reporting) -> None:
    await svc.publish(*scenario())
    await svc.wait_count("posts", 6, {"status": "published"})
    await svc.wait_count("posts", 1, {"status": "failed"})
    await svc.wait_count("feedback", 10)
    await svc.wait_count("post_metrics", 6)
    await svc.wait_count("digests", 2)


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def total(report: dict[str, Any]) -> dict[str, Any]:
    metrics: dict[str, Any] = report["totals"]
    return metrics


def by_category(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["category"]: row["metrics"] for row in report["categories"]}


async def test_monthly_report_counts_november_in_china_time_and_announces_itself(
    namespace: str, mongo_url: str
) -> None:
    async with reporting(namespace, mongo_url, at=START) as svc:
        await ingest(svc)
        svc.clock.set(MONTHLY_FIRED)
        body = await svc.wait_report("monthly-2026-11")
        report = body["report"]

        assert body["kind"] == "monthly"
        assert body["key"] == "report:monthly:2026-11"
        assert at(body["period_start"]) == utc(2026, 10, 31, 16)  # Nov 1 00:00 local
        assert at(body["period_end"]) == utc(2026, 11, 30, 16)  # Dec 1 00:00 local
        assert report["period"]["label"] == "2026-11"
        assert report["previous_period"]["label"] == "2026-10"
        # d went out at 00:00 on Dec 1 local (still Nov 30 in UTC): not November's
        assert [p["post_id"] for p in report["posts"]] == ["a", "b", "c"]
        t = total(report)
        assert (t["posts"], t["failed"], t["reads"], t["comments"]) == (3, 0, 1500, 3)
        assert (t["messages"], t["enquiries"], t["replies_within_12h"]) == (1, 3, 1)
        # c's enquiry is 6.5 hours old when the report is made: not (yet) a breach
        assert t["enquiries_breached"] == 1
        assert (t["positive"], t["neutral"], t["negative"]) == (2, 1, 0)
        assert report["previous_totals"]["posts"] == 1  # g, Oct 31 23:59 local
        assert report["previous_totals"]["reads"] == 80
        cats = by_category(report)
        assert {c: m["posts"] for c, m in cats.items()} == {
            "industry": 1,
            "management": 0,
            "hr": 1,
            "finance": 1,
            "services": 0,
        }

        event = await svc.wait_announced("monthly-2026-11")
        assert event["kind"] == "monthly"
        assert at(event["period_start"]) == utc(2026, 10, 31, 16)
        assert event["documents"]["html"] == "/reports/monthly-2026-11.html"
        assert sum(r["slots"] for r in event["recommended_mix"]) == 6  # the next six pushes
        assert {r["category"] for r in event["recommended_mix"]} == set(cats)


async def test_weekly_and_biweekly_reports_of_a_week_spanning_the_month_end(
    namespace: str, mongo_url: str
) -> None:
    async with reporting(namespace, mongo_url, at=START) as svc:
        await ingest(svc)
        svc.clock.set(WEEKLY_FIRED)
        weekly = await svc.wait_report("weekly-2026-W49")
        biweekly = await svc.wait_report("biweekly-2026-11-23")

        report = weekly["report"]
        assert at(weekly["period_start"]) == utc(2026, 11, 29, 16)  # Mon 11-30 00:00 local
        assert at(weekly["period_end"]) == utc(2026, 12, 6, 16)  # Mon 12-07 00:00 local
        assert report["previous_period"]["label"] == "2026-W48"
        lines = [(p["post_id"], p["status"]) for p in report["posts"]]
        assert lines == [
            ("b", "published"),
            ("c", "published"),
            ("d", "published"),
            ("e", "failed"),
            ("f", "published"),
        ]
        t = total(report)
        assert (t["posts"], t["failed"]) == (4, 1)
        assert (t["reads"], t["likes"], t["shares"], t["comments"]) == (1050, 42, 14, 3)
        assert (t["messages"], t["enquiries"], t["replies_within_12h"]) == (1, 3, 1)
        assert t["enquiries_breached"] == 2  # b's late reply, c's unanswered enquiry
        assert t["engagement_rate"] == pytest.approx(59 / 1050)
        assert (t["positive"], t["neutral"], t["negative"]) == (5, 2, 1)
        post_b = next(p for p in report["posts"] if p["post_id"] == "b")
        assert (post_b["reads"], post_b["comments"], post_b["enquiries"]) == (300, 2, 2)
        assert post_b["replies_within_12h"] == 1
        cats = by_category(report)
        assert (cats["management"]["posts"], cats["management"]["failed"]) == (0, 1)
        assert cats["industry"]["reads"] == 500
        assert cats["services"]["reads"] == 50
        changes = {(c["scope"], c["metric"]): c for c in report["changes"]}
        assert changes[("total", "posts")]["previous"] == 1
        assert changes[("total", "reads")]["delta"] == 50
        assert [t["label"] for t in report["themes"]] == ["税务筹划", "社保基数"]
        assert {q["text"] for q in report["questions"]} == {"补贴怎么申报？", "社保基数怎么调整？"}

        bi = biweekly["report"]
        assert bi["period"]["label"] == "2026-11-23 – 2026-12-06"
        assert (total(bi)["posts"], total(bi)["failed"], total(bi)["reads"]) == (5, 1, 2050)
        assert bi["previous_totals"]["posts"] == 0

        event = await svc.wait_announced("weekly-2026-W49")
        assert sum(r["slots"] for r in event["recommended_mix"]) == 6
        assert any("税务筹划" in i["topic"] for i in event["topic_ideas"])
        assert all(0 <= r["share"] <= 1 and r["reason"] for r in event["recommended_mix"])
        bi_event = await svc.wait_announced("biweekly-2026-11-23")
        assert sum(r["slots"] for r in bi_event["recommended_mix"]) == 6

        html = await svc.client.get("/reports/weekly-2026-W49.html", headers=DIRECTOR)
        assert html.status_code == 200
        assert html.headers["content-type"].startswith("text/html")
        assert "<svg" in html.text
        assert "2026-W49" in html.text
        xlsx = await svc.client.get("/reports/weekly-2026-W49.xlsx", headers=DIRECTOR)
        book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        assert "按类别" in book.sheetnames
        posts = [r for r in book["本期推送明细"].iter_rows(min_row=3, values_only=True) if any(r)]
        assert len(posts) == 5
        csv = await svc.client.get("/reports/weekly-2026-W49/csv/posts", headers=DIRECTOR)
        assert csv.headers["content-type"].startswith("text/csv")
        assert len(csv.text.strip().splitlines()) == 1 + 5
        archive = await svc.client.get("/reports/weekly-2026-W49/csv", headers=DIRECTOR)
        names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
        assert "categories.csv" in names
        assert "plan.csv" in names

        registry = svc.runtime.registry
        labels = {"kind": "weekly", "trigger": "schedule"}
        assert registry.get_sample_value("reporting_reports_produced_total", labels) == 1
        assert registry.get_sample_value(
            "reporting_last_report_timestamp_seconds", {"kind": "weekly"}
        ) == pytest.approx(WEEKLY_FIRED.timestamp())
        queue = f"{namespace}reporting.feedback.received"
        assert registry.get_sample_value("contentops_duplicate_events_total", {"queue": queue}) == 1

        async def sizes_exported() -> bool:
            value = registry.get_sample_value(
                "reporting_read_model_documents", {"collection": "posts"}
            )
            return value == 7

        await wait_for(sizes_exported)


async def test_a_month_that_ends_before_any_data_is_skipped_and_the_first_week_is_reported(
    namespace: str, mongo_url: str
) -> None:
    async with reporting(namespace, mongo_url, at=START) as svc:
        # nothing placed in November: a post cancelled there is no data, the first
        # feedback comes on Tue 12-01 09:00 local
        await svc.publish(
            failed("x", utc(2026, 11, 25, 3, 30), category="hr", code=FailureCode.CANCELLED),
            feedback("y", "comment", utc(2026, 12, 1, 1), text="期待"),
        )
        await svc.wait_count("posts", 1)
        await svc.wait_count("feedback", 1)
        svc.clock.set(MONTHLY_FIRED)

        async def skipped() -> bool:
            job = await svc.runtime.db["jobs"].find_one({"_id": "report:monthly:2026-11"})
            return job is not None and job["state"] == "skipped"

        await wait_for(skipped, timeout=30)
        job = await svc.runtime.db["jobs"].find_one({"_id": "report:monthly:2026-11"})
        assert job is not None
        assert job["result"] == {"reason": "no data before the period's end"}
        assert await svc.count("reports") == 0
        assert await svc.runtime.db["outbox"].count_documents({}) == 0  # no report.ready
        listed = (await svc.client.get("/reports", headers=DIRECTOR)).json()
        assert listed["total"] == 0
        labels = {"kind": "monthly", "reason": "no_data"}
        assert svc.runtime.registry.get_sample_value("reporting_reports_skipped_total", labels) == 1

        # the first post goes out in week 49: that week and its fortnight are reported
        await svc.publish(published("z", "industry", utc(2026, 12, 2, 3, 30)))
        await svc.wait_count("posts", 2)
        svc.clock.set(WEEKLY_FIRED)
        weekly = await svc.wait_report("weekly-2026-W49")
        biweekly = await svc.wait_report("biweekly-2026-11-23")
        assert (weekly["posts"], biweekly["posts"]) == (1, 1)
        assert weekly["report"]["previous_totals"]["posts"] == 0
        await svc.wait_announced("weekly-2026-W49")
        assert await svc.announced("monthly-2026-11") == []
        assert await svc.count("reports") == 2
