"""The ``report.ready`` event announcing a stored report: its summary, the plan of the
next pushes as the categories' slots, the topic ideas, and where its documents are.

The contract's ``recommended_mix`` is read off the plan (how many of the planned slots
each category got, and which topics), not computed by a formula; its texts are Chinese,
the people's language.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from services.reporting.domain.report import report_documents, report_summary
from services.reporting.reports import (
    CATEGORIES,
    Report,
    evidence_text,
    idea_topic,
    translator,
    why_text,
)
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
    tr = translator()
    plan = report.recommendations.plan
    slots = Counter(s.category for s in plan)
    out = []
    for category in CATEGORIES:
        topics = "；".join(idea_topic(s.idea, tr) for s in plan if s.category == category)
        reason = (
            f"接下来 {len(plan)} 次推送中安排 {slots[category]} 次：{topics}"
            if slots[category]
            else f"接下来 {len(plan)} 次推送中暂未安排：客户的提问和阅读数据没有指向这一类别"
        )
        out.append(
            CategoryRecommendation(
                category=Category(category),
                slots=slots[category],
                share=slots[category] / len(plan) if plan else 0.0,
                reason=reason,
            )
        )
    return tuple(out)


def _topics(report: Report) -> tuple[TopicIdea, ...]:
    tr = translator()
    ideas = report.recommendations.topics
    best = max((i.weight for i in ideas), default=0.0) or 1.0
    return tuple(
        TopicIdea(
            topic=idea_topic(idea, tr),
            category=Category(idea.category),
            score=round(min(max(idea.weight / best, 0.0), 1.0), 4),
            reason=f"{why_text(idea, tr)}（{evidence_text(idea, tr)}）",
        )
        for idea in ideas
    )


def report_ready(report_id: str, report: Report, *, now: datetime) -> ReportReady:
    """The ``report.ready`` event announcing a stored report of one account (the event
    is the account's: drafting plans that account's pushes with it)."""
    if report.account is None:
        raise ValueError("a report of every account together is not announced")
    return ReportReady(
        account=report.account,
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
