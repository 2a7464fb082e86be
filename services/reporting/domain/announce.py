"""The ``report.ready`` event announcing a stored report: its summary, the recommended
category mix and topic ideas, and where its documents are."""

from __future__ import annotations

from datetime import datetime

from services.reporting.domain.report import report_documents, report_summary
from services.reporting.reports import Report
from shared.events import (
    Category,
    CategoryRecommendation,
    ReportKind,
    ReportReady,
    ReportReadyPayload,
    TopicIdea,
)

__all__ = ["report_ready"]

_PRODUCER = "reporting"


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
