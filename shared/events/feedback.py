"""Events of the feedback stage: ``feedback.received`` and ``feedback.digest.ready``.

``feedback.received`` is also published by **other internal systems** (CRM, customer
service desk): it is a public contract. ``source`` + ``source_id`` is the natural key:
the same item sent twice, by any path, is stored once.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field, model_validator

from shared.bounds import Instant
from shared.events.common import Category, FeedbackKind
from shared.events.envelope import Contract, EventEnvelope

__all__ = [
    "DigestQuestion",
    "DigestTheme",
    "FeedbackDigestReady",
    "FeedbackDigestReadyPayload",
    "FeedbackMetrics",
    "FeedbackReceived",
    "FeedbackReceivedPayload",
]

MAX_FEEDBACK_TEXT = 5000


class FeedbackMetrics(Contract):
    """A snapshot of a post's counters at ``received_at``."""

    reads: int = Field(default=0, ge=0)
    likes: int = Field(default=0, ge=0)
    shares: int = Field(default=0, ge=0)


class FeedbackReceivedPayload(Contract):
    """One comment, message, reply (ours) or metric snapshot."""

    source: str = Field(
        min_length=1,
        max_length=64,
        # No ':': replies name an item as `source:source_id`, split at the first ':', so
        # a colon in a source would make that name ambiguous. Tightened in v1 before any
        # such source existed; the contract otherwise changes only compatibly.
        pattern=r"^[^:]+$",
        description="System or channel it came from: wechat_comment, wechat_message, crm, "
        "... (no ':').",
        examples=["crm"],
    )
    source_id: str = Field(
        min_length=1,
        max_length=128,
        description="Id in the source; with `source` the natural key used for dedupe.",
        examples=["ticket-88412"],
    )
    kind: FeedbackKind
    post_id: str | None = Field(
        default=None, max_length=64, description="The post it is about, if known."
    )
    author: str = Field(
        default="anonymous", max_length=128, description="Opaque customer id or staff id."
    )
    text: str = Field(default="", max_length=MAX_FEEDBACK_TEXT, examples=["请问社保基数怎么调整？"])
    received_at: Instant = Field(
        description="When the customer (or we) said it (between the years 2000 and 2100)."
    )
    in_reply_to: str | None = Field(
        default=None,
        max_length=200,
        description="For kind=reply: `source:source_id` of the enquiry answered.",
    )
    metrics: FeedbackMetrics | None = Field(
        default=None, description="For kind=metric: the post's counters."
    )

    @model_validator(mode="after")
    def _kind_fields(self) -> FeedbackReceivedPayload:
        if self.kind is FeedbackKind.METRIC and self.metrics is None:
            raise ValueError("metrics is required when kind is 'metric'")
        if self.kind is FeedbackKind.REPLY and not self.in_reply_to:
            raise ValueError("in_reply_to is required when kind is 'reply'")
        if self.kind in (FeedbackKind.COMMENT, FeedbackKind.MESSAGE) and not self.text.strip():
            raise ValueError("text is required for comments and messages")
        return self


class FeedbackReceived(EventEnvelope):
    """``feedback.received``: consumed by feedback and reporting."""

    EVENT_TYPE: ClassVar[str] = "feedback.received"
    event_type: Literal["feedback.received"] = "feedback.received"
    payload: FeedbackReceivedPayload


class DigestTheme(Contract):
    """A theme of the window's feedback: similar items grouped."""

    label: str
    terms: tuple[str, ...] = ()
    count: int = Field(ge=0)
    quotes: tuple[str, ...] = Field(default=(), description="Representative, redacted quotes.")
    # Added for #17 (optional: a digest without them is read as before).
    stance: Literal["ask", "praise", "complaint", "other"] | None = Field(
        default=None,
        description="What the group's people do: ask a question, praise, complain; None from "
        "producers that do not tell.",
    )
    intent: str | None = Field(
        default=None,
        max_length=64,
        description="The intent of the business taxonomy (e.g. 开通与账号, 发票与报销) the group "
        "falls under, when known.",
    )
    about_form: bool = Field(
        default=False,
        description="The group is about the form of the pushes (length, timing, layout): "
        "advice for the editors, not a topic.",
    )


class DigestQuestion(Contract):
    """A customer question and whether/how it was answered."""

    text: str
    asked_at: AwareDatetime
    answered: bool
    reply: str | None = None
    replied_at: AwareDatetime | None = None
    intent: str | None = Field(
        default=None, max_length=64, description="The question's intent (#17), when known."
    )


class FeedbackDigestReadyPayload(Contract):
    """The 24-hour core-issues document (核心问题汇总) for a post is ready."""

    digest_id: str = Field(min_length=1, max_length=64)
    post_id: str = Field(min_length=1, max_length=64)
    title: str = ""
    category: Category | None = None
    window_start: AwareDatetime
    window_end: AwareDatetime
    counts: dict[str, int] = Field(
        default_factory=dict,
        description="Headline numbers: comments, messages, enquiries, answered, reads, ...",
    )
    sentiment: dict[str, int] = Field(
        default_factory=dict, description="positive / neutral / negative counts."
    )
    themes: tuple[DigestTheme, ...] = ()
    questions: tuple[DigestQuestion, ...] = ()
    documents: dict[str, str] = Field(
        default_factory=dict,
        description="Format -> API path of the rendered document (md, html, docx).",
    )


class FeedbackDigestReady(EventEnvelope):
    """``feedback.digest.ready``: consumed by reporting and drafting."""

    EVENT_TYPE: ClassVar[str] = "feedback.digest.ready"
    event_type: Literal["feedback.digest.ready"] = "feedback.digest.ready"
    payload: FeedbackDigestReadyPayload
