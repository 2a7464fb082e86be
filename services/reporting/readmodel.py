"""The reporting read model: event payloads in, report-builder inputs out (pure).

Four kinds of documents, each built from events only (no other service's data)::

    post.published / post.failed  ->  posts         (_id = post_id)      -> PostRow
    feedback.received (items)     ->  feedback      (_id = source:id)    -> FeedbackEvent
    feedback.received (metric)    ->  post_metrics  (_id = post_id)      -> FeedbackEvent
    feedback.digest.ready         ->  digests       (_id = post_id)      -> DigestRow

Rules that keep the model right whatever order events arrive in:

* a post that was published stays published: a later (or late) ``post.failed`` for it is
  ignored, and ``post.published`` after a failure (an unknown outcome reconciled) wins;
* a post ``cancelled`` (a person decided, or a newer approved revision of the draft
  replaced it) is kept but is no publishing failure: reports leave it out;
* a feedback item is keyed by its natural key ``source:source_id`` — the same form as a
  reply's ``in_reply_to`` — so a duplicate, by any path, is stored once;
* a comment or message that asks something (a cheap rule, :func:`asks_question`) is an
  *enquiry* (规章 6.7 用户留言咨询: answered within 12 hours) and counts under
  enquiries, not comments or messages; the text itself is not kept here;
* metric snapshots are cumulative, so only the latest per post is kept;
* a reply without a ``post_id`` takes the post of the item it answers;
* ``feedback.received`` carries no sentiment: per-post sentiment comes from the post's
  digest (its positive / neutral / negative counts);
* the latest digest of a post (by window end) replaces an earlier one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from services.reporting.reports import (
    CATEGORIES,
    Category,
    DigestQuestion,
    DigestRow,
    DigestTheme,
    FeedbackEvent,
    PostFeedbackAgg,
    PostRow,
)
from shared.events import (
    FailureCode,
    FeedbackDigestReady,
    FeedbackKind,
    FeedbackReceived,
    PostFailed,
    PostPublished,
)
from shared.mongo import MongoDoc

__all__ = [
    "asks_question",
    "digest_doc",
    "digest_row",
    "failed_post_doc",
    "feedback_doc",
    "feedback_events",
    "feedback_ref",
    "metric_doc",
    "post_row",
    "published_post_doc",
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


# -- posts -----------------------------------------------------------------------------
def published_post_doc(event: PostPublished, existing: Mapping[str, Any] | None) -> MongoDoc:
    """The post document after ``post.published`` (publishing always wins)."""
    p = event.payload
    doc: MongoDoc = {
        "_id": p.post_id,
        "draft_id": p.draft_id,
        "title": p.title,
        "category": p.category.value,
        "status": "published",
        "at": p.published_at,
        "published_at": p.published_at,
        "failed_at": None,
        "slot_key": p.slot_key,
        "lateness_seconds": p.lateness_seconds,
        "channel": p.channel,
        "url": p.url,
        "failure": (existing or {}).get("failure"),
        "event_id": str(event.event_id),
    }
    return doc


def failed_post_doc(event: PostFailed, existing: Mapping[str, Any] | None) -> MongoDoc | None:
    """The post document after ``post.failed``, or None when it changes nothing.

    A published post stays published; of two failures the later one is kept.
    """
    p = event.payload
    if existing is not None:
        if existing.get("status") == "published":
            return None
        if existing.get("failed_at") is not None and existing["failed_at"] > p.failed_at:
            return None
    old = existing or {}
    return {
        "_id": p.post_id,
        "draft_id": p.draft_id,
        "title": old.get("title") or f"(not published: {p.code.value})",
        "category": p.category.value if p.category is not None else old.get("category"),
        "status": "failed",
        "at": p.failed_at,
        "published_at": None,
        "failed_at": p.failed_at,
        "slot_key": p.slot_key or old.get("slot_key") or "",
        "lateness_seconds": 0.0,
        "channel": p.channel,
        "url": None,
        "failure": {"code": p.code.value, "reason": p.reason, "needs_person": p.needs_person},
        "event_id": str(event.event_id),
    }


def post_row(doc: Mapping[str, Any]) -> PostRow | None:
    """The builder's row for a post document; None when its category is unknown."""
    category = doc.get("category")
    if category not in CATEGORIES:
        return None
    published = doc.get("status") == "published"
    if not published and (doc.get("failure") or {}).get("code") == FailureCode.CANCELLED.value:
        return None
    return PostRow(
        post_id=doc["_id"],
        draft_id=doc["draft_id"],
        title=doc.get("title") or "",
        category=category,
        published_at=doc["published_at"] if published else None,
        failed_at=None if published else doc["failed_at"],
        slot_key=doc.get("slot_key") or "",
        lateness_seconds=float(doc.get("lateness_seconds") or 0.0),
    )


# -- feedback --------------------------------------------------------------------------
def feedback_ref(source: str, source_id: str) -> str:
    """The natural key of a feedback item, in the form replies point at it."""
    return f"{source}:{source_id}"


def feedback_doc(event: FeedbackReceived) -> MongoDoc:
    """A stored feedback item (comment, message or reply; not metric snapshots)."""
    p = event.payload
    kind = p.kind.value
    if p.kind in (FeedbackKind.COMMENT, FeedbackKind.MESSAGE) and asks_question(p.text):
        kind = "enquiry"
    doc: MongoDoc = {
        "_id": feedback_ref(p.source, p.source_id),
        "kind": kind,
        "post_id": p.post_id,
        "at": p.received_at,
        "event_id": str(event.event_id),
    }
    if p.in_reply_to:  # only replies carry it: keeps the sparse index small
        doc["in_reply_to"] = p.in_reply_to
    return doc


def metric_doc(event: FeedbackReceived) -> MongoDoc | None:
    """The latest-counters document of a metric snapshot; None without a post."""
    p = event.payload
    if p.metrics is None or p.post_id is None:
        return None
    return {
        "_id": p.post_id,
        "at": p.received_at,
        "reads": p.metrics.reads,
        "likes": p.metrics.likes,
        "shares": p.metrics.shares,
        "ref": feedback_ref(p.source, p.source_id),
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


# -- digests ---------------------------------------------------------------------------
def digest_doc(event: FeedbackDigestReady, existing: Mapping[str, Any] | None) -> MongoDoc | None:
    """The post's digest document, or None when a later digest is already stored."""
    p = event.payload
    if existing is not None and existing["window_end"] > p.window_end:
        return None
    return {
        "_id": p.post_id,
        "digest_id": p.digest_id,
        "title": p.title,
        "category": p.category.value if p.category is not None else None,
        "window_start": p.window_start,
        "window_end": p.window_end,
        "counts": dict(p.counts),
        "sentiment": dict(p.sentiment),
        "themes": [
            {"label": t.label, "terms": list(t.terms), "count": t.count, "quotes": list(t.quotes)}
            for t in p.themes
        ],
        "questions": [
            {
                "text": q.text,
                "asked_at": q.asked_at,
                "answered": q.answered,
                "reply": q.reply,
                "replied_at": q.replied_at,
            }
            for q in p.questions
        ],
        "documents": dict(p.documents),
        "event_id": str(event.event_id),
    }


def digest_row(doc: Mapping[str, Any], post_category: str | None) -> DigestRow | None:
    """The builder's row for a digest; the post's category when the digest has none."""
    category: Category | None = None
    for candidate in (doc.get("category"), post_category):
        if candidate in CATEGORIES:
            category = candidate
            break
    if category is None:
        return None
    return DigestRow(
        post_id=doc["_id"],
        category=category,
        themes=[
            DigestTheme(
                label=t["label"].strip(),
                terms=list(t.get("terms") or []),
                count=t.get("count", 0),
                sample_quotes=list(t.get("quotes") or []),
            )
            for t in doc.get("themes") or []
            if t.get("label", "").strip()
        ],
        questions=[
            DigestQuestion(
                text=q["text"],
                asked_at=q["asked_at"],
                answered=bool(q.get("answered")),
                reply_text=q.get("reply"),
                reply_at=q.get("replied_at"),
            )
            for q in doc.get("questions") or []
            if (q.get("text") or "").strip()
        ],
    )
