"""The report flattened into named tables; the HTML, XLSX and CSV renderers share them.

Each column has a kind telling renderers how to show its values: ``pct`` values are
fractions (0.125 → 12.5 %); ``pct_change`` values are already percent; ``datetime`` values
are local naive times in the report's zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from .inputs import CATEGORY_LABELS
from .model import Metrics, Report

__all__ = ["Column", "ColumnKind", "Table", "Value", "report_tables"]

ColumnKind = Literal["text", "int", "float", "pct", "pct_change", "datetime", "bool"]
Value = str | int | float | bool | datetime | None
_RATES = frozenset({"reply_rate_12h", "engagement_rate"})


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its header and how to show its values."""

    header: str
    kind: ColumnKind = "text"


@dataclass(frozen=True, slots=True)
class Table:
    """A named table (``name`` is a file/sheet-safe id)."""

    name: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Value, ...]]


_METRIC_COLUMNS = (
    Column("Posts", "int"),
    Column("Failed", "int"),
    Column("Reads", "int"),
    Column("Likes", "int"),
    Column("Shares", "int"),
    Column("Comments", "int"),
    Column("Messages", "int"),
    Column("Enquiries", "int"),
    Column("Replies ≤12h", "int"),
    Column("Reply rate ≤12h", "pct"),
    Column("Enquiries breached", "int"),
    Column("Positive", "int"),
    Column("Neutral", "int"),
    Column("Negative", "int"),
    Column("Positive %", "pct"),
    Column("Negative %", "pct"),
    Column("Engagement rate", "pct"),
    Column("Reads per post", "float"),
)


def _metric_values(m: Metrics) -> tuple[Value, ...]:
    return (
        m.posts,
        m.failed,
        m.reads,
        m.likes,
        m.shares,
        m.comments,
        m.messages,
        m.enquiries,
        m.replies_within_12h,
        m.reply_rate_12h,
        m.enquiries_breached,
        m.positive,
        m.neutral,
        m.negative,
        m.positive_share,
        m.negative_share,
        m.engagement_rate,
        m.reads_per_post,
    )


def _scaled(value: float | None, rate: bool) -> float | None:
    return None if value is None else value * 100 if rate else value


def report_tables(report: Report) -> list[Table]:
    """All tables of ``report``, in reading order."""
    tz = ZoneInfo(report.period.zone)

    def local(at: datetime | None) -> datetime | None:
        return None if at is None else at.astimezone(tz).replace(tzinfo=None)

    cat_cols = (Column("Category"), Column("类别"), *_METRIC_COLUMNS)
    categories = Table(
        "categories",
        "By category",
        cat_cols,
        [(r.category, r.label, *_metric_values(r.metrics)) for r in report.categories]
        + [("total", "合计", *_metric_values(report.totals))],
    )
    changes = Table(
        "changes",
        "Change against the previous period (rates in %, their change in points)",
        (
            Column("Scope"),
            Column("Metric"),
            Column("Current", "float"),
            Column("Previous", "float"),
            Column("Change", "float"),
            Column("Change %", "pct_change"),
        ),
        [
            (
                c.scope,
                f"{c.metric} (%)" if c.metric in _RATES else c.metric,
                _scaled(c.current, c.metric in _RATES),
                _scaled(c.previous, c.metric in _RATES),
                _scaled(c.delta, c.metric in _RATES),
                c.delta_pct,
            )
            for c in report.changes
        ],
    )
    posts = Table(
        "posts",
        "Posts",
        (
            Column(f"Time ({report.period.zone})", "datetime"),
            Column("Category"),
            Column("Title"),
            Column("Status"),
            Column("Reads", "int"),
            Column("Likes", "int"),
            Column("Shares", "int"),
            Column("Comments", "int"),
            Column("Messages", "int"),
            Column("Enquiries", "int"),
            Column("Replies ≤12h", "int"),
            Column("Reply rate ≤12h", "pct"),
            Column("Enquiries breached", "int"),
            Column("Positive", "int"),
            Column("Neutral", "int"),
            Column("Negative", "int"),
            Column("Engagement rate", "pct"),
            Column("Late (min)", "float"),
            Column("Slot"),
            Column("Post id"),
        ),
        [
            (
                local(p.at),
                p.category,
                p.title,
                p.status,
                p.reads,
                p.likes,
                p.shares,
                p.comments,
                p.messages,
                p.enquiries,
                p.replies_within_12h,
                p.reply_rate_12h,
                p.enquiries_breached,
                p.positive,
                p.neutral,
                p.negative,
                p.engagement_rate,
                round(p.lateness_seconds / 60, 1),
                p.slot_key,
                p.post_id,
            )
            for p in report.posts
        ],
    )
    themes = Table(
        "themes",
        "What customers care about",
        (
            Column("Rank", "int"),
            Column("Theme"),
            Column("Mentions", "int"),
            Column("Share", "pct"),
            Column("Posts", "int"),
            Column("Categories"),
            Column("Terms"),
            Column("Sample quotes"),
        ),
        [
            (
                i,
                t.label,
                t.count,
                t.share,
                t.digests,
                ", ".join(t.categories),
                ", ".join(t.terms),
                " | ".join(t.sample_quotes),
            )
            for i, t in enumerate(report.themes, 1)
        ],
    )
    questions = Table(
        "questions",
        "Customer questions and our replies",
        (
            Column(f"Asked ({report.period.zone})", "datetime"),
            Column("Category"),
            Column("Post"),
            Column("Question"),
            Column("Answered", "bool"),
            Column("Reply"),
            Column("Replied", "datetime"),
            Column("Reply hours", "float"),
            Column("Within 12 h", "bool"),
        ),
        [
            (
                local(q.asked_at),
                q.category,
                q.post_title or q.post_id,
                q.text,
                q.answered,
                q.reply_text,
                local(q.reply_at),
                None if q.reply_hours is None else round(q.reply_hours, 2),
                q.within_12h,
            )
            for q in report.questions
        ],
    )
    rec = report.recommendations
    mix = Table(
        "recommended_mix",
        f"Recommended mix for the next {rec.slots} slots",
        (
            Column("Category"),
            Column("类别"),
            Column("Slots", "int"),
            Column("Score", "float"),
            Column("Engagement rate", "pct"),
            Column("Engagement share", "pct"),
            Column("Interest", "int"),
            Column("Interest share", "pct"),
            Column("Posts", "int"),
            Column("Reads", "int"),
        ),
        [
            (
                m.category,
                CATEGORY_LABELS[m.category],
                m.slots,
                round(m.score, 4),
                m.engagement_rate,
                m.engagement_share,
                m.interest,
                m.interest_share,
                m.posts,
                m.reads,
            )
            for m in rec.mix
        ],
    )
    topics = Table(
        "recommended_topics",
        "Topic ideas",
        (
            Column("Source"),
            Column("Topic"),
            Column("Category"),
            Column("Reason"),
            Column("Figures"),
        ),
        [
            (
                t.source,
                t.text,
                t.category,
                t.reason,
                "; ".join(f"{k}={v}" for k, v in t.figures.items()),
            )
            for t in rec.topics
        ],
    )
    return [categories, changes, posts, themes, questions, mix, topics]
