"""``report.ready``: a periodic report with recommendations for the next pushes."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from shared.events.common import Category
from shared.events.envelope import Contract, EventEnvelope

__all__ = [
    "CategoryRecommendation",
    "ReportKind",
    "ReportReady",
    "ReportReadyPayload",
    "TopicIdea",
]


class ReportKind(StrEnum):
    """Which periodic report."""

    WEEKLY = "weekly"
    MONTHLY = "monthly"
    BIWEEKLY = "biweekly"
    CUSTOM = "custom"


class CategoryRecommendation(Contract):
    """How many of the next period's slots a category should get, and why."""

    category: Category
    slots: int = Field(ge=0)
    share: float = Field(ge=0, le=1)
    reason: str


class TopicIdea(Contract):
    """A topic customers care about, with the figures behind it."""

    topic: str
    category: Category | None = None
    score: float = 0.0
    reason: str = ""


class ReportReadyPayload(Contract):
    """A report is built; drafting shows its topic ideas to editors."""

    report_id: str = Field(min_length=1, max_length=128)
    kind: ReportKind
    period_start: AwareDatetime
    period_end: AwareDatetime
    summary: str = ""
    recommended_mix: tuple[CategoryRecommendation, ...] = ()
    topic_ideas: tuple[TopicIdea, ...] = ()
    documents: dict[str, str] = Field(
        default_factory=dict, description="Format -> API path (html, xlsx, csv, json)."
    )


class ReportReady(EventEnvelope):
    """``report.ready``: consumed by drafting."""

    EVENT_TYPE: ClassVar[str] = "report.ready"
    event_type: Literal["report.ready"] = "report.ready"
    payload: ReportReadyPayload
