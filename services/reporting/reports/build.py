"""Build a report from read-model rows (pure: no I/O, no clock)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import islice

from shared.accounts import DEFAULT_ACCOUNT
from shared.calendar import Period, ReportKind, SlotCalendar, iter_slots

from .followers import FollowersSummary
from .inputs import DigestRow, PostFeedbackAgg, PostRow
from .insight import compile_questions, merge_themes
from .metrics import category_rows, compare, metrics_of, post_lines
from .model import AccountRef, AccountRow, Metrics, Note, Report
from .plan import PLAN_SLOTS, plan_next_pushes

__all__ = ["KIND_TITLES", "build_report"]

KIND_TITLES: dict[ReportKind, str] = {
    "weekly": "运营周报",
    "monthly": "运营月报",
    "biweekly": "运营情况分析（双周）",
    "custom": "运营分析（自定义时段）",
}
"""The stored title's words (zh-CN, the default); renderers title the page in the
reader's language from ``kind`` and the period."""


def _in(period: Period, posts: Iterable[PostRow]) -> list[PostRow]:
    return [p for p in posts if period.contains(p.occurred_at)]


def _notes(
    totals: Metrics, prev: Metrics, posts: list[PostRow], digests: int, limit: str
) -> list[Note]:
    if totals.posts == 0:
        notes = [Note(code="no_posts")]
    else:
        notes = [
            Note(
                code="summary",
                params={
                    "posts": totals.posts,
                    "reads": totals.reads,
                    "engagement": totals.engagement_rate,
                    "reply_rate": totals.reply_rate_12h,
                    "prev_posts": prev.posts,
                    "prev_reads": prev.reads,
                    "prev_engagement": prev.engagement_rate,
                    "limit": limit,
                },
            )
        ]
    failed = [p.title or p.post_id for p in posts if p.failed]
    if failed:
        notes.append(Note(code="failed", params={"count": len(failed), "posts": "、".join(failed)}))
    if totals.enquiries_breached:
        notes.append(
            Note(code="breached", params={"count": totals.enquiries_breached, "limit": limit})
        )
    if totals.posts and not digests:
        notes.append(Note(code="no_digests"))
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
    calendar: SlotCalendar | None = None,
    plan_slots: int = PLAN_SLOTS,
    account: str | None = DEFAULT_ACCOUNT,
    accounts: Sequence[AccountRef] = (),
    reply_limits: Mapping[str, float] | None = None,
    followers: FollowersSummary | None = None,
) -> Report:
    """Build the report of ``period`` compared with ``previous_period``.

    ``posts``, ``feedback_aggs`` and ``digests`` may cover more than both periods: posts
    are placed by publish (or failure) time, digests follow their post. The plan covers
    the next ``plan_slots`` slots of ``calendar`` (default: Mon/Wed/Fri 11:30 in the
    period's zone) after the later of the period's end and ``generated_at``.

    ``account`` is the account reported on (the posts are its own), or None for every
    account together: then ``accounts`` lists them and the report has each one's figures
    beside the others' (``by_account``), whose sum is its totals, and no plan (each
    account's plan, on its own calendar, is in its own report).

    ``reply_limits`` is each account's reply limit in hours (12 unless given): the
    questions' replies are in time within it, and the report says it. ``feedback_aggs``
    must have been measured against the same limits.

    ``followers`` is the followers section of the same period and accounts (None: the
    report has none).
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
    questions = compile_questions(period_digests, by_id, reply_limits)
    limits = {
        (reply_limits or {}).get(a, 12.0)
        for a in ([account] if account is not None else [a.id for a in accounts])
    } or {12.0}
    reply_limit = limits.pop() if len(limits) == 1 else None
    limit_label = "/".join(
        dict.fromkeys(f"{(reply_limits or {}).get(a.id, 12.0):g}" for a in accounts)
        if reply_limit is None
        else [f"{reply_limit:g}"]
    )
    lines = post_lines(current, aggs)
    calendar = calendar or SlotCalendar(zone=period.zone)
    start = max(period.end, generated_at.astimezone(UTC))
    slots = list(islice(iter_slots(calendar, start), plan_slots if account is not None else 0))
    by_account = (
        [
            AccountRow(
                account=a.id,
                totals=metrics_of([p for p in current if p.account == a.id], aggs),
                previous_totals=metrics_of([p for p in previous if p.account == a.id], aggs),
            )
            for a in accounts
        ]
        if account is None
        else []
    )
    return Report(
        kind=kind,
        account=account,
        accounts=list(accounts),
        by_account=by_account,
        reply_limit_hours=reply_limit,
        key=key,
        title=f"{KIND_TITLES[kind]} · {period.label}",
        period=period,
        previous_period=previous_period,
        generated_at=generated_at.astimezone(UTC),
        notes=_notes(totals, prev_totals, current, len(period_digests), limit_label),
        categories=rows,
        totals=totals,
        previous_categories=prev_rows,
        previous_totals=prev_totals,
        changes=compare(rows, totals, prev_rows, prev_totals),
        posts=lines,
        themes=themes,
        questions=questions,
        recommendations=plan_next_pushes(
            rows=rows, posts=lines, themes=themes, questions=questions, slots=slots
        ),
        followers=followers,
    )
