"""Digests in the read model: ``feedback.digest.ready`` in, ``DigestRow`` out.

The latest digest of a post (by window end) replaces an earlier one. A theme's
``stance``, ``intent`` and ``about_form`` and a question's ``intent`` (#17) are kept when
the digest has them; digests stored before they existed read as None / False.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.reporting.domain import Doc
from services.reporting.domain.accounts import account_of, fact_account
from services.reporting.reports import (
    CATEGORIES,
    Category,
    DigestQuestion,
    DigestRow,
    DigestTheme,
)
from shared.events import FeedbackDigestReady

__all__ = ["digest_doc", "digest_row"]


def digest_doc(
    event: FeedbackDigestReady,
    existing: Mapping[str, Any] | None,
    post: Mapping[str, Any] | None = None,
) -> Doc | None:
    """The post's digest document, or None when a later digest is already stored.

    It belongs to the post's account when the post (or an earlier digest) is stored:
    ``AccountMismatch`` for a version-2 event naming another.
    """
    p = event.payload
    known = account_of(post) or account_of(existing)
    account = fact_account(event, known, what=f"post {p.post_id}")
    if existing is not None and existing["window_end"] > p.window_end:
        return None
    return {
        "_id": p.post_id,
        "account": account,
        "digest_id": p.digest_id,
        "title": p.title,
        "category": p.category.value if p.category is not None else None,
        "window_start": p.window_start,
        "window_end": p.window_end,
        "counts": dict(p.counts),
        "sentiment": dict(p.sentiment),
        "themes": [
            {
                "label": t.label,
                "terms": list(t.terms),
                "count": t.count,
                "quotes": list(t.quotes),
                "stance": t.stance,
                "intent": t.intent,
                "about_form": t.about_form,
            }
            for t in p.themes
        ],
        "questions": [
            {
                "text": q.text,
                "asked_at": q.asked_at,
                "answered": q.answered,
                "reply": q.reply,
                "replied_at": q.replied_at,
                "intent": q.intent,
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
                stance=t.get("stance"),
                intent=t.get("intent") or None,
                about_form=bool(t.get("about_form")),
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
                intent=q.get("intent") or None,
            )
            for q in doc.get("questions") or []
            if (q.get("text") or "").strip()
        ],
    )
