"""Per-post, per-category and total figures, and the change against the previous period."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .inputs import CATEGORIES, CATEGORY_LABELS, PostFeedbackAgg, PostRow
from .model import CategoryRow, MetricChange, Metrics, PostLine

__all__ = ["CHANGE_METRICS", "category_rows", "compare", "metrics_of", "post_lines", "ratio"]

CHANGE_METRICS: tuple[str, ...] = (
    "posts",
    "reads",
    "likes",
    "shares",
    "comments",
    "enquiries",
    "replies_within_12h",
    "reply_rate_12h",
    "engagement_rate",
    "positive",
    "negative",
)
"""Metrics compared with the previous period, in table order."""

_EMPTY = PostFeedbackAgg(post_id="-")


def ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or None when the denominator is 0."""
    return numerator / denominator if denominator else None


def metrics_of(posts: Sequence[PostRow], aggs: Mapping[str, PostFeedbackAgg]) -> Metrics:
    """Sum the figures of ``posts``; feedback counts only for published posts."""
    published = [p for p in posts if not p.failed]
    rows = [aggs.get(p.post_id, _EMPTY) for p in published]
    s = {
        name: sum(getattr(r, name) for r in rows)
        for name in (
            "reads",
            "likes",
            "shares",
            "comments",
            "messages",
            "enquiries",
            "replies",
            "replies_within_12h",
            "enquiries_breached",
            "positive",
            "neutral",
            "negative",
        )
    }
    sentiment = s["positive"] + s["neutral"] + s["negative"]
    return Metrics(
        posts=len(published),
        failed=len(posts) - len(published),
        **s,
        reply_rate_12h=ratio(s["replies_within_12h"], s["messages"] + s["enquiries"]),
        positive_share=ratio(s["positive"], sentiment),
        neutral_share=ratio(s["neutral"], sentiment),
        negative_share=ratio(s["negative"], sentiment),
        engagement_rate=ratio(s["likes"] + s["shares"] + s["comments"], s["reads"]),
        reads_per_post=ratio(s["reads"], len(published)),
    )


def category_rows(
    posts: Sequence[PostRow], aggs: Mapping[str, PostFeedbackAgg]
) -> list[CategoryRow]:
    """One row per plan category, in the plan's order, zeros included."""
    return [
        CategoryRow(
            category=c,
            label=CATEGORY_LABELS[c],
            metrics=metrics_of([p for p in posts if p.category == c], aggs),
        )
        for c in CATEGORIES
    ]


def post_lines(posts: Sequence[PostRow], aggs: Mapping[str, PostFeedbackAgg]) -> list[PostLine]:
    """One line per post, oldest first."""
    lines = []
    for p in sorted(posts, key=lambda p: (p.occurred_at, p.post_id)):
        agg = aggs.get(p.post_id)
        a = _EMPTY if agg is None or p.failed else agg
        lines.append(
            PostLine(
                post_id=p.post_id,
                title=p.title,
                category=p.category,
                status="failed" if p.failed else "published",
                at=p.occurred_at,
                slot_key=p.slot_key,
                lateness_seconds=p.lateness_seconds,
                reads=a.reads,
                likes=a.likes,
                shares=a.shares,
                comments=a.comments,
                messages=a.messages,
                enquiries=a.enquiries,
                replies_within_12h=a.replies_within_12h,
                reply_rate_12h=ratio(a.replies_within_12h, a.messages + a.enquiries),
                enquiries_breached=a.enquiries_breached,
                positive=a.positive,
                neutral=a.neutral,
                negative=a.negative,
                engagement_rate=ratio(a.likes + a.shares + a.comments, a.reads),
                has_feedback=agg is not None and not p.failed,
            )
        )
    return lines


def _change(scope: str, metric: str, cur: Metrics, prev: Metrics) -> MetricChange:
    c: float | None = getattr(cur, metric)
    p: float | None = getattr(prev, metric)
    delta = None if c is None or p is None else c - p
    pct = None if delta is None or not p else delta / p * 100
    return MetricChange.model_validate(
        {
            "scope": scope,
            "metric": metric,
            "current": c,
            "previous": p,
            "delta": delta,
            "delta_pct": pct,
        }
    )


def compare(
    current: Sequence[CategoryRow],
    current_totals: Metrics,
    previous: Sequence[CategoryRow],
    previous_totals: Metrics,
) -> list[MetricChange]:
    """Every change metric for each category (plan order), then for the total."""
    prev = {row.category: row.metrics for row in previous}
    out = [
        _change(row.category, m, row.metrics, prev[row.category])
        for row in current
        for m in CHANGE_METRICS
    ]
    out += [_change("total", m, current_totals, previous_totals) for m in CHANGE_METRICS]
    return out
