"""Feedback items: one comment, message, reply or metric snapshot, stored once.

An :class:`Incoming` item (the public contract's payload, its event id, the door it came
through) is **placed** at ingestion (:meth:`FeedbackItem.placed`): annotated, put in its
post's window (or, for a message naming no post, the latest open window it falls in),
flagged late when outside it, and given an :class:`~.enquiry.Enquiry` when it needs a
reply. An item and its enquiry are one record.

Accounts (#12): an item belongs to its post's (its window's) account. The door that
brought it names an account too (a version-2 event's ``account``, the HTTP batch's, the
push URL's); when that is not the window's account the item is refused
(:class:`AccountMismatch`) unless the door only assumed it (a version-1 event: the
window's account wins). An item without a window keeps the door's account, and a message
naming no post is placed only in an open window of that account.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal, cast

from services.feedback.analysis import FeedbackItem as AnalysedItem
from services.feedback.digest import EnquiryInfo
from services.feedback.domain.annotation import Annotation, annotate, needs_reply
from services.feedback.domain.enquiry import Enquiry, send_target
from services.feedback.domain.keys import item_key
from services.feedback.domain.window import WindowSpan, choose_window, is_late
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import FeedbackKind, FeedbackReceived, FeedbackReceivedPayload

__all__ = ["AccountMismatch", "FeedbackItem", "Incoming", "Outcome", "Via"]

Via = Literal["amqp", "http", "push", "poll", "api"]
"""The door an item came through."""

_CUSTOMER_WORDS = (FeedbackKind.COMMENT, FeedbackKind.MESSAGE)


class Outcome(StrEnum):
    """What happened to one offered item."""

    STORED = "stored"
    DUPLICATE = "duplicate"
    INVALID = "invalid"


class AccountMismatch(ValueError):
    """The door named one account, the item's post belongs to another."""

    def __init__(self, post_id: str, named: str, owner: str) -> None:
        super().__init__(
            f"post {post_id!r} belongs to account {owner!r}, not to {named!r} named with it"
        )
        self.post_id = post_id
        self.named = named
        self.owner = owner


@dataclass(frozen=True, slots=True)
class Incoming:
    """One item to store: the public contract's payload, its event id and its door.

    ``account`` is the account the door names; ``account_named`` False when the door
    only assumed it (a version-1 event), so the item's window decides.
    """

    payload: FeedbackReceivedPayload
    event_id: str
    via: Via
    account: str = DEFAULT_ACCOUNT
    account_named: bool = True

    @property
    def key(self) -> str:
        return item_key(self.payload.source, self.payload.source_id)

    @property
    def needs_window_guess(self) -> bool:
        """A comment or message naming no post belongs to the open window it falls in."""
        return not self.payload.post_id and self.payload.kind in _CUSTOMER_WORDS

    def announced(self, *, correlation_id: str, now: datetime, account: str) -> FeedbackReceived:
        """``feedback.received`` for an item that entered through our own doors."""
        return FeedbackReceived(
            account=account,
            event_id=uuid.UUID(self.event_id),
            occurred_at=now,
            producer="feedback",
            correlation_id=correlation_id[:128],
            payload=self.payload,
        )


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    """A stored item with its annotation, its window's verdict and, if asked, its enquiry.

    ``ref`` is the store's own id of the record (None until stored): the repository's
    handle, opaque here.
    """

    source: str
    source_id: str
    event_id: str
    kind: FeedbackKind
    received_at: datetime
    via: str
    ingested_at: datetime
    post_id: str | None = None
    post_inferred: bool = False
    author: str = "anonymous"
    text: str = ""
    in_reply_to: str | None = None
    metrics: Mapping[str, int] | None = None
    late: bool = False
    needs_reply: bool = False
    annotation: Annotation = Annotation()
    enquiry: Enquiry | None = None
    ref: object | None = None
    account: str = DEFAULT_ACCOUNT

    @classmethod
    def placed(
        cls,
        incoming: Incoming,
        *,
        windows: Mapping[str, WindowSpan | None],
        open_windows: Iterable[WindowSpan],
        reply_limit: Callable[[str], timedelta],
        now: datetime,
    ) -> FeedbackItem:
        """Annotate, place in a window (or infer one of the door's account) and open the
        enquiry of an item, with its account's reply limit; :class:`AccountMismatch` when
        the door named another account than the post's."""
        p = incoming.payload
        post_id, inferred = p.post_id, False
        window = windows.get(post_id) if post_id else None
        if incoming.needs_window_guess:
            window = choose_window(open_windows, p.received_at, incoming.account)
            post_id, inferred = (window.post_id, True) if window else (None, False)
        account = incoming.account
        if window is not None and window.account != account:
            if incoming.account_named:
                raise AccountMismatch(window.post_id, account, window.account)
            account = window.account  # a version-1 event: the post's account wins
        annotation = annotate(p.kind.value, p.text)
        reply_needed = needs_reply(p.kind.value, annotation)
        return cls(
            source=p.source,
            source_id=p.source_id,
            event_id=incoming.event_id,
            kind=p.kind,
            post_id=post_id,
            post_inferred=inferred,
            author=p.author,
            text=p.text,
            received_at=p.received_at,
            in_reply_to=p.in_reply_to,
            metrics=p.metrics.model_dump() if p.metrics is not None else None,
            via=incoming.via,
            ingested_at=now,
            late=is_late(window, p.received_at),
            needs_reply=reply_needed,
            annotation=annotation,
            enquiry=Enquiry.opened(p.received_at, reply_limit(account)) if reply_needed else None,
            account=account,
        )

    @property
    def key(self) -> str:
        """``source:source_id``: the item's name (an enquiry's id, a reply's target)."""
        return item_key(self.source, self.source_id)

    @property
    def is_reply(self) -> bool:
        return self.kind is FeedbackKind.REPLY

    def answer(self, reply: FeedbackItem) -> Enquiry | None:
        """This item's enquiry as ``reply`` leaves it; None when the reply changes nothing."""
        if self.enquiry is None:
            return None
        return self.enquiry.answered(
            asked_at=self.received_at,
            at=reply.received_at,
            by=reply.author or "anonymous",
            text=reply.text or "",
            reply_key=reply.key,
        )

    def send_target(self) -> dict[str, Any] | None:
        """Where the answer to this enquiry goes on WeChat; None when it is not ours to send."""
        return send_target(self.source, self.source_id, self.author)

    def listed_as_enquiry(self, window: WindowSpan) -> bool:
        """Whether the document lists this item from the enquiry log.

        Questions in comments and messages are found by the document's own analysis; a
        message that asks nothing still needs its reply, so it comes from the log.
        """
        return (
            self.enquiry is not None
            and not self.annotation.question
            and not self.late
            and window.contains(self.received_at)
        )

    def analysed(self, *, post_id: str | None = None) -> AnalysedItem:
        """The analysis model of this item (``post_id`` overrides, e.g. for replies)."""
        return AnalysedItem(
            item_id=self.key,
            kind=cast(Any, self.kind.value),
            text=self.text or "",
            author=self.author or "anonymous",
            received_at=self.received_at,
            post_id=post_id or self.post_id or "",
            late=self.late,
            in_reply_to=self.in_reply_to,
            metrics={k: int(v) for k, v in (self.metrics or {}).items()},
        )

    def enquiry_info(self) -> EnquiryInfo:
        """This item's enquiry, as the document records it."""
        answer = self.enquiry
        return EnquiryInfo(
            enquiry_id=self.key,
            asked_by=self.author or "anonymous",
            asked_at=self.received_at,
            text=self.text or "",
            answered_by=answer.answered_by if answer else None,
            answered_at=answer.answered_at if answer else None,
            item_id=self.key,
            reply_text=answer.reply_text if answer else None,
        )
