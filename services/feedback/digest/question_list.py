"""The questions of a digest: recorded enquiries and the questions and requests found in
comments and messages, each with its intent, its reply, who answered it, when, and
whether it waited over the reply limit.

Every question is counted, but only the ones the document lists are made into
:class:`QuestionEntry` (personal data masked, validated): a post with tens of thousands
of questions lists fifty (#15)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from ..analysis import FeedbackItem, ItemInsight, display_text, redact
from .model import EnquiryInfo, QuestionEntry

__all__ = ["PendingQuestion", "question_entries", "question_order"]

Source = Literal["enquiry", "comment", "message"]


@dataclass(frozen=True, slots=True)
class PendingQuestion:
    """A question with what counting and ordering need; :meth:`entry` makes the row."""

    source: Source
    asked_at: datetime
    answered_at: datetime | None
    breached: bool
    found: tuple[FeedbackItem, ItemInsight, FeedbackItem | None] | None = None
    recorded: Mapping[str, Any] | None = None

    @property
    def fields(self) -> Mapping[str, Any]:
        """The row's other fields: a recorded enquiry's, or those of a found question."""
        if self.recorded is not None:
            return self.recorded
        assert self.found is not None
        item, insight, reply = self.found
        reason = insight.question.reason if insight.question.is_question else None
        return {
            "ref_id": item.item_id,
            "asked_by": item.author,
            "text": item.text,
            "reason": reason or (f"请求“{insight.request}”" if insight.request else None),
            "intent": insight.intent,
            "answered_by": reply.author if reply else None,
            "reply_text": reply.text if reply else None,
        }

    @property
    def is_open(self) -> bool:
        """Whether no answer was recorded."""
        return self.answered_at is None

    def entry(self) -> QuestionEntry:
        """The document's row: texts shown as quoted, personal data masked."""
        fields = self.fields
        reply_text: str | None = fields.get("reply_text")
        return QuestionEntry.model_validate(
            {
                **fields,
                "source": self.source,
                "asked_at": self.asked_at,
                "answered_at": self.answered_at,
                "breached": self.breached,
                "text": redact(display_text(fields["text"])),
                "reply_text": redact(display_text(reply_text)) if reply_text else None,
                "time_to_reply": self.answered_at - self.asked_at if self.answered_at else None,
            }
        )


def question_entries(
    asks: Sequence[tuple[FeedbackItem, ItemInsight]],
    enquiries: Sequence[EnquiryInfo],
    enquiry_intents: Mapping[str, str | None],
    replies: Sequence[FeedbackItem],
    generated_at: datetime,
    limit: timedelta,
) -> list[PendingQuestion]:
    """The recorded enquiries and the items of ``asks`` (questions and requests), each with
    its first answer by ``generated_at`` and whether it waited over ``limit``.

    ``enquiry_intents`` gives each enquiry's intent by ``enquiry_id``."""
    first_reply: dict[str, FeedbackItem] = {}
    for r in sorted(replies, key=lambda r: r.received_at):
        if r.in_reply_to and r.received_at <= generated_at:
            first_reply.setdefault(r.in_reply_to, r)
    entries: list[PendingQuestion] = []
    recorded = {e.item_id for e in enquiries if e.item_id}
    for e in enquiries:
        answered_at = e.answered_at if e.answered_at and e.answered_at <= generated_at else None
        reply = first_reply.get(e.item_id or e.enquiry_id)
        reply_text = e.reply_text or (reply.text if reply else None)
        entries.append(
            _pending(
                "enquiry",
                e.asked_at,
                answered_at,
                {
                    "ref_id": e.enquiry_id,
                    "asked_by": e.asked_by,
                    "text": e.text,
                    "intent": enquiry_intents.get(e.enquiry_id),
                    "answered_by": e.answered_by if answered_at else None,
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
        answered_at = reply.received_at if reply else None
        entries.append(
            PendingQuestion(
                "comment" if item.kind == "comment" else "message",
                item.received_at,
                answered_at,
                (answered_at or generated_at) - item.received_at > limit,
                found=(item, insight, reply),
            )
        )
    return entries


def _pending(
    source: Source,
    asked_at: datetime,
    answered_at: datetime | None,
    fields: dict[str, Any],
    generated_at: datetime,
    limit: timedelta,
) -> PendingQuestion:
    waited = (answered_at or generated_at) - asked_at
    return PendingQuestion(source, asked_at, answered_at, waited > limit, recorded=fields)


def question_order(q: PendingQuestion | QuestionEntry) -> tuple[int, datetime]:
    """Sort key: open and breached, open, answered late, answered in time; oldest first."""
    return (
        0 if q.is_open and q.breached else 1 if q.is_open else 2 if q.breached else 3,
        q.asked_at,
    )
