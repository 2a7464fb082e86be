"""Report ids, the stored document and the report.ready event."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.reporting.domain.announce import report_ready
from services.reporting.domain.report import report_document, report_documents, report_id_for_key
from services.reporting.reports import (
    CATEGORIES,
    DigestRow,
    PostFeedbackAgg,
    PostRow,
    Report,
    build_report,
    idea_topic,
    translator,
)
from shared.calendar import weekly_period
from shared.events import ReportReady

GENERATED = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)


@pytest.fixture
def weekly(posts: list[PostRow], aggs: list[PostFeedbackAgg], digests: list[DigestRow]) -> Report:
    current, previous = weekly_period(date(2026, 12, 7))
    return build_report(
        "weekly", current, previous, posts, aggs, digests, GENERATED, key="report:weekly:2026-W49"
    )


@pytest.mark.parametrize(
    ("key", "report_id"),
    [
        ("report:weekly:2026-W49", "weekly-2026-W49"),
        ("report:monthly:2026-11", "monthly-2026-11"),
        ("report:biweekly:2026-11-23", "biweekly-2026-11-23"),
    ],
)
def test_a_timed_reports_id_is_its_period_key(key: str, report_id: str) -> None:
    assert report_id_for_key(key) == report_id


def test_report_ready_carries_the_plan_topics_and_document_paths(weekly: Report) -> None:
    event = report_ready("weekly-2026-W49", weekly, now=GENERATED)
    again = ReportReady.model_validate_json(event.model_dump_json())  # a valid contract
    p = again.payload
    assert (p.report_id, p.kind, p.period_start) == (
        "weekly-2026-W49",
        "weekly",
        weekly.period.start,
    )
    assert again.correlation_id == "weekly-2026-W49"
    # the mix is read off the plan: each category's planned slots, and which topics
    plan = weekly.recommendations.plan
    assert [(r.category, r.slots) for r in p.recommended_mix] == [
        (c, sum(s.category == c for s in plan)) for c in CATEGORIES
    ]
    assert sum(r.slots for r in p.recommended_mix) == len(plan) == 6
    assert sum(r.share for r in p.recommended_mix) == pytest.approx(1.0)
    (industry,) = [r for r in p.recommended_mix if r.category == "industry"]
    assert industry.reason.startswith("接下来 6 次推送中安排 3 次：")
    assert "补贴怎么申报" in industry.reason
    # topic ideas in Chinese, with why and the evidence
    ideas = weekly.recommendations.topics
    assert [t.topic for t in p.topic_ideas] == [idea_topic(i, translator()) for i in ideas]
    assert p.topic_ideas[0].topic == "答疑：“补贴怎么申报？”"
    assert "共 2 个提问（1 个未回复）" in p.topic_ideas[0].reason
    assert all(0 <= t.score <= 1 for t in p.topic_ideas)
    assert p.documents == report_documents("weekly-2026-W49")
    assert p.documents["docx"] == "/reports/weekly-2026-W49.docx"
    assert p.summary.startswith("本期发布 3 篇推送，阅读 2,000 次")


def test_the_stored_document_holds_listing_fields_and_the_exact_report(weekly: Report) -> None:
    doc = report_document(
        "weekly-2026-W49", weekly, trigger="schedule", requested_by=None, sizes={"html": 1}
    )
    assert (doc["_id"], doc["kind"], doc["key"]) == (
        "weekly-2026-W49",
        "weekly",
        "report:weekly:2026-W49",
    )
    assert (doc["posts"], doc["failed"]) == (3, 1)
    assert Report.model_validate_json(doc["report_json"]) == weekly
