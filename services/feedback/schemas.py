"""HTTP schemas of the feedback API (``XCreate`` in, ``XPublic`` out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.feedback.closing import document_paths
from services.feedback.domain import item_key
from shared.events.feedback import MAX_FEEDBACK_TEXT
from shared.mongo import MongoDoc

__all__ = [
    "BatchCreate",
    "BatchItemPublic",
    "BatchPublic",
    "DeliveryPublic",
    "EnquiryPublic",
    "FeedbackPublic",
    "ReplyCreate",
    "WindowPublic",
]


class BatchCreate(BaseModel):
    """Items to ingest; each is checked on its own against ``feedback.received``'s payload."""

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
    def of(cls, doc: MongoDoc) -> EnquiryPublic:
        """The log entry of an item that carries an enquiry."""
        return cls.model_validate(
            {
                **doc["enquiry"],
                "id": item_key(doc["source"], doc["source_id"]),
                "source": doc["source"],
                "kind": doc["kind"],
                "post_id": doc.get("post_id"),
                "asked_by": doc.get("author") or "anonymous",
                "asked_at": doc["received_at"],
                "text": doc.get("text") or "",
                "question_reason": doc["annotation"].get("question_reason", ""),
                "late": bool(doc.get("late")),
            }
        )


class FeedbackPublic(BaseModel):
    """A stored feedback item with its annotation."""

    key: str
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
    def of(cls, doc: MongoDoc) -> FeedbackPublic:
        return cls.model_validate({**doc, "key": item_key(doc["source"], doc["source_id"])})


class WindowPublic(BaseModel):
    """A post's feedback window and, once closed, its document's numbers and links."""

    post_id: str
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
    def of(cls, doc: MongoDoc, base_url: str = "") -> WindowPublic:
        documents = document_paths(doc["post_id"], base_url) if doc.get("digest_id") else {}
        return cls.model_validate({**doc, "documents": documents})
