"""Fold raw feedback events into one ``PostFeedbackAgg`` per post (pure, single pass).

Event kinds: ``comment``, ``message``, ``enquiry`` (items from customers, optionally with a
``sentiment``), ``reply`` (ours, pointing at an item by ``in_reply_to``) and ``metric``
(a cumulative reads/likes/shares snapshot; the latest one wins). Unknown kinds are ignored
so producers may add kinds compatibly. Items and replies with a ``feedback_id`` are
counted once however often they are delivered.

The 12-hour rule (``reply_sla``: an account's own reply limit, #12) covers messages and
enquiries: one counts in ``replies_within_12h`` when its first reply came within 12 hours;
an enquiry is *breached* when its first reply came later, or when it has none and 12
hours have passed by ``as_of`` (if ``as_of`` is None, every unanswered enquiry counts as
breached).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from .inputs import PostFeedbackAgg

__all__ = ["REPLY_SLA", "FeedbackEvent", "aggregate_feedback"]

REPLY_SLA = timedelta(hours=12)
_ITEMS = frozenset({"comment", "message", "enquiry"})
_ANSWERABLE = frozenset({"message", "enquiry"})
_SENTIMENTS = frozenset({"positive", "neutral", "negative"})


class FeedbackEvent(NamedTuple):
    """A lightweight ``feedback.received`` fact (a dict with these keys works too)."""

    post_id: str
    kind: str
    at: datetime
    feedback_id: str = ""
    in_reply_to: str | None = None
    sentiment: str | None = None
    reads: int = 0
    likes: int = 0
    shares: int = 0


@dataclass(slots=True)
class _Acc:
    comments: int = 0
    messages: int = 0
    enquiries: int = 0
    replies: int = 0
    positive: int = 0
    neutral: int = 0
    negative: int = 0
    metric_at: datetime | None = None
    reads: int = 0
    likes: int = 0
    shares: int = 0


_FIELDS = FeedbackEvent._fields


def _coerce(event: FeedbackEvent | Mapping[str, Any]) -> FeedbackEvent:
    if isinstance(event, FeedbackEvent):
        return event
    return FeedbackEvent(**{k: event[k] for k in _FIELDS if k in event})


def aggregate_feedback(
    events: Iterable[FeedbackEvent | Mapping[str, Any]],
    *,
    as_of: datetime | None = None,
    reply_sla: timedelta = REPLY_SLA,
) -> list[PostFeedbackAgg]:
    """Aggregate feedback events per post; returns rows sorted by ``post_id``."""
    accs: dict[str, _Acc] = {}
    seen: set[str] = set()
    answerable: list[tuple[str, str, datetime]] = []  # (post_id, kind, asked_at) by id order
    answerable_ids: list[str] = []
    first_reply: dict[str, datetime] = {}
    for raw in events:
        ev = _coerce(raw)
        kind = ev.kind
        fid = ev.feedback_id
        if fid:
            if fid in seen:
                continue
            seen.add(fid)
        acc = accs.get(ev.post_id)
        if acc is None:
            acc = accs[ev.post_id] = _Acc()
        if kind in _ITEMS:
            if kind == "comment":
                acc.comments += 1
            elif kind == "message":
                acc.messages += 1
            else:
                acc.enquiries += 1
            sentiment = ev.sentiment
            if sentiment in _SENTIMENTS:
                if sentiment == "positive":
                    acc.positive += 1
                elif sentiment == "neutral":
                    acc.neutral += 1
                else:
                    acc.negative += 1
            if kind in _ANSWERABLE:
                answerable.append((ev.post_id, kind, ev.at))
                answerable_ids.append(fid)
        elif kind == "reply":
            acc.replies += 1
            target = ev.in_reply_to
            if target:
                known = first_reply.get(target)
                if known is None or ev.at < known:
                    first_reply[target] = ev.at
        elif kind == "metric" and (acc.metric_at is None or ev.at >= acc.metric_at):
            acc.metric_at = ev.at
            acc.reads, acc.likes, acc.shares = ev.reads, ev.likes, ev.shares

    within: dict[str, int] = {}
    breached: dict[str, int] = {}
    for (post_id, kind, asked_at), fid in zip(answerable, answerable_ids, strict=True):
        replied = first_reply.get(fid) if fid else None
        if replied is not None and replied - asked_at <= reply_sla:
            within[post_id] = within.get(post_id, 0) + 1
        elif kind == "enquiry" and (
            replied is not None or as_of is None or as_of - asked_at > reply_sla
        ):
            breached[post_id] = breached.get(post_id, 0) + 1

    return [
        PostFeedbackAgg(
            post_id=post_id,
            comments=a.comments,
            messages=a.messages,
            enquiries=a.enquiries,
            replies=a.replies,
            replies_within_12h=within.get(post_id, 0),
            enquiries_breached=breached.get(post_id, 0),
            reads=a.reads,
            likes=a.likes,
            shares=a.shares,
            positive=a.positive,
            neutral=a.neutral,
            negative=a.negative,
        )
        for post_id, a in sorted(accs.items())
    ]
