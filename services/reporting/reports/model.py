"""The report document: a JSON-able pydantic model every renderer reads.

Rates are fractions (0.125 = 12.5 %) and are None when their base is zero; changes carry
``delta`` (absolute) and ``delta_pct`` (relative change in percent, None when the previous
value is 0 or unknown).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from shared.calendar import Period, ReportKind

from .followers import FollowersSummary
from .inputs import Category

__all__ = [
    "AccountRef",
    "AccountRow",
    "AskedQuestion",
    "CategoryRow",
    "Coverage",
    "Evidence",
    "FormAdvice",
    "IdeaSource",
    "MetricChange",
    "Metrics",
    "Note",
    "NoteCode",
    "PlanSlot",
    "PostLine",
    "PostRef",
    "QuestionLine",
    "Recommendations",
    "Report",
    "Stance",
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
    replies_within_12h: int = Field(
        description="Messages/enquiries answered within the reply limit (the plan's 12 h, "
        "or the account's: ``Report.reply_limit_hours``)."
    )
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
    post_ids: list[str] = Field(default_factory=list, description="Posts it came from.")
    stance: Stance | None = None
    intent: str | None = None
    about_form: bool = Field(default=False, description="About the pushes' form: advice.")


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
    intent: str | None = None


Stance = Literal["ask", "praise", "complaint", "other"]
"""What a theme's people do (the digest's ``stance``)."""

IdeaSource = Literal["questions", "problems", "interest", "most_read", "rotation"]
"""Where a topic idea comes from: repeated or unanswered questions, problems customers
met (complaints that are not about form), other themes they raised, the posts read and
shared most, or the plan's rotation of its five categories (nothing else to go on)."""


class PostRef(_Model):
    """A post named as evidence, with its reach."""

    post_id: str
    title: str
    category: Category
    reads: int = 0
    shares: int = 0


class AskedQuestion(_Model):
    """One question text of a group, how often it was asked and left unanswered."""

    text: str
    asked: int
    unanswered: int


class Evidence(_Model):
    """What an idea rests on: which questions, how many, which posts."""

    questions: list[AskedQuestion] = Field(default_factory=list)
    asked: int = Field(default=0, description="Questions in the group.")
    unanswered: int = Field(default=0, description="Of them, never answered.")
    mentions: int = Field(default=0, description="Feedback items of the themes merged in.")
    praise: int = Field(default=0, description="Items praising the posts named.")
    quotes: list[str] = Field(default_factory=list)
    posts: list[PostRef] = Field(
        default_factory=list, description="Posts it came up under, the most read first (a few)."
    )
    post_count: int = Field(default=0, description="All the posts it came up under.")


class Coverage(_Model):
    """A post that already covered an idea, and how we know."""

    post: PostRef
    how: Literal["own_feedback", "title", "same_post"] = Field(
        description="own_feedback: the idea came from this post's own feedback; title: the "
        "post's title names it; same_post: the idea is a follow-up of this post."
    )


class TopicIdea(_Model):
    """A topic for the next pushes, with its evidence and whether a post covered it."""

    topic: str = Field(description="A readable phrase taken from the customers' texts.")
    intent: str | None = Field(default=None, description="Taxonomy intent, when known.")
    category: Category
    source: IdeaSource
    evidence: Evidence
    covered_by: list[Coverage] = Field(default_factory=list)
    weight: float = Field(description="How strongly the evidence asks for it (ranking only).")


class PlanSlot(_Model):
    """One of the next pushes: when, which category, what topic and why."""

    slot_key: str
    at: AwareDatetime
    category: Category
    idea: TopicIdea


class FormAdvice(_Model):
    """A remark about the form of the pushes (length, timing, layout): advice, not a topic."""

    label: str
    mentions: int
    stance: Stance | None
    posts: list[PostRef]
    quotes: list[str]


class Recommendations(_Model):
    """What to publish next: the next slots' plan, the ranked ideas, advice on form."""

    plan: list[PlanSlot] = Field(default_factory=list)
    topics: list[TopicIdea] = Field(default_factory=list)
    advice: list[FormAdvice] = Field(default_factory=list)


NoteCode = Literal[
    "summary", "no_posts", "failed", "breached", "no_digests", "uncategorised", "text"
]


class Note(_Model):
    """A plain statement about the data, rendered in the reader's language."""

    code: NoteCode
    params: dict[str, str | int | float | None] = Field(default_factory=dict)


class AccountRef(_Model):
    """An official account a report covers, with its names as they were then."""

    id: str
    name: str = Field(default="", description="Display name (Chinese).")
    name_en: str = Field(default="", description="Display name in English.")
    reply_limit_hours: float = Field(
        default=12.0, description="Its reply limit: messages and enquiries answered within."
    )

    def label(self, lang: str) -> str:
        """The name a reader of ``lang`` reads (Chinese first; the id when unnamed)."""
        if lang.startswith("en") and self.name_en:
            return self.name_en
        return self.name or self.name_en or self.id


class AccountRow(_Model):
    """One account's figures in a combined report, beside the others'."""

    account: str
    totals: Metrics
    previous_totals: Metrics


class Report(_Model):
    """A periodic (or on-demand) operations analysis of one account, or of every account
    together (``account`` None: ``by_account`` has each one's figures, ``totals`` their
    sum)."""

    kind: ReportKind
    account: str | None = Field(
        default="default",
        description="The official account reported on; None: every account together.",
    )
    accounts: list[AccountRef] = Field(
        default_factory=list,
        description="The accounts it covers, named (given when the deployment has several).",
    )
    by_account: list[AccountRow] = Field(
        default_factory=list,
        description="Every account together: each account's figures; ``totals`` is their sum.",
    )
    reply_limit_hours: float | None = Field(
        default=12.0,
        description="The reply limit the reply figures are measured against (the account's; "
        "the fields keep the plan's name, ``*_12h``); None: the accounts together differ, "
        "each post is measured against its own account's.",
    )
    key: str | None = Field(default=None, description="Job key of the run, if timed.")
    title: str
    period: Period
    previous_period: Period
    generated_at: AwareDatetime
    notes: list[Note] = Field(description="Plain statements about the data; never empty.")
    categories: list[CategoryRow]
    totals: Metrics
    previous_categories: list[CategoryRow]
    previous_totals: Metrics
    changes: list[MetricChange]
    posts: list[PostLine]
    themes: list[ThemeLine]
    questions: list[QuestionLine]
    recommendations: Recommendations
    followers: FollowersSummary | None = Field(
        default=None,
        description="The followers section (#14): net growth by branch against its target, "
        "by source, unsubscribes within 24 h of each post, and what to do where a branch "
        "lags; ``has_data`` false when the audience service sent nothing. None in reports "
        "made before it, or by a service without the followers read model.",
    )

    @field_validator("notes", mode="before")
    @classmethod
    def _legacy_notes(cls, value: Any) -> Any:
        """Reports stored before #17 held English sentences: keep them as text notes."""
        if isinstance(value, list):
            return [
                {"code": "text", "params": {"text": v}} if isinstance(v, str) else v for v in value
            ]
        return value

    @field_validator("recommendations", mode="before")
    @classmethod
    def _legacy_recommendations(cls, value: Any) -> Any:
        """Reports stored before #17 held a formula's mix: they have no plan to show."""
        if isinstance(value, dict) and "mix" in value:
            return {}
        return value
