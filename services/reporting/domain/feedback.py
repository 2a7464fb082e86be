"""Feedback in the read model: ``feedback.received`` in, ``FeedbackEvent`` out.

An item is keyed by its natural key ``source:source_id`` (the form a reply's
``in_reply_to`` takes), a comment or message that asks something is an *enquiry*, only
the latest (cumulative) metric snapshot of a post is kept, and per-post sentiment comes
from the post's digest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from services.reporting.domain import Doc
from services.reporting.domain.accounts import fact_account, scoped_key
from services.reporting.reports import FeedbackEvent, PostFeedbackAgg
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import FeedbackKind, FeedbackReceived

__all__ = [
    "asks_question",
    "feedback_doc",
    "feedback_events",
    "feedback_ref",
    "metric_doc",
    "with_digest_sentiment",
]

_INTERROGATIVE = re.compile(
    r"请问|想问|问一下|请教|咨询|为什么|为啥|怎么|怎样|如何|哪里|哪个|哪些|多少|多久|"
    r"是否|能否|可否|有没有|能不能|可不可以|会不会|要不要|什么时候|什么意思"
)
_NOT_INTERROGATIVE = re.compile(r"不怎么|怎么(都|也)|无论如何|不管如何|多少(有|也|会|还)")
_FINAL_PARTICLE = re.compile(r"(?<![什怎这那多要])[吗么][啊呀哦]?[。.!！~～…\s]*$")


def asks_question(text: str) -> bool:
    """A cheap rule: a question mark, a final 吗/么, or an interrogative word."""
    clean = unicodedata.normalize("NFKC", text)  # full-width ？ becomes ?
    if "?" in clean:
        return True
    if _FINAL_PARTICLE.search(clean):
        return True
    return _INTERROGATIVE.search(_NOT_INTERROGATIVE.sub("", clean)) is not None


def feedback_ref(source: str, source_id: str, account: str = DEFAULT_ACCOUNT) -> str:
    """The natural key of a feedback item, in the form replies point at it (per account:
    two accounts' channels may give the same ids)."""
    return scoped_key(account, f"{source}:{source_id}")


def feedback_account(event: FeedbackReceived, post_account: str | None) -> str:
    """The account of a feedback item or snapshot: its post's, when the post is known
    (``AccountMismatch`` for a version-2 event naming another account)."""
    return fact_account(event, post_account, what=f"post {event.payload.post_id}")


def feedback_doc(event: FeedbackReceived, post_account: str | None = None) -> Doc:
    """A stored feedback item (comment, message or reply; not metric snapshots).

    ``post_account`` is the account of the post it is about, when the post is stored.
    """
    p = event.payload
    account = feedback_account(event, post_account)
    kind = p.kind.value
    if p.kind in (FeedbackKind.COMMENT, FeedbackKind.MESSAGE) and asks_question(p.text):
        kind = "enquiry"
    doc: Doc = {
        "_id": feedback_ref(p.source, p.source_id, account),
        "account": account,
        "kind": kind,
        "post_id": p.post_id,
        "at": p.received_at,
        "event_id": str(event.event_id),
    }
    if p.in_reply_to:  # only replies carry it: keeps the sparse index small
        doc["in_reply_to"] = scoped_key(account, p.in_reply_to)
    return doc


def metric_doc(event: FeedbackReceived, post_account: str | None = None) -> Doc | None:
    """The latest-counters document of a metric snapshot; None without a post."""
    p = event.payload
    if p.metrics is None or p.post_id is None:
        return None
    account = feedback_account(event, post_account)
    return {
        "_id": p.post_id,
        "account": account,
        "at": p.received_at,
        "reads": p.metrics.reads,
        "likes": p.metrics.likes,
        "shares": p.metrics.shares,
        "ref": feedback_ref(p.source, p.source_id, account),
    }


def feedback_events(
    items: Iterable[Mapping[str, Any]], metrics: Iterable[Mapping[str, Any]]
) -> list[FeedbackEvent]:
    """Stored feedback and metric documents as ``aggregate_feedback`` input."""
    items = list(items)
    post_of = {d["_id"]: d["post_id"] for d in items if d.get("post_id")}
    events: list[FeedbackEvent] = []
    for d in items:
        post_id = d.get("post_id") or post_of.get(d.get("in_reply_to") or "")
        if post_id is None:
            continue  # a reply to something we never saw, about no post
        events.append(
            FeedbackEvent(
                post_id=post_id,
                kind=d["kind"],
                at=d["at"],
                feedback_id=d["_id"],
                in_reply_to=d.get("in_reply_to"),
            )
        )
    for m in metrics:
        events.append(
            FeedbackEvent(
                post_id=m["_id"],
                kind="metric",
                at=m["at"],
                feedback_id=m.get("ref", ""),
                reads=m["reads"],
                likes=m["likes"],
                shares=m["shares"],
            )
        )
    return events


def with_digest_sentiment(
    aggs: Sequence[PostFeedbackAgg], digests: Iterable[Mapping[str, Any]]
) -> list[PostFeedbackAgg]:
    """Per-post figures with the sentiment counts of each post's digest filled in."""
    sentiment = {d["_id"]: d.get("sentiment") or {} for d in digests}
    out = {a.post_id: a for a in aggs}
    for post_id, counts in sentiment.items():
        if not counts:
            continue
        base = out.get(post_id) or PostFeedbackAgg(post_id=post_id)
        out[post_id] = base.model_copy(
            update={
                "positive": max(int(counts.get("positive", 0)), 0),
                "neutral": max(int(counts.get("neutral", 0)), 0),
                "negative": max(int(counts.get("negative", 0)), 0),
            }
        )
    return [out[k] for k in sorted(out)]
