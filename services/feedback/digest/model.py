"""The core-issues document (《推送反馈核心问题汇总》) and its inputs, as pydantic models.

Inputs: ``PostInfo`` (the pushed post), ``EnquiryInfo`` (a recorded enquiry and its answer),
``CategoryHistoryRow`` (an earlier post of the same category). Output: ``CoreIssuesDigest``,
JSON-able with ``model_dump_json()``, rendered by ``render_markdown``, ``render_html`` and
``render_docx``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from shared.events.common import CATEGORY_LABELS

__all__ = [
    "CATEGORY_LABELS",
    "REPLY_LIMIT",
    "CategoryComparison",
    "CategoryHistoryRow",
    "CategoryKey",
    "ComparisonRow",
    "ComplaintEntry",
    "CoreIssuesDigest",
    "EnquiryInfo",
    "HeadlineNumbers",
    "KeywordEntry",
    "PostInfo",
    "QuestionEntry",
    "SentimentSplit",
    "Stance",
    "ThemeSummary",
]

CategoryKey = Literal["industry", "management", "hr", "finance", "services"]
REPLY_LIMIT = timedelta(hours=12)
"""运营部规章制度 6.7: every user message or enquiry is answered within 12 hours."""

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class PostInfo(BaseModel):
    """The pushed post the feedback is about."""

    model_config = _FROZEN
    post_id: str = Field(description="Post identifier", examples=["post-2024-05-06"])
    title: str = Field(description="Post title (图文标题)")
    category: CategoryKey = Field(description="Content category (信息推送分类)")
    published_at: AwareDatetime = Field(description="When the post went out")


class EnquiryInfo(BaseModel):
    """A recorded user enquiry (留言咨询) and, if given, its answer."""

    model_config = _FROZEN
    enquiry_id: str
    asked_by: str = Field(description="Opaque user id or nickname")
    asked_at: AwareDatetime
    text: str
    answered_by: str | None = Field(default=None, description="Staff member who answered")
    answered_at: AwareDatetime | None = None
    item_id: str | None = Field(
        default=None, description="Feedback item the enquiry was recorded from, if any"
    )
    reply_text: str | None = Field(default=None, description="The answer given, if any")


class CategoryHistoryRow(BaseModel):
    """An earlier post of the same category, for comparison."""

    model_config = _FROZEN
    post_id: str
    title: str
    published_at: AwareDatetime
    comments: int = Field(ge=0)
    positive_share: float = Field(ge=0, le=1)
    negative_share: float = Field(ge=0, le=1)
    reads: int = Field(ge=0)


class HeadlineNumbers(BaseModel):
    """The figures at the top of the document."""

    model_config = _FROZEN
    reply_limit_hours: float = Field(
        default=REPLY_LIMIT.total_seconds() / 3600, description="The reply limit applied"
    )
    comments: int = Field(description="Comments in the window (late items excluded)")
    messages: int = Field(description="Private messages in the window")
    replies: int = Field(description="Our replies in the window")
    spam: int = Field(description="Comments and messages judged spam (left out of analysis)")
    enquiries: int = Field(description="Recorded enquiries plus detected questions")
    recorded_enquiries: int
    detected_questions: int = Field(description="Questions found in comments and messages")
    answered: int
    open: int = Field(description="Not answered at generation time")
    breached: int = Field(description="Answered after the reply limit, or open for longer")
    late_excluded: int = Field(description="Items flagged late or outside the window")
    reads: int | None = None
    likes: int | None = None
    shares: int | None = None
    metrics_at: datetime | None = Field(default=None, description="Time of the metric snapshot")


class KeywordEntry(BaseModel):
    """A TF-IDF keyword."""

    model_config = _FROZEN
    term: str
    weight: float


Stance = Literal["ask", "praise", "complaint", "other"]


class ThemeSummary(BaseModel):
    """A group of feedback of one stance and meaning, named by a phrase of its texts."""

    model_config = _FROZEN
    label: str
    terms: list[str]
    count: int
    share: float
    negative: int = Field(description="Negative items in the theme")
    questions: int = Field(description="Questions in the theme")
    quotes: list[str] = Field(description="Representative quotes, personal data masked")
    stance: Stance | None = Field(default=None, description="ask, praise, complaint or other")
    intent: str | None = Field(default=None, description="Intent of the taxonomy (asks)")
    about_form: bool = Field(
        default=False, description="About the form of the pushes: advice, not a topic"
    )


class QuestionEntry(BaseModel):
    """A question that needed a reply, and who answered it when."""

    model_config = _FROZEN
    source: Literal["enquiry", "comment", "message"]
    ref_id: str
    asked_by: str
    asked_at: datetime
    text: str = Field(description="Personal data masked")
    reason: str | None = Field(default=None, description="Why the text counts as a question")
    intent: str | None = Field(default=None, description="Intent of the taxonomy")
    reply_text: str | None = Field(default=None, description="The answer, personal data masked")
    answered_by: str | None = None
    answered_at: datetime | None = None
    time_to_reply: timedelta | None = None
    breached: bool = Field(description="Over the reply limit (12 hours by the plan)")

    @property
    def is_open(self) -> bool:
        """Whether no answer was recorded."""
        return self.answered_at is None


class ComplaintEntry(BaseModel):
    """Negative feedback that needs action."""

    model_config = _FROZEN
    item_id: str
    kind: Literal["comment", "message"]
    author: str
    received_at: datetime
    text: str = Field(description="Personal data masked")
    score: float
    theme: str | None = None


class SentimentSplit(BaseModel):
    """Counts and shares of positive, neutral and negative feedback (spam excluded)."""

    model_config = _FROZEN
    positive: int
    neutral: int
    negative: int

    @property
    def total(self) -> int:
        """All judged items."""
        return self.positive + self.neutral + self.negative

    def share(self, label: Literal["positive", "neutral", "negative"]) -> float:
        """The share of one label, 0 when nothing was judged."""
        return getattr(self, label) / self.total if self.total else 0.0


class ComparisonRow(BaseModel):
    """One post in the category comparison."""

    model_config = _FROZEN
    post_id: str
    title: str
    published_at: datetime
    comments: int
    positive_share: float
    negative_share: float
    reads: int | None
    is_current: bool = False


class CategoryComparison(BaseModel):
    """This post against the category's recent posts."""

    model_config = _FROZEN
    rows: list[ComparisonRow] = Field(description="This post first, then history, newest first")
    avg_comments: float | None = None
    avg_reads: float | None = None
    avg_negative_share: float | None = None
    comments_vs_avg: float | None = Field(default=None, description="Relative change, 0.1 = +10%")
    reads_vs_avg: float | None = None
    negative_share_vs_avg: float | None = Field(
        default=None, description="Difference in percentage points / 100"
    )


class CoreIssuesDigest(BaseModel):
    """《推送反馈核心问题汇总》: the document for 刘总监 at a feedback window's close."""

    model_config = _FROZEN
    title: str = "推送反馈核心问题汇总"
    recipient: str = "刘总监"
    post: PostInfo
    category_label: str
    window_start: datetime
    window_end: datetime
    generated_at: datetime
    headline: HeadlineNumbers
    themes: list[ThemeSummary]
    keywords: list[KeywordEntry]
    questions: list[QuestionEntry] = Field(description="Open and breached first; capped")
    questions_total: int
    complaints: list[ComplaintEntry] = Field(description="Most negative first; capped")
    complaints_total: int
    sentiment: SentimentSplit
    comparison: CategoryComparison
    findings: list[str] = Field(description="Plain-language summary lines (Chinese)")
