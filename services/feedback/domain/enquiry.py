"""The 12-hour reply rule: an enquiry, its answer, and the sending of that answer.

An enquiry is recorded with the item that asks (a customer message, or a comment that
asks something). Its deadline is ``asked_at + reply limit``; the **earliest** reply is
its answer, and it is breached when that reply came (or is still missing) after the
deadline. An answer we send to the customer through WeChat has a :class:`Delivery`:
``pending`` until an attempt settles it ``sent``, ``failed`` or ``unknown``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from services.feedback.domain.keys import COMMENT_SOURCE, MESSAGE_SOURCE

__all__ = [
    "SENDABLE_SOURCES",
    "CommentTarget",
    "Delivery",
    "DeliveryState",
    "Enquiry",
    "EnquiryState",
    "comment_target",
    "is_breached",
    "reply_deadline",
    "send_target",
]

#: Enquiry sources we answer through WeChat; the channel is named after the source.
SENDABLE_SOURCES = frozenset({COMMENT_SOURCE, MESSAGE_SOURCE})
_NO_AUTHOR = "anonymous"


class EnquiryState(StrEnum):
    """An enquiry waits for a reply (``open``) until the first one arrives (``answered``)."""

    OPEN = "open"
    ANSWERED = "answered"


class DeliveryState(StrEnum):
    """Where the sending of an enquiry's answer stands."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"


def reply_deadline(asked_at: datetime, limit: timedelta) -> datetime:
    return asked_at + limit


def is_breached(deadline: datetime, answered_at: datetime | None, now: datetime) -> bool:
    """Breached: answered after the deadline, or still unanswered past it."""
    return (answered_at or now) > deadline


@dataclass(frozen=True, slots=True)
class Delivery:
    """The sending of an enquiry's answer to the customer through WeChat."""

    channel: str
    state: DeliveryState = DeliveryState.PENDING
    attempts: int = 0
    error: str | None = None
    sent_at: datetime | None = None
    in_flight_since: datetime | None = None
    """Set while an attempt is calling WeChat; an attempt that finds it set may have sent."""


@dataclass(frozen=True, slots=True)
class Enquiry:
    """The reply rule's record on an item that needs a reply."""

    deadline: datetime
    state: EnquiryState = EnquiryState.OPEN
    breached: bool = False
    breached_at: datetime | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    reply_text: str | None = None
    reply_key: str | None = None
    time_to_reply_seconds: float | None = None
    delivery: Delivery | None = None

    @classmethod
    def opened(cls, asked_at: datetime, limit: timedelta) -> Enquiry:
        return cls(deadline=reply_deadline(asked_at, limit))

    def is_breached(self, now: datetime) -> bool:
        return is_breached(self.deadline, self.answered_at, now)

    def answered(
        self, *, asked_at: datetime, at: datetime, by: str, text: str, reply_key: str
    ) -> Enquiry | None:
        """The enquiry as a reply said ``at`` leaves it; None when that reply is not its answer.

        The earliest reply is the answer. Once we send (or sent) the answer to WeChat,
        what WeChat shows back is its echo, stamped to the whole second and so seemingly
        earlier: it does not replace the answer either.
        """
        previous = self.answered_at
        if previous is not None and (previous <= at or self.delivery is not None):
            return None
        return dataclasses.replace(
            self,
            state=EnquiryState.ANSWERED,
            answered_at=at,
            answered_by=by,
            reply_text=text,
            reply_key=reply_key,
            breached=is_breached(self.deadline, at, at),
            time_to_reply_seconds=max((at - asked_at).total_seconds(), 0.0),
        )


@dataclass(frozen=True, slots=True)
class CommentTarget:
    """The comment a ``wechat_comment`` item is, as ``comment/reply/add`` names it."""

    msg_data_id: int
    index: int
    user_comment_id: int


def comment_target(source_id: str) -> CommentTarget | None:
    """Parse ``<msg_data_id>:<index>:<user_comment_id>``; None when it is not that shape."""
    parts = source_id.split(":")
    if len(parts) != 3 or not all(part.isascii() and part.isdigit() for part in parts):
        return None
    msg_data_id, index, user_comment_id = (int(part) for part in parts)
    return CommentTarget(msg_data_id, index, user_comment_id)


def send_target(source: str, source_id: str, author: str | None) -> dict[str, Any] | None:
    """Where the answer to an enquiry asked in ``source`` goes on WeChat (the send job's
    payload without the text); None when it is not ours to send (another source, or no
    addressable customer)."""
    if source == COMMENT_SOURCE:
        target = comment_target(source_id)
        if target is None:
            return None
        return {
            "channel": COMMENT_SOURCE,
            "msg_data_id": target.msg_data_id,
            "index": target.index,
            "user_comment_id": target.user_comment_id,
        }
    if source == MESSAGE_SOURCE:
        if not author or author == _NO_AUTHOR:
            return None
        return {"channel": MESSAGE_SOURCE, "openid": str(author)}
    return None
