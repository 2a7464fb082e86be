"""Posts in the read model: ``post.published`` and ``post.failed`` in, ``PostRow`` out.

A post that was published stays published: a later (or late) ``post.failed`` is ignored,
and ``post.published`` after a failure (an unknown outcome reconciled) wins. A post
``cancelled`` is kept but is no publishing failure: reports leave it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.reporting.domain import Doc
from services.reporting.domain.accounts import account_of, fact_account
from services.reporting.reports import CATEGORIES, PostRow
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import FailureCode, PostFailed, PostPublished

__all__ = ["failed_post_doc", "post_row", "published_post_doc"]


def published_post_doc(event: PostPublished, existing: Mapping[str, Any] | None) -> Doc:
    """The post document after ``post.published`` (publishing always wins).

    Raises ``AccountMismatch`` when the stored post is another
    account's and the event names its own.
    """
    p = event.payload
    doc: Doc = {
        "_id": p.post_id,
        "account": fact_account(event, account_of(existing), what=f"post {p.post_id}"),
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


def failed_post_doc(event: PostFailed, existing: Mapping[str, Any] | None) -> Doc | None:
    """The post document after ``post.failed``, or None when it changes nothing.

    A published post stays published; of two failures the later one is kept.
    """
    p = event.payload
    account = fact_account(event, account_of(existing), what=f"post {p.post_id}")
    if existing is not None:
        if existing.get("status") == "published":
            return None
        if existing.get("failed_at") is not None and existing["failed_at"] > p.failed_at:
            return None
    old = existing or {}
    return {
        "_id": p.post_id,
        "account": account,
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
        account=account_of(doc) or DEFAULT_ACCOUNT,
    )
