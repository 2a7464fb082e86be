"""The stored shapes of the service, and conversions to and from them (pure).

``feedback_items``  one document per item, whatever door it came through::

    {source, source_id, event_id, kind, post_id, post_inferred, author, text,
     received_at, in_reply_to, metrics, via, ingested_at, late, needs_reply,
     annotation: {question, question_reason, sentiment, sentiment_score, spam, spam_reasons},
     enquiry: {state, deadline, breached, breached_at, answered_at, answered_by,
               reply_text, reply_key, time_to_reply_seconds}}     # only if it needs a reply

                    The enquiry log of the 12-hour rule is the items that carry ``enquiry``:
                    an item and its enquiry are one document, written in one insert.
``windows``         ``_id`` = post id; the window, its poll target, and its summary once closed
``documents``       ``_id`` = digest id; the document as JSON, Markdown, HTML and .docx bytes
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from services.feedback.analysis import FeedbackItem
from services.feedback.digest import CategoryHistoryRow, EnquiryInfo, PostInfo
from services.feedback.domain import (
    Annotation,
    EnquiryState,
    Window,
    WindowState,
    item_key,
    reply_deadline,
)
from shared.events import (
    FeedbackKind,
    FeedbackReceived,
    FeedbackReceivedPayload,
    PostPublished,
)
from shared.mongo import MongoDoc

__all__ = [
    "Incoming",
    "Via",
    "enquiry_info",
    "feedback_item",
    "history_row",
    "item_document",
    "post_info",
    "received_event",
    "reply_payload",
    "window_document",
    "window_from_document",
]

Via = Literal["amqp", "http", "push", "poll", "api"]
"""The door an item came through."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """One item to store: the public contract's payload, its event id and its door."""

    payload: FeedbackReceivedPayload
    event_id: str
    via: Via

    @property
    def key(self) -> str:
        return item_key(self.payload.source, self.payload.source_id)


def item_document(
    incoming: Incoming,
    annotation: Annotation,
    *,
    post_id: str | None,
    inferred: bool,
    late: bool,
    needs_reply: bool,
    reply_limit: timedelta,
    now: datetime,
) -> MongoDoc:
    """The stored item (``_id`` left to the driver; the natural key is unique)."""
    p = incoming.payload
    doc: MongoDoc = {
        "source": p.source,
        "source_id": p.source_id,
        "event_id": incoming.event_id,
        "kind": p.kind.value,
        "post_id": post_id,
        "post_inferred": inferred,
        "author": p.author,
        "text": p.text,
        "received_at": p.received_at,
        "in_reply_to": p.in_reply_to,
        "metrics": p.metrics.model_dump() if p.metrics is not None else None,
        "via": incoming.via,
        "ingested_at": now,
        "late": late,
        "needs_reply": needs_reply,
        "annotation": {
            "question": annotation.question,
            "question_reason": annotation.question_reason,
            "sentiment": annotation.sentiment,
            "sentiment_score": annotation.sentiment_score,
            "spam": annotation.spam,
            "spam_reasons": list(annotation.spam_reasons),
        },
    }
    if needs_reply:
        doc["enquiry"] = {
            "state": EnquiryState.OPEN.value,
            "deadline": reply_deadline(p.received_at, reply_limit),
            "breached": False,
            "breached_at": None,
            "answered_at": None,
            "answered_by": None,
            "reply_text": None,
            "reply_key": None,
            "time_to_reply_seconds": None,
        }
    return doc


def window_document(event: PostPublished, *, length: timedelta, now: datetime) -> MongoDoc:
    """A new open window for a published post, with where to poll its comments."""
    p = event.payload
    poll: dict[str, Any] | None = None
    msg_data_id = p.channel_ids.get("msg_data_id", "")
    if p.channel == "wechat" and msg_data_id.isdigit():
        index = p.channel_ids.get("index", "0")
        poll = {"msg_data_id": msg_data_id, "index": int(index) if index.isdigit() else 0}
    return {
        "_id": p.post_id,
        "post_id": p.post_id,
        "title": p.title,
        "category": p.category.value,
        "channel": p.channel,
        "channel_ids": dict(p.channel_ids),
        "url": p.url,
        "correlation_id": event.correlation_id,
        "published_at": p.published_at,
        "starts_at": p.published_at,
        "ends_at": p.published_at + length,
        "state": WindowState.OPEN.value,
        "opened_at": now,
        "poll": poll,
        "closed_at": None,
        "digest_id": None,
        "summary": None,
    }


def window_from_document(doc: MongoDoc) -> Window:
    return Window(
        post_id=doc["_id"],
        starts_at=doc["starts_at"],
        ends_at=doc["ends_at"],
        state=WindowState(doc["state"]),
    )


def feedback_item(doc: MongoDoc, *, post_id: str | None = None) -> FeedbackItem:
    """The analysis model of a stored item (``post_id`` overrides, e.g. for replies)."""
    return FeedbackItem(
        item_id=item_key(doc["source"], doc["source_id"]),
        kind=cast(Any, doc["kind"]),
        text=doc.get("text") or "",
        author=doc.get("author") or "anonymous",
        received_at=doc["received_at"],
        post_id=post_id or doc.get("post_id") or "",
        late=bool(doc.get("late")),
        in_reply_to=doc.get("in_reply_to"),
        metrics={k: int(v) for k, v in (doc.get("metrics") or {}).items()},
    )


def enquiry_info(doc: MongoDoc) -> EnquiryInfo:
    """An item carrying an enquiry, as the document's recorded enquiry."""
    key = item_key(doc["source"], doc["source_id"])
    enquiry = doc["enquiry"]
    return EnquiryInfo(
        enquiry_id=key,
        asked_by=doc.get("author") or "anonymous",
        asked_at=doc["received_at"],
        text=doc.get("text") or "",
        answered_by=enquiry.get("answered_by"),
        answered_at=enquiry.get("answered_at"),
        item_id=key,
    )


def post_info(window: MongoDoc) -> PostInfo:
    return PostInfo(
        post_id=window["post_id"],
        title=window["title"],
        category=window["category"],
        published_at=window["published_at"],
    )


def history_row(window: MongoDoc) -> CategoryHistoryRow:
    """A closed window as a row of its category's comparison."""
    summary = window.get("summary") or {}
    return CategoryHistoryRow(
        post_id=window["post_id"],
        title=window["title"],
        published_at=window["published_at"],
        comments=int(summary.get("comments", 0)),
        positive_share=float(summary.get("positive_share", 0.0)),
        negative_share=float(summary.get("negative_share", 0.0)),
        reads=int(summary.get("reads") or 0),
    )


def received_event(
    payload: FeedbackReceivedPayload, *, event_id: str, correlation_id: str, now: datetime
) -> FeedbackReceived:
    """``feedback.received`` for an item that entered through our own doors."""
    return FeedbackReceived(
        event_id=uuid.UUID(event_id),
        occurred_at=now,
        producer="feedback",
        correlation_id=correlation_id[:128],
        payload=payload,
    )


def reply_payload(
    *,
    source: str,
    source_id: str,
    in_reply_to: str,
    post_id: str | None,
    author: str,
    text: str,
    at: datetime,
) -> FeedbackReceivedPayload:
    """Our reply to an enquiry, as the public contract carries it."""
    return FeedbackReceivedPayload(
        source=source,
        source_id=source_id,
        kind=FeedbackKind.REPLY,
        post_id=post_id,
        author=author[:128],
        text=text,
        received_at=at,
        in_reply_to=in_reply_to,
    )
