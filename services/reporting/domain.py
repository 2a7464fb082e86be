"""Pure rules of the reporting service: report ids, document paths, ``report.ready``.

A timed report's id comes from its job key (``report:weekly:2026-W49`` →
``weekly-2026-W49``), so one period can only ever be stored once; an on-demand report
gets a fresh id (``custom-<12 hex>``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from services.reporting.reports import Report
from shared.events import (
    Category,
    CategoryRecommendation,
    ReportKind,
    ReportReady,
    ReportReadyPayload,
    TopicIdea,
)

__all__ = [
    "CSV_TABLES",
    "Doc",
    "HTML_TYPE",
    "XLSX_TYPE",
    "ReportRequest",
    "TIMED_KINDS",
    "Trigger",
    "new_custom_report_id",
    "report_document",
    "report_documents",
    "report_id_for_key",
    "report_ready",
    "report_summary",
]

TIMED_KINDS: tuple[Literal["weekly", "monthly", "biweekly"], ...] = (
    "weekly",
    "monthly",
    "biweekly",
)
CSV_TABLES = (
    "categories",
    "changes",
    "posts",
    "themes",
    "questions",
    "recommended_mix",
    "recommended_topics",
)
"""Tables a report has (one CSV file each)."""

Doc = dict[str, Any]
"""A read-model entry or stored report as the rules below build it (stored as is)."""

Trigger = Literal["schedule", "api"]
HTML_TYPE = "text/html; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SUMMARY_MAX = 2000
_PRODUCER = "reporting"


@dataclass(frozen=True)
class ReportRequest:
    """An on-demand report of a range: local days (``end`` inclusive) or aware instants
    (``end`` exclusive), compared with the equally long range before it."""

    start: date | datetime
    end: date | datetime


def report_id_for_key(key: str) -> str:
    """The stable id of a timed report: its job key without the ``report:`` prefix."""
    return key.removeprefix("report:").replace(":", "-")


def new_custom_report_id() -> str:
    return f"custom-{uuid.uuid4().hex[:12]}"


def report_documents(report_id: str) -> dict[str, str]:
    """Format → API path of a stored report."""
    return {
        "json": f"/reports/{report_id}",
        "html": f"/reports/{report_id}.html",
        "xlsx": f"/reports/{report_id}.xlsx",
        "csv": f"/reports/{report_id}/csv",
    }


def report_summary(report: Report) -> str:
    """The report's notes as one paragraph (the first one says what happened)."""
    return " ".join(report.notes)[:_SUMMARY_MAX]


def report_document(
    report_id: str,
    report: Report,
    *,
    trigger: Trigger,
    requested_by: str | None,
    sizes: dict[str, int],
) -> Doc:
    """The stored report: listing fields, and the full report as JSON text."""
    return {
        "_id": report_id,
        "kind": report.kind,
        "key": report.key,
        "title": report.title,
        "trigger": trigger,
        "requested_by": requested_by,
        "period_start": report.period.start,
        "period_end": report.period.end,
        "period_label": report.period.label,
        "previous_start": report.previous_period.start,
        "previous_end": report.previous_period.end,
        "generated_at": report.generated_at,
        "summary": report_summary(report),
        "posts": report.totals.posts,
        "failed": report.totals.failed,
        "documents": report_documents(report_id),
        "sizes": sizes,
        # JSON text, not a sub-document: it round-trips exactly and needs no key checks.
        "report_json": report.model_dump_json(),
    }


def _mix(report: Report) -> tuple[CategoryRecommendation, ...]:
    rec = report.recommendations
    total = sum(line.score for line in rec.mix)
    out = []
    for line in rec.mix:
        if rec.fallback_reason:
            reason = rec.fallback_reason
        else:
            rate = "n/a" if line.engagement_rate is None else f"{line.engagement_rate:.1%}"
            reason = (
                f"engagement rate {rate} ({line.engagement_share:.0%} of the categories' "
                f"sum), customer interest {line.interest} ({line.interest_share:.0%} of all), "
                f"{line.posts} post(s), {line.reads} reads this period"
            )
        out.append(
            CategoryRecommendation(
                category=Category(line.category),
                slots=line.slots,
                share=min(max(line.score / total, 0.0), 1.0) if total else 0.0,
                reason=reason,
            )
        )
    return tuple(out)


def _topics(report: Report) -> tuple[TopicIdea, ...]:
    asked = len(report.questions) or 1
    out = []
    for idea in report.recommendations.topics:
        if idea.source == "theme":
            score = float(idea.figures.get("share", 0.0))
        else:
            score = float(idea.figures.get("asked", 0)) / asked
        out.append(
            TopicIdea(
                topic=idea.text,
                category=Category(idea.category),
                score=round(score, 4),
                reason=idea.reason,
            )
        )
    return tuple(out)


def report_ready(report_id: str, report: Report, *, now: datetime) -> ReportReady:
    """The ``report.ready`` event announcing a stored report."""
    return ReportReady(
        occurred_at=now,
        producer=_PRODUCER,
        correlation_id=report_id,
        payload=ReportReadyPayload(
            report_id=report_id,
            kind=ReportKind(report.kind),
            period_start=report.period.start,
            period_end=report.period.end,
            summary=report_summary(report),
            recommended_mix=_mix(report),
            topic_ideas=_topics(report),
            documents=report_documents(report_id),
        ),
    )
