"""Pure rules of the feedback service: windows, lateness, annotation, the reply rule.

A **window** is the 24 hours after a push (``[published_at, published_at + length)``);
it is ``open`` until its timed job closes it and issues the core-issues document.
An item is **late** when it was said outside its window or arrived after the window
closed: it is kept, flagged, and never changes a document already issued.

Every item is **annotated at ingestion** with cheap rules (question? sentiment, spam:
about 30 µs per item, no word segmentation), because the 12-hour reply rule needs to
know at once whether a comment asks something. The expensive analysis (tokens, themes,
keywords) runs once per window, when the document is built.

An **enquiry** is a customer message, or a comment that asks something; spam is neither.
Its reply deadline is ``asked_at + reply limit``; the first reply answers it, and it is
breached when that reply came (or is still missing) after the deadline.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.feedback.analysis import clean_text, detect_question, detect_spam, score_clean

__all__ = [
    "COMMENT_SOURCE",
    "MESSAGE_SOURCE",
    "Annotation",
    "EnquiryState",
    "Window",
    "WindowState",
    "annotate",
    "choose_window",
    "digest_id_for",
    "is_breached",
    "is_late",
    "item_event_id",
    "item_key",
    "needs_reply",
    "reply_deadline",
    "split_key",
]

_ITEM_NAMESPACE = uuid.UUID("5f1c7a40-3d0e-4b7e-9a31-6e8b2c1d0f47")

# The WeChat sources, named here because the poller, the push door and reply sending
# all need them. Comments are keyed ``<msg_data_id>:<index>:<user_comment_id>`` and
# written by the commenter's openid; messages keyed by ``MsgId``, written by the sender's.
COMMENT_SOURCE = "wechat_comment"
MESSAGE_SOURCE = "wechat_message"


class WindowState(StrEnum):
    """A window collects feedback while ``open``; ``closed`` once its document is issued."""

    OPEN = "open"
    CLOSED = "closed"


class EnquiryState(StrEnum):
    """An enquiry waits for a reply (``open``) until the first one arrives (``answered``)."""

    OPEN = "open"
    ANSWERED = "answered"


@dataclass(frozen=True, slots=True)
class Window:
    """The feedback window of one post, as the rules need it."""

    post_id: str
    starts_at: datetime
    ends_at: datetime
    state: WindowState

    def contains(self, instant: datetime) -> bool:
        return self.starts_at <= instant < self.ends_at


def item_key(source: str, source_id: str) -> str:
    """``source:source_id``: how replies name the item they answer (``in_reply_to``)."""
    return f"{source}:{source_id}"


def split_key(key: str) -> tuple[str, str]:
    """``(source, source_id)`` of an item key, split at the first colon.

    The contract's ``in_reply_to`` is ``source:source_id``; a source containing a colon
    cannot be told apart there, so sources are read as colon-free (all known ones are).
    """
    source, _, source_id = key.partition(":")
    return source, source_id


def item_event_id(source: str, source_id: str) -> uuid.UUID:
    """A stable event id for an item that entered through our own doors (not AMQP).

    Stable, so a retried ingestion of the same item emits the same event again and every
    consumer (this service included) sees a duplicate, not a second item.
    """
    return uuid.uuid5(_ITEM_NAMESPACE, item_key(source, source_id))


def digest_id_for(post_id: str) -> str:
    """One document per post: its id is derived from the post, so a re-run cannot fork it."""
    return f"dg-{uuid.uuid5(_ITEM_NAMESPACE, 'digest:' + post_id).hex[:24]}"


def is_late(window: Window | None, received_at: datetime) -> bool:
    """Late: said outside the window, or arriving after it closed. No window: not late."""
    if window is None:
        return False
    return window.state is WindowState.CLOSED or not window.contains(received_at)


def choose_window(open_windows: Iterable[Window], received_at: datetime) -> Window | None:
    """The window an item without a post belongs to: the latest open one it falls in.

    Private messages name no post; during a window they are feedback on that push.
    """
    candidates = [w for w in open_windows if w.contains(received_at)]
    return max(candidates, key=lambda w: w.starts_at) if candidates else None


@dataclass(frozen=True, slots=True)
class Annotation:
    """The cheap per-item analysis stored with every item."""

    question: bool = False
    question_reason: str = ""
    sentiment: str = "neutral"
    sentiment_score: float = 0.0
    spam: bool = False
    spam_reasons: tuple[str, ...] = ()


_NOT_JUDGED = Annotation()


def annotate(kind: str, text: str) -> Annotation:
    """Question, sentiment and spam of a customer's words; replies and metrics are not judged.

    The same steps, in the same order, as the document's own analysis (spam first; a spam
    text is never a question), so the enquiry log and the document agree.
    """
    if kind not in ("comment", "message") or not text.strip():
        return _NOT_JUDGED
    clean = clean_text(text)
    spam = detect_spam(clean.text)
    question = None if spam.is_spam else detect_question(clean.text)
    sentiment = score_clean(clean.text, clean.stickers, clean.emoji)
    return Annotation(
        question=bool(question and question.is_question),
        question_reason=question.reason if question and question.is_question else "",
        sentiment=sentiment.label,
        sentiment_score=sentiment.score,
        spam=spam.is_spam,
        spam_reasons=spam.reasons,
    )


def needs_reply(kind: str, annotation: Annotation) -> bool:
    """Every customer message needs a reply (运营部规章制度); a comment only when it asks."""
    if annotation.spam:
        return False
    return kind == "message" or (kind == "comment" and annotation.question)


def reply_deadline(asked_at: datetime, limit: timedelta) -> datetime:
    return asked_at + limit


def is_breached(deadline: datetime, answered_at: datetime | None, now: datetime) -> bool:
    """Breached: answered after the deadline, or still unanswered past it."""
    return (answered_at or now) > deadline
