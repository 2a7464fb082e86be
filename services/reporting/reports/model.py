"""The report document: a JSON-able pydantic model every renderer reads.

Rates are fractions (0.125 = 12.5 %) and are None when their base is zero; changes carry
``delta`` (absolute) and ``delta_pct`` (relative change in percent, None when the previous
value is 0 or unknown).
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.calendar import Period, ReportKind

from .inputs import Category

__all__ = [
    "CategoryRow",
    "MetricChange",
    "Metrics",
    "MixLine",
    "PostLine",
    "QuestionLine",
    "Recommendations",
    "Report",
    "ThemeLine",
    "TopicIdea",
]

Scope = Category | Literal["total"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Metrics(_Model):
    """Figures of a set of posts (a category, or all)."""

    posts: int = Field(description="Published posts.")
    failed: int = Field(description="Posts that failed to publish.")
    reads: int
    likes: int
    shares: int
    comments: int
    messages: int
    enquiries: int
    replies: int
    replies_within_12h: int = Field(description="Messages/enquiries answered within 12 h.")
    reply_rate_12h: float | None = Field(
        description="replies_within_12h / (messages + enquiries); None when no base."
    )
    enquiries_breached: int
    positive: int
    neutral: int
    negative: int
    positive_share: float | None
    neutral_share: float | None
    negative_share: float | None
    engagement_rate: float | None = Field(
        description="(likes + shares + comments) / reads; None when reads is 0."
    )
    reads_per_post: float | None


class CategoryRow(_Model):
    """One row of the per-category table."""

    category: Category
    label: str = Field(description="Chinese name from the plan.")
    metrics: Metrics


class PostLine(_Model):
    """One post's row."""

    post_id: str
    title: str
    category: Category
    status: Literal["published", "failed"]
    at: AwareDatetime = Field(description="Publish time, or failure time when failed.")
    slot_key: str
    lateness_seconds: float
    reads: int
    likes: int
    shares: int
    comments: int
    messages: int
    enquiries: int
    replies_within_12h: int
    reply_rate_12h: float | None
    enquiries_breached: int
    positive: int
    neutral: int
    negative: int
    engagement_rate: float | None
    has_feedback: bool


class MetricChange(_Model):
    """One metric of one scope, this period against the previous one."""

    scope: Scope
    metric: str
    current: int | float | None
    previous: int | float | None
    delta: int | float | None
    delta_pct: float | None


class ThemeLine(_Model):
    """A theme customers cared about, merged across the period's digests."""

    label: str
    key: str = Field(description="Normalised label used for merging.")
    terms: list[str]
    count: int
    share: float = Field(description="count / all theme mentions in the period.")
    digests: int = Field(description="Digests (posts) the theme appeared in.")
    categories: list[Category]
    sample_quotes: list[str]


class QuestionLine(_Model):
    """A customer question and our reply."""

    post_id: str
    post_title: str
    category: Category
    text: str
    asked_at: AwareDatetime
    answered: bool
    reply_text: str | None
    reply_at: AwareDatetime | None
    reply_hours: float | None
    within_12h: bool | None


class MixLine(_Model):
    """Recommended slots for one category, with the figures behind them."""

    category: Category
    slots: int = Field(ge=0)
    score: float
    engagement_rate: float | None
    engagement_share: float
    interest: int = Field(description="Theme mentions + questions in this category.")
    interest_share: float
    posts: int
    reads: int


class TopicIdea(_Model):
    """A topic for the next period and why."""

    source: Literal["theme", "question"]
    text: str
    category: Category
    reason: str
    figures: dict[str, float | int | str]


class Recommendations(_Model):
    """What to publish next period."""

    slots: int
    method: str = Field(description="How the mix was scored, in plain words.")
    fallback_reason: str | None
    mix: list[MixLine]
    topics: list[TopicIdea]


class Report(_Model):
    """A periodic (or on-demand) operations analysis."""

    kind: ReportKind
    key: str | None = Field(default=None, description="Job key of the run, if timed.")
    title: str
    period: Period
    previous_period: Period
    generated_at: AwareDatetime
    notes: list[str] = Field(description="Plain statements about the data; never empty.")
    categories: list[CategoryRow]
    totals: Metrics
    previous_categories: list[CategoryRow]
    previous_totals: Metrics
    changes: list[MetricChange]
    posts: list[PostLine]
    themes: list[ThemeLine]
    questions: list[QuestionLine]
    recommendations: Recommendations
