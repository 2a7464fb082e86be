"""The questions of a digest: recorded enquiries and questions found in comments and
messages, each with who answered it, when, and whether it waited over the reply limit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ..analysis import AnalysedItem, FeedbackItem, display_text, redact
from .model import EnquiryInfo, QuestionEntry

__all__ = ["question_entries", "question_order"]


def question_entries(
    valid: Sequence[AnalysedItem],
    enquiries: Sequence[EnquiryInfo],
    replies: Sequence[FeedbackItem],
    generated_at: datetime,
    limit: timedelta,
) -> list[QuestionEntry]:
    """The recorded enquiries and the questions found in ``valid`` comments and messages,
    each with its first answer by ``generated_at`` and whether it waited over ``limit``."""
    first_reply: dict[str, FeedbackItem] = {}
    for r in sorted(replies, key=lambda r: r.received_at):
        if r.in_reply_to and r.received_at <= generated_at:
            first_reply.setdefault(r.in_reply_to, r)
    entries: list[QuestionEntry] = []
    recorded = {e.item_id for e in enquiries if e.item_id}
    for e in enquiries:
        answered_at = e.answered_at if e.answered_at and e.answered_at <= generated_at else None
        entries.append(
            _entry(
                "enquiry",
                e.enquiry_id,
                e.asked_by,
                e.asked_at,
                e.text,
                None,
                e.answered_by if answered_at else None,
                answered_at,
                generated_at,
                limit,
            )
        )
    for a in valid:
        if not a.question.is_question or a.item.item_id in recorded:
            continue
        reply = first_reply.get(a.item.item_id)
        kind = "comment" if a.item.kind == "comment" else "message"
        entries.append(
            _entry(
                kind,
                a.item.item_id,
                a.item.author,
                a.item.received_at,
                a.item.text,
                a.question.reason,
                reply.author if reply else None,
                reply.received_at if reply else None,
                generated_at,
                limit,
            )
        )
    return entries


def _entry(
    source: str,
    ref_id: str,
    asked_by: str,
    asked_at: datetime,
    text: str,
    reason: str | None,
    answered_by: str | None,
    answered_at: datetime | None,
    generated_at: datetime,
    limit: timedelta,
) -> QuestionEntry:
    waited = (answered_at or generated_at) - asked_at
    return QuestionEntry.model_validate(
        {
            "source": source,
            "ref_id": ref_id,
            "asked_by": asked_by,
            "asked_at": asked_at,
            "text": redact(display_text(text)),
            "reason": reason,
            "answered_by": answered_by,
            "answered_at": answered_at,
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
