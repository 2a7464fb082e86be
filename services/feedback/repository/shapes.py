"""The stored shapes of the feedback service, and conversions to and from the domain.

``feedback_items``  one document per item, whatever door it came through::

    {source, source_id, event_id, kind, post_id, post_inferred, author, text,
     received_at, in_reply_to, metrics, via, ingested_at, late, needs_reply,
     annotation: {question, question_reason, sentiment, sentiment_score, spam, spam_reasons},
     enquiry: {state, deadline, breached, breached_at, answered_at, answered_by,
               reply_text, reply_key, time_to_reply_seconds,
               delivery: {state, channel, attempts, error, sent_at, in_flight_since}}}

                    ``enquiry`` only if the item needs a reply (the enquiry log of the
                    12-hour rule is the items that carry it; an item and its enquiry are
                    one document, written in one insert), ``delivery`` only once our
                    answer is to be sent through WeChat.
``windows``         ``_id`` = post id; the window, its poll target, and its summary (and
                    the tail of its document's snapshot) once closed
``documents``       ``_id`` = digest id; the document as JSON, Markdown, HTML and .docx bytes
``push_events``     pushed WeChat events that are not feedback, once each
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.feedback.domain.annotation import Annotation
from services.feedback.domain.document import IssuedDocument
from services.feedback.domain.enquiry import Delivery, DeliveryState, Enquiry, EnquiryState
from services.feedback.domain.item import FeedbackItem
from services.feedback.domain.window import CommentPoll, Tail, Window, WindowSpan, WindowState
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import FeedbackKind
from shared.mongo import MongoDoc
from shared.wechat import PushMessage

__all__ = [
    "delivery_document",
    "document_from_stored",
    "enquiry_document",
    "item_document",
    "item_from_document",
    "push_event_document",
    "span_from_document",
    "stored_document",
    "window_document",
    "window_from_document",
]


def delivery_document(delivery: Delivery) -> MongoDoc:
    return {
        "state": delivery.state.value,
        "channel": delivery.channel,
        "attempts": delivery.attempts,
        "error": delivery.error,
        "sent_at": delivery.sent_at,
        "in_flight_since": delivery.in_flight_since,
    }


def _delivery(doc: MongoDoc) -> Delivery:
    return Delivery(
        channel=str(doc.get("channel", "")),
        state=DeliveryState(doc.get("state", DeliveryState.PENDING.value)),
        attempts=int(doc.get("attempts") or 0),
        error=doc.get("error"),
        sent_at=doc.get("sent_at"),
        in_flight_since=doc.get("in_flight_since"),
    )


def enquiry_document(enquiry: Enquiry) -> MongoDoc:
    doc: MongoDoc = {
        "state": enquiry.state.value,
        "deadline": enquiry.deadline,
        "breached": enquiry.breached,
        "breached_at": enquiry.breached_at,
        "answered_at": enquiry.answered_at,
        "answered_by": enquiry.answered_by,
        "reply_text": enquiry.reply_text,
        "reply_key": enquiry.reply_key,
        "time_to_reply_seconds": enquiry.time_to_reply_seconds,
    }
    if enquiry.delivery is not None:
        doc["delivery"] = delivery_document(enquiry.delivery)
    return doc


def _enquiry(doc: MongoDoc) -> Enquiry:
    delivery = doc.get("delivery")
    return Enquiry(
        deadline=doc["deadline"],
        state=EnquiryState(doc.get("state", EnquiryState.OPEN.value)),
        breached=bool(doc.get("breached")),
        breached_at=doc.get("breached_at"),
        answered_at=doc.get("answered_at"),
        answered_by=doc.get("answered_by"),
        reply_text=doc.get("reply_text"),
        reply_key=doc.get("reply_key"),
        time_to_reply_seconds=doc.get("time_to_reply_seconds"),
        delivery=_delivery(delivery) if delivery else None,
    )


def item_document(item: FeedbackItem) -> MongoDoc:
    """The stored item (``_id`` left to the driver; the natural key is unique)."""
    a = item.annotation
    doc: MongoDoc = {
        "account": item.account,
        "source": item.source,
        "source_id": item.source_id,
        "event_id": item.event_id,
        "kind": item.kind.value,
        "post_id": item.post_id,
        "post_inferred": item.post_inferred,
        "author": item.author,
        "text": item.text,
        "received_at": item.received_at,
        "in_reply_to": item.in_reply_to,
        "metrics": dict(item.metrics) if item.metrics is not None else None,
        "via": item.via,
        "ingested_at": item.ingested_at,
        "late": item.late,
        "needs_reply": item.needs_reply,
        "annotation": {
            "question": a.question,
            "question_reason": a.question_reason,
            "sentiment": a.sentiment,
            "sentiment_score": a.sentiment_score,
            "spam": a.spam,
            "spam_reasons": list(a.spam_reasons),
        },
    }
    if item.enquiry is not None:
        doc["enquiry"] = enquiry_document(item.enquiry)
    return doc


def _annotation(doc: MongoDoc | None) -> Annotation:
    if not doc:
        return Annotation()
    return Annotation(
        question=bool(doc.get("question")),
        question_reason=doc.get("question_reason") or "",
        sentiment=doc.get("sentiment") or "neutral",
        sentiment_score=float(doc.get("sentiment_score") or 0.0),
        spam=bool(doc.get("spam")),
        spam_reasons=tuple(doc.get("spam_reasons") or ()),
    )


def item_from_document(doc: MongoDoc) -> FeedbackItem:
    enquiry = doc.get("enquiry")
    metrics = doc.get("metrics")
    return FeedbackItem(
        source=doc["source"],
        source_id=doc["source_id"],
        event_id=str(doc.get("event_id", "")),
        kind=FeedbackKind(doc["kind"]),
        received_at=doc["received_at"],
        via=str(doc.get("via", "")),
        ingested_at=doc.get("ingested_at") or doc["received_at"],
        post_id=doc.get("post_id"),
        post_inferred=bool(doc.get("post_inferred")),
        author=doc.get("author") or "anonymous",
        text=doc.get("text") or "",
        in_reply_to=doc.get("in_reply_to"),
        metrics={k: int(v) for k, v in metrics.items()} if metrics is not None else None,
        late=bool(doc.get("late")),
        needs_reply=bool(doc.get("needs_reply")),
        annotation=_annotation(doc.get("annotation")),
        enquiry=_enquiry(enquiry) if enquiry else None,
        ref=doc.get("_id"),
        account=doc.get("account") or DEFAULT_ACCOUNT,
    )


def _tail(doc: MongoDoc | None) -> Tail | None:
    if not doc:
        return None
    return Tail(since=doc["since"], included=tuple(doc.get("included") or ()))


def window_document(window: Window) -> MongoDoc:
    poll = window.poll
    doc: MongoDoc = {
        "_id": window.post_id,
        "account": window.account,
        "post_id": window.post_id,
        "title": window.title,
        "category": window.category,
        "channel": window.channel,
        "channel_ids": dict(window.channel_ids),
        "url": window.url,
        "correlation_id": window.correlation_id,
        "published_at": window.published_at,
        "starts_at": window.starts_at,
        "ends_at": window.ends_at,
        "state": window.state.value,
        "opened_at": window.opened_at,
        "poll": {"msg_data_id": poll.msg_data_id, "index": poll.index} if poll else None,
        "closed_at": window.closed_at,
        "digest_id": window.digest_id,
        "summary": dict(window.summary) if window.summary is not None else None,
    }
    if window.tail is not None:
        doc["tail"] = tail_document(window.tail)
    return doc


def tail_document(tail: Tail) -> MongoDoc:
    return {"since": tail.since, "included": list(tail.included)}


def window_from_document(doc: MongoDoc) -> Window:
    poll = doc.get("poll")
    return Window(
        post_id=doc["_id"],
        title=doc.get("title", ""),
        category=doc.get("category", ""),
        channel=doc.get("channel", ""),
        published_at=doc["published_at"],
        starts_at=doc["starts_at"],
        ends_at=doc["ends_at"],
        state=WindowState(doc["state"]),
        opened_at=doc.get("opened_at") or doc["starts_at"],
        channel_ids=dict(doc.get("channel_ids") or {}),
        url=doc.get("url"),
        correlation_id=doc.get("correlation_id") or doc["_id"],
        poll=CommentPoll(str(poll["msg_data_id"]), int(poll.get("index", 0))) if poll else None,
        closed_at=doc.get("closed_at"),
        digest_id=doc.get("digest_id"),
        summary=doc.get("summary"),
        tail=_tail(doc.get("tail")),
        account=doc.get("account") or DEFAULT_ACCOUNT,
    )


def span_from_document(doc: MongoDoc) -> WindowSpan:
    return WindowSpan(
        post_id=doc["_id"],
        starts_at=doc["starts_at"],
        ends_at=doc["ends_at"],
        state=WindowState(doc["state"]),
        account=doc.get("account") or DEFAULT_ACCOUNT,
    )


def stored_document(document: IssuedDocument) -> MongoDoc:
    return {
        "_id": document.digest_id,
        "account": document.account,
        "post_id": document.post_id,
        "generated_at": document.generated_at,
        "window_start": document.window_start,
        "window_end": document.window_end,
        "digest": dict(document.digest),
        "md": document.markdown,
        "html": document.html,
        "docx": document.docx,
    }


def document_from_stored(doc: MongoDoc) -> IssuedDocument:
    digest: dict[str, Any] = doc["digest"]
    return IssuedDocument(
        digest_id=doc["_id"],
        post_id=doc["post_id"],
        generated_at=doc["generated_at"],
        window_start=doc["window_start"],
        window_end=doc["window_end"],
        digest=digest,
        markdown=doc["md"],
        html=doc["html"],
        docx=bytes(doc["docx"]),
        account=doc.get("account") or DEFAULT_ACCOUNT,
    )


def push_event_document(message: PushMessage, *, now: datetime) -> MongoDoc:
    """A pushed event, keyed as WeChat identifies a re-sent one."""
    return {
        "_id": f"{message.from_user}:{message.create_time}:{message.event or ''}",
        "from_user": message.from_user,
        "event": message.event,
        "event_key": message.fields.get("EventKey"),
        "create_time": message.create_time,
        "fields": dict(message.fields),
        "received_at": now,
    }
