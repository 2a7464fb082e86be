"""The questions of a digest: recorded enquiries and the questions and requests found in
comments and messages, each with its intent, its reply, who answered it, when, and
whether it waited over the reply limit."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from ..analysis import FeedbackItem, ItemInsight, display_text, redact
from .model import EnquiryInfo, QuestionEntry

__all__ = ["question_entries", "question_order"]


def question_entries(
    asks: Sequence[tuple[FeedbackItem, ItemInsight]],
    enquiries: Sequence[EnquiryInfo],
    enquiry_intents: Mapping[str, str | None],
    replies: Sequence[FeedbackItem],
    generated_at: datetime,
    limit: timedelta,
) -> list[QuestionEntry]:
    """The recorded enquiries and the items of ``asks`` (questions and requests), each with
    its first answer by ``generated_at`` and whether it waited over ``limit``.

    ``enquiry_intents`` gives each enquiry's intent by ``enquiry_id``."""
    first_reply: dict[str, FeedbackItem] = {}
    for r in sorted(replies, key=lambda r: r.received_at):
        if r.in_reply_to and r.received_at <= generated_at:
            first_reply.setdefault(r.in_reply_to, r)
    entries: list[QuestionEntry] = []
    recorded = {e.item_id for e in enquiries if e.item_id}
    for e in enquiries:
        answered_at = e.answered_at if e.answered_at and e.answered_at <= generated_at else None
        reply = first_reply.get(e.item_id or e.enquiry_id)
        reply_text = e.reply_text or (reply.text if reply else None)
        entries.append(
            _entry(
                {
                    "source": "enquiry",
                    "ref_id": e.enquiry_id,
                    "asked_by": e.asked_by,
                    "asked_at": e.asked_at,
                    "text": e.text,
                    "intent": enquiry_intents.get(e.enquiry_id),
                    "answered_by": e.answered_by if answered_at else None,
                    "answered_at": answered_at,
                    "reply_text": reply_text if answered_at else None,
                },
                generated_at,
                limit,
            )
        )
    for item, insight in asks:
        if item.item_id in recorded:
            continue
        reply = first_reply.get(item.item_id)
        reason = insight.question.reason if insight.question.is_question else None
        entries.append(
            _entry(
                {
                    "source": "comment" if item.kind == "comment" else "message",
                    "ref_id": item.item_id,
                    "asked_by": item.author,
                    "asked_at": item.received_at,
                    "text": item.text,
                    "reason": reason or (f"请求“{insight.request}”" if insight.request else None),
                    "intent": insight.intent,
                    "answered_by": reply.author if reply else None,
                    "answered_at": reply.received_at if reply else None,
                    "reply_text": reply.text if reply else None,
                },
                generated_at,
                limit,
            )
        )
    return entries


def _entry(fields: dict[str, Any], generated_at: datetime, limit: timedelta) -> QuestionEntry:
    asked_at: datetime = fields["asked_at"]
    answered_at: datetime | None = fields["answered_at"]
    waited = (answered_at or generated_at) - asked_at
    reply_text: str | None = fields.get("reply_text")
    return QuestionEntry.model_validate(
        {
            **fields,
            "text": redact(display_text(fields["text"])),
            "reply_text": redact(display_text(reply_text)) if reply_text else None,
            "time_to_reply": answered_at - asked_at if answered_at else None,
            "breached": waited > limit,
        }
    )


def question_order(q: QuestionEntry) -> tuple[int, datetime]:
    """Sort key: open and breached, open, answered late, answered in time; oldest first."""
    return (
        0 if q.is_open and q.breached else 1 if q.is_open else 2 if q.breached else 3,
        q.asked_at,
    )
