"""Report ids, the stored document and the report.ready event."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.reporting.domain.announce import report_ready
from services.reporting.domain.report import report_document, report_documents, report_id_for_key
from services.reporting.reports import DigestRow, PostFeedbackAgg, PostRow, Report, build_report
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


def test_report_ready_carries_the_mix_topics_and_document_paths(weekly: Report) -> None:
    event = report_ready("weekly-2026-W49", weekly, now=GENERATED)
    again = ReportReady.model_validate_json(event.model_dump_json())  # a valid contract
    p = again.payload
    assert (p.report_id, p.kind, p.period_start) == (
        "weekly-2026-W49",
        "weekly",
        weekly.period.start,
    )
    assert again.correlation_id == "weekly-2026-W49"
    assert [(r.category, r.slots) for r in p.recommended_mix] == [
        (m.category, m.slots) for m in weekly.recommendations.mix
    ]
    assert sum(r.slots for r in p.recommended_mix) == weekly.recommendations.slots == 3
    assert sum(r.share for r in p.recommended_mix) == pytest.approx(1.0)
    assert all("engagement rate" in r.reason for r in p.recommended_mix)
    assert [t.topic for t in p.topic_ideas] == [t.text for t in weekly.recommendations.topics]
    assert all(0 <= t.score <= 1 for t in p.topic_ideas)
    assert p.documents == report_documents("weekly-2026-W49")
    assert p.documents["xlsx"] == "/reports/weekly-2026-W49.xlsx"
    assert p.summary.startswith(weekly.notes[0])


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
