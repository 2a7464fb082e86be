"""What the feedback pages show, as pure rules over the feedback service's JSON: a live
window's counts and what its items say so far, and the enquiry log ordered by the time
left to its 12-hour deadline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "CUSTOMER_KINDS",
    "EnquiryRow",
    "LiveWindow",
    "customer_texts",
    "enquiry_rows",
    "live_window",
    "themes_of",
]

CUSTOMER_KINDS = ("comment", "message")
"""Kinds whose texts are the customers' own words (replies are ours, metrics figures)."""
LATEST = 12
PREVIEW_TEXTS = 200
"""The feedback service's analysis preview takes at most 200 texts ..."""
PREVIEW_TEXT = 1000
"""... of at most 1,000 characters each."""
THEMES = 8


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value)
    return None


def _said(items: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [
        i
        for i in items
        if i.get("kind") in CUSTOMER_KINDS and not (i.get("annotation") or {}).get("spam")
    ]


def customer_texts(items: Sequence[Mapping[str, Any]]) -> list[str]:
    """The customers' words of ``items`` (newest first, spam left out) as the analysis
    preview takes them: non-empty, each cut to its limit, at most its number."""
    texts = [str(i.get("text") or "").strip()[:PREVIEW_TEXT] for i in _said(items)]
    return [t for t in texts if t][:PREVIEW_TEXTS]


def themes_of(preview: Mapping[str, Any], texts: Sequence[str]) -> list[dict[str, Any]]:
    """The preview's groups (largest first) as themes: a label, what people do (ask,
    praise, complaint), how many said it, whether it is about the pushes' form, and up to
    two of their own words."""
    themes: list[dict[str, Any]] = []
    for group in list(preview.get("groups") or [])[:THEMES]:
        picks = list(group.get("representatives") or group.get("members") or [])[:2]
        themes.append(
            {
                "label": str(group.get("label", "")),
                "stance": group.get("stance"),
                "count": int(group.get("count", 0)),
                "about_form": bool(group.get("about_form")),
                "quotes": [texts[n] for n in picks if isinstance(n, int) and 0 <= n < len(texts)],
            }
        )
    return themes


@dataclass(frozen=True)
class LiveWindow:
    """A window as it fills: counts by kind, the mood and questions of what was said."""

    counts: dict[str, int]
    total: int
    sentiment: dict[str, int]
    questions: list[Mapping[str, Any]]
    latest: list[Mapping[str, Any]]
    spam: int
    seconds_left: float | None
    themes: list[Mapping[str, Any]] = field(default_factory=list)


def live_window(
    window: Mapping[str, Any],
    counts: Mapping[str, int],
    items: Sequence[Mapping[str, Any]],
    *,
    now: datetime,
    themes: Sequence[Mapping[str, Any]] = (),
) -> LiveWindow:
    """The live view of ``window`` from the per-kind ``counts`` and its newest ``items``.

    Spam is counted, never quoted; questions and the latest words are customers' only.
    """
    said = _said(items)
    spam = sum(1 for i in items if (i.get("annotation") or {}).get("spam"))
    mood = Counter((i.get("annotation") or {}).get("sentiment", "neutral") for i in said)
    ends = _instant(window.get("ends_at"))
    open_now = window.get("state") == "open" and ends is not None
    return LiveWindow(
        counts={k: int(counts.get(k, 0)) for k in ("comment", "message", "reply", "metric")},
        total=sum(int(v) for v in counts.values()),
        sentiment={k: mood.get(k, 0) for k in ("positive", "neutral", "negative")},
        questions=[i for i in said if (i.get("annotation") or {}).get("question")][:LATEST],
        latest=said[:LATEST],
        spam=spam,
        seconds_left=(ends - now).total_seconds() if open_now and ends else None,
        themes=list(themes),
    )


@dataclass(frozen=True)
class EnquiryRow:
    """An enquiry and how long is left to answer it (negative: overdue)."""

    enquiry: Mapping[str, Any]
    seconds_left: float | None
    warn: bool


def enquiry_rows(
    enquiries: Sequence[Mapping[str, Any]], *, now: datetime, warn_seconds: float = 2 * 3600
) -> list[EnquiryRow]:
    """Open enquiries first, the nearest deadline first; then answered ones, newest first.

    ``warn`` marks an open enquiry within ``warn_seconds`` of its deadline, or past it.
    """
    open_rows: list[EnquiryRow] = []
    answered: list[EnquiryRow] = []
    for enquiry in enquiries:
        deadline = _instant(enquiry.get("deadline"))
        if enquiry.get("state") == "open" and deadline is not None:
            left = (deadline - now).total_seconds()
            open_rows.append(EnquiryRow(enquiry, left, left <= warn_seconds))
        else:
            answered.append(EnquiryRow(enquiry, None, False))
    open_rows.sort(key=lambda r: r.seconds_left if r.seconds_left is not None else 0.0)
    answered.sort(key=lambda r: str(r.enquiry.get("answered_at") or ""), reverse=True)
    return open_rows + answered
