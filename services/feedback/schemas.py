"""HTTP schemas of the feedback API (``XCreate`` in, ``XPublic`` out)."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.feedback.analysis import FeedbackInsight
from services.feedback.domain.document import document_paths
from services.feedback.domain.enquiry import Enquiry
from services.feedback.domain.item import FeedbackItem
from services.feedback.domain.window import Window
from shared.accounts import ACCOUNT_ID_PATTERN, DEFAULT_ACCOUNT
from shared.events.feedback import MAX_FEEDBACK_TEXT

__all__ = [
    "MAX_PREVIEW_TEXT",
    "MAX_PREVIEW_TEXTS",
    "AnalysisPreviewCreate",
    "AnalysisPreviewPublic",
    "BatchCreate",
    "BatchItemPublic",
    "BatchPublic",
    "DeliveryPublic",
    "EnquiryPublic",
    "FeedbackPublic",
    "ReplyCreate",
    "WindowPublic",
]


_ACCOUNT_OUT = Field(
    description="The official account (公众号) it belongs to.", examples=["default", "talent"]
)


class BatchCreate(BaseModel):
    """Items to ingest; each is checked on its own against ``feedback.received``'s payload."""

    account: str = Field(
        default=DEFAULT_ACCOUNT,
        pattern=ACCOUNT_ID_PATTERN,
        description="The official account (公众号) the items are feedback to; an item "
        "naming a post of another account is invalid. Unknown: 404.",
        examples=["default", "talent"],
    )

    items: list[Any] = Field(
        min_length=1,
        description="FeedbackReceivedPayload objects (source, source_id, kind, text, ...).",
        examples=[
            [
                {
                    "source": "crm",
                    "source_id": "ticket-88412",
                    "kind": "message",
                    "post_id": "p-2026-11-23-1",
                    "author": "c-1029",
                    "text": "请问社保基数怎么调整？",
                    "received_at": "2026-11-23T05:00:00Z",
                }
            ]
        ],
    )


class BatchItemPublic(BaseModel):
    """The outcome of one item: stored, duplicate, or invalid with its field errors."""

    index: int
    status: str = Field(examples=["stored"])
    key: str | None = Field(default=None, description="`source:source_id` when valid.")
    errors: list[dict[str, Any]] = Field(default_factory=list)


class BatchPublic(BaseModel):
    """Per-item results of a batch, in the order sent."""

    stored: int
    duplicates: int
    invalid: int
    items: list[BatchItemPublic]


class ReplyCreate(BaseModel):
    """Our reply to an enquiry."""

    model_config = ConfigDict(str_strip_whitespace=True)

    text: str = Field(min_length=1, max_length=MAX_FEEDBACK_TEXT, examples=["您好，每年7月调整。"])


class DeliveryPublic(BaseModel):
    """How the sending of our reply to the customer through WeChat stands."""

    state: str = Field(
        description="pending (to be sent or being retried), sent, failed (WeChat refused it; "
        "not retried), or unknown (the answer was lost: it may have been sent; not retried).",
        examples=["sent"],
    )
    channel: str = Field(
        description="wechat_comment (reply to the comment) or wechat_message "
        "(customer-service message to the follower).",
    )
    attempts: int = Field(description="Attempts made so far.")
    error: str | None = Field(
        default=None, description="The last WeChat error, with its errcode when WeChat gave one."
    )
    sent_at: datetime | None = Field(default=None, description="When WeChat accepted it.")


class EnquiryPublic(BaseModel):
    """An entry of the enquiry log: who asked what, when, and the reply."""

    id: str = Field(description="`source:source_id` of the item asked.")
    account: str = _ACCOUNT_OUT
    source: str
    kind: str
    post_id: str | None
    asked_by: str
    asked_at: datetime
    text: str
    question_reason: str = ""
    late: bool = False
    deadline: datetime
    state: str = Field(description="open or answered.")
    breached: bool = Field(description="Answered after, or still open past, the deadline.")
    answered_by: str | None = None
    answered_at: datetime | None = None
    reply_text: str | None = None
    time_to_reply_seconds: float | None = None
    delivery: DeliveryPublic | None = Field(
        default=None,
        description="Sending of the reply through WeChat; absent when there is nothing to "
        "send (another source, or a reply that did not answer the enquiry).",
    )

    @classmethod
    def of(cls, item: FeedbackItem) -> EnquiryPublic:
        """The log entry of an item that carries an enquiry."""
        assert item.enquiry is not None
        return cls.model_validate(
            {
                **_enquiry_fields(item.enquiry),
                "id": item.key,
                "account": item.account,
                "source": item.source,
                "kind": item.kind.value,
                "post_id": item.post_id,
                "asked_by": item.author or "anonymous",
                "asked_at": item.received_at,
                "text": item.text or "",
                "question_reason": item.annotation.question_reason,
                "late": item.late,
            }
        )


def _enquiry_fields(enquiry: Enquiry) -> dict[str, Any]:
    """The enquiry as the API shows it (no ``delivery`` key when nothing is sent)."""
    fields = dataclasses.asdict(enquiry)
    if enquiry.delivery is None:
        del fields["delivery"]
    return fields


class FeedbackPublic(BaseModel):
    """A stored feedback item with its annotation."""

    key: str
    account: str = _ACCOUNT_OUT
    source: str
    source_id: str
    kind: str
    post_id: str | None
    author: str
    text: str
    received_at: datetime
    in_reply_to: str | None = None
    metrics: dict[str, int] | None = None
    via: str
    late: bool
    needs_reply: bool
    annotation: dict[str, Any]
    enquiry: dict[str, Any] | None = None

    @classmethod
    def of(cls, item: FeedbackItem) -> FeedbackPublic:
        return cls.model_validate(
            {
                "key": item.key,
                "account": item.account,
                "source": item.source,
                "source_id": item.source_id,
                "kind": item.kind.value,
                "post_id": item.post_id,
                "author": item.author,
                "text": item.text,
                "received_at": item.received_at,
                "in_reply_to": item.in_reply_to,
                "metrics": dict(item.metrics) if item.metrics is not None else None,
                "via": item.via,
                "late": item.late,
                "needs_reply": item.needs_reply,
                "annotation": dataclasses.asdict(item.annotation),
                "enquiry": _enquiry_fields(item.enquiry) if item.enquiry is not None else None,
            }
        )


class WindowPublic(BaseModel):
    """A post's feedback window and, once closed, its document's numbers and links."""

    post_id: str
    account: str = _ACCOUNT_OUT
    title: str
    category: str
    channel: str
    starts_at: datetime
    ends_at: datetime
    state: str
    closed_at: datetime | None = None
    digest_id: str | None = None
    summary: dict[str, Any] | None = None
    documents: dict[str, str] = Field(default_factory=dict)

    @classmethod
    def of(cls, window: Window, base_url: str = "") -> WindowPublic:
        documents = document_paths(window.post_id, base_url) if window.digest_id else {}
        return cls(
            post_id=window.post_id,
            account=window.account,
            title=window.title,
            category=window.category,
            channel=window.channel,
            starts_at=window.starts_at,
            ends_at=window.ends_at,
            state=window.state.value,
            closed_at=window.closed_at,
            digest_id=window.digest_id,
            summary=dict(window.summary) if window.summary is not None else None,
            documents=documents,
        )


MAX_PREVIEW_TEXTS = 200
MAX_PREVIEW_TEXT = 1000
PreviewText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PREVIEW_TEXT)]
Stance = Literal["ask", "praise", "complaint", "other"]


class AnalysisPreviewCreate(BaseModel):
    """Texts to analyse as the feedback of one post (nothing is stored)."""

    model_config = ConfigDict(extra="forbid")
    texts: list[PreviewText] = Field(
        min_length=1,
        max_length=MAX_PREVIEW_TEXTS,
        description=f"1 to {MAX_PREVIEW_TEXTS} texts of 1 to {MAX_PREVIEW_TEXT} characters.",
        examples=[["数电发票怎么开通？", "写得很清楚，收藏了", "文章太长了，手机上看得眼花"]],
    )


class PreviewItemPublic(BaseModel):
    """What the analysis says about one text (in input order)."""

    index: int
    stance: Stance | None = Field(description="None: set aside as spam")
    intent: str | None = Field(description="Intent of the taxonomy (asks)")
    polarity: Literal["positive", "neutral", "negative"]
    polarity_score: float
    polarity_reasons: list[str]
    is_question: bool
    question_reason: str
    request: str | None = Field(description="Words asking us to act (请联系我 …), if any")
    is_spam: bool
    spam_reasons: list[str]


class PreviewGroupPublic(BaseModel):
    """A group of texts of one stance and meaning, named by a phrase of its texts."""

    label: str
    stance: Stance
    intent: str | None
    about_form: bool = Field(description="About length, layout or timing: advice, not a topic")
    count: int
    members: list[int] = Field(description="Indexes into the texts")
    representatives: list[int]


class AnalysisPreviewPublic(BaseModel):
    """Per-text verdicts, the groups (largest first), and counts by stance."""

    items: list[PreviewItemPublic]
    groups: list[PreviewGroupPublic]
    stances: dict[str, int] = Field(description="Texts per stance; spam under 'spam'")

    @classmethod
    def of(cls, insight: FeedbackInsight) -> AnalysisPreviewPublic:
        items = [
            PreviewItemPublic(
                index=n,
                stance=i.stance,
                intent=i.intent,
                polarity=i.polarity.label,
                polarity_score=i.polarity.score,
                polarity_reasons=list(i.polarity.hits),
                is_question=i.question.is_question,
                question_reason=i.question.reason,
                request=i.request,
                is_spam=i.spam.is_spam,
                spam_reasons=list(i.spam.reasons),
            )
            for n, i in enumerate(insight.items)
        ]
        stances: dict[str, int] = {}
        for i in insight.items:
            key = i.stance or "spam"
            stances[key] = stances.get(key, 0) + 1
        groups = [
            PreviewGroupPublic(
                label=g.label,
                stance=g.stance,
                intent=g.intent,
                about_form=g.about_form,
                count=g.count,
                members=list(g.members),
                representatives=list(g.representatives),
            )
            for g in insight.groups
        ]
        return cls(items=items, groups=groups, stances=stances)
