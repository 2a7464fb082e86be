"""Build a report from read-model rows (pure: no I/O, no clock)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from shared.calendar import Period, ReportKind

from .inputs import DigestRow, PostFeedbackAgg, PostRow
from .insight import compile_questions, merge_themes
from .metrics import category_rows, compare, metrics_of, post_lines
from .model import Metrics, Report
from .recommend import next_slot_count, recommend

__all__ = ["KIND_TITLES", "build_report"]

KIND_TITLES: dict[ReportKind, str] = {
    "weekly": "运营周报 Weekly report",
    "monthly": "运营月报 Monthly report",
    "biweekly": "运营情况分析 Biweekly analysis",
    "custom": "运营分析 Custom report",
}


def _in(period: Period, posts: Iterable[PostRow]) -> list[PostRow]:
    return [p for p in posts if period.contains(p.occurred_at)]


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def _notes(
    period: Period, totals: Metrics, prev: Metrics, posts: list[PostRow], digests: int
) -> list[str]:
    days = f"{period.first_day} – {period.last_day}"
    if totals.posts == 0:
        notes = [
            f"No posts were published in this period ({period.label}, {days}); "
            "every figure below is zero and the plan's even mix is recommended."
        ]
    else:
        notes = [
            f"{totals.posts} post(s) published in {period.label} ({days}): {totals.reads} reads, "
            f"engagement rate {_pct(totals.engagement_rate)}, replies within 12 h "
            f"{_pct(totals.reply_rate_12h)} (previous period: {prev.posts} post(s), "
            f"{prev.reads} reads, engagement {_pct(prev.engagement_rate)})."
        ]
    failed = [p.post_id for p in posts if p.failed]
    if failed:
        notes.append(f"{len(failed)} post(s) failed to publish: {', '.join(failed)}.")
    if totals.enquiries_breached:
        notes.append(
            f"{totals.enquiries_breached} enquiry(ies) were not answered within 12 hours "
            "(rule: every message or enquiry is answered within 12 hours)."
        )
    if totals.posts and not digests:
        notes.append("No core-issues documents were received for this period's posts.")
    return notes


def build_report(
    kind: ReportKind,
    period: Period,
    previous_period: Period,
    posts: Iterable[PostRow],
    feedback_aggs: Iterable[PostFeedbackAgg],
    digests: Iterable[DigestRow],
    generated_at: datetime,
    *,
    key: str | None = None,
    slots: int | None = None,
) -> Report:
    """Build the report of ``period`` compared with ``previous_period``.

    ``posts``, ``feedback_aggs`` and ``digests`` may cover more than both periods: posts
    are placed by publish (or failure) time, digests follow their post. ``slots`` is the
    number of pushes to plan for next (default: the Mon/Wed/Fri days of the next period).
    """
    if generated_at.tzinfo is None:
        raise ValueError("generated_at must be timezone-aware")
    all_posts = list(posts)
    aggs = {a.post_id: a for a in feedback_aggs}
    current, previous = _in(period, all_posts), _in(previous_period, all_posts)
    by_id = {p.post_id: p for p in current}
    seen: set[str] = set()
    period_digests = []
    for d in digests:
        post = by_id.get(d.post_id)
        if post is not None and not post.failed and d.post_id not in seen:
            seen.add(d.post_id)
            period_digests.append(d)

    rows, prev_rows = category_rows(current, aggs), category_rows(previous, aggs)
    totals, prev_totals = metrics_of(current, aggs), metrics_of(previous, aggs)
    themes = merge_themes(period_digests)
    questions = compile_questions(period_digests, by_id)
    n_slots = next_slot_count(kind, period) if slots is None else slots
    return Report(
        kind=kind,
        key=key,
        title=f"{KIND_TITLES[kind]} — {period.label}",
        period=period,
        previous_period=previous_period,
        generated_at=generated_at.astimezone(UTC),
        notes=_notes(period, totals, prev_totals, current, len(period_digests)),
        categories=rows,
        totals=totals,
        previous_categories=prev_rows,
        previous_totals=prev_totals,
        changes=compare(rows, totals, prev_rows, prev_totals),
        posts=post_lines(current, aggs),
        themes=themes,
        questions=questions,
        recommendations=recommend(
            rows=rows,
            posts=[p for p in current if not p.failed],
            digests=period_digests,
            themes=themes,
            questions=questions,
            slots=n_slots,
        ),
    )
