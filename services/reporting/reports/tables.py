"""The report flattened into named tables in the reader's language; the XLSX, CSV and
DOCX renderers share them (the HTML page lays out its own, narrower tables).

Each column has a kind telling renderers how to show its values: ``pct`` values are
fractions (0.125 → 12.5 %); ``pct_change`` values are already percent; ``datetime`` values
are local naive times in the report's zone. Names (``name``) are stable file/sheet ids;
titles and headers are translated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from .explain import (
    METRIC_NAMES,
    STANCE_NAMES,
    account_label,
    accounts_text,
    advice_text,
    coverage_text,
    evidence_text,
    idea_topic,
    limit_text,
    metric_name,
    slot_when,
    source_name,
    why_text,
)
from .i18n import N_, Translator
from .model import Metrics, Report

__all__ = [
    "ACCOUNTS_TABLE",
    "TABLE_NAMES",
    "Column",
    "ColumnKind",
    "Table",
    "Value",
    "format_value",
    "report_tables",
]

ColumnKind = Literal["text", "int", "float", "pct", "pct_change", "datetime", "bool"]
Value = str | int | float | bool | datetime | None
_RATES = frozenset({"reply_rate_12h", "engagement_rate"})
TABLE_NAMES = (
    "categories",
    "changes",
    "posts",
    "themes",
    "questions",
    "plan",
    "topics",
    "advice",
)
"""Tables a report has, in reading order (one CSV file and one sheet each)."""
ACCOUNTS_TABLE = "accounts"
"""The first table of a report of every account together: each account's figures."""


@dataclass(frozen=True, slots=True)
class Column:
    """A column: its header and how to show its values."""

    header: str
    kind: ColumnKind = "text"


@dataclass(frozen=True, slots=True)
class Table:
    """A named table (``name`` is a file/sheet-safe id, ``sheet`` its sheet name)."""

    name: str
    sheet: str
    title: str
    columns: tuple[Column, ...]
    rows: list[tuple[Value, ...]]


def format_value(value: Value, column: Column, tr: Translator) -> str:
    """A cell as text: percentages with one decimal, None as an en dash."""
    if value is None:
        return "–"
    if column.kind == "pct" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if column.kind == "pct_change" and isinstance(value, int | float):
        return f"{value:+.1f}%"
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


_METRIC_COLUMNS = (
    ("posts", "int"),
    ("failed", "int"),
    ("reads", "int"),
    ("likes", "int"),
    ("shares", "int"),
    ("comments", "int"),
    ("messages", "int"),
    ("enquiries", "int"),
    ("replies_within_12h", "int"),
    ("reply_rate_12h", "pct"),
    ("enquiries_breached", "int"),
    ("positive", "int"),
    ("neutral", "int"),
    ("negative", "int"),
    ("positive_share", "pct"),
    ("negative_share", "pct"),
    ("engagement_rate", "pct"),
    ("reads_per_post", "float"),
)
_EXTRA_NAMES = {
    "reply_rate_12h": N_("Answered within %(h)s h (rate)"),
    "positive_share": N_("Positive share"),
    "negative_share": N_("Negative share"),
    "engagement_rate": N_("Engagement rate"),
    "reads_per_post": N_("Reads per post"),
}


def _metric_columns(tr: Translator, report: Report) -> tuple[Column, ...]:
    h = limit_text(report)
    return tuple(
        Column(
            tr(_EXTRA_NAMES[name], h=h) if name in _EXTRA_NAMES else metric_name(name, tr, report),
            kind,  # type: ignore[arg-type]
        )
        for name, kind in _METRIC_COLUMNS
    )


def _metric_values(m: Metrics) -> tuple[Value, ...]:
    return tuple(getattr(m, name) for name, _ in _METRIC_COLUMNS)


def _scaled(value: float | None, rate: bool) -> float | None:
    return None if value is None else value * 100 if rate else value


def report_tables(report: Report, tr: Translator) -> list[Table]:
    """All tables of ``report``, in reading order (:data:`TABLE_NAMES`)."""
    tz = ZoneInfo(report.period.zone)
    zone = tr("China time") if report.period.zone == "Asia/Shanghai" else report.period.zone

    def local(at: datetime | None) -> datetime | None:
        return None if at is None else at.astimezone(tz).replace(tzinfo=None)

    def scope(name: str) -> str:
        return tr("Total") if name == "total" else tr.category(name)  # type: ignore[arg-type]

    t: Callable[[str], str] = tr
    categories = Table(
        "categories",
        t("By category"),
        t("Figures by category"),
        (Column(t("Category")), *_metric_columns(tr, report)),
        [(tr.category(r.category), *_metric_values(r.metrics)) for r in report.categories]
        + [(t("Total"), *_metric_values(report.totals))],
    )
    changes = Table(
        "changes",
        t("Changes"),
        t("Change against the previous period (rates in %, their change in points)"),
        (
            Column(t("Scope")),
            Column(t("Metric")),
            Column(t("This period"), "float"),
            Column(t("Previous period"), "float"),
            Column(t("Change"), "float"),
            Column(t("Change (%)"), "pct_change"),
        ),
        [
            (
                scope(c.scope),
                metric_name(c.metric, tr, report),
                _scaled(c.current, c.metric in _RATES),
                _scaled(c.previous, c.metric in _RATES),
                _scaled(c.delta, c.metric in _RATES),
                c.delta_pct,
            )
            for c in report.changes
        ],
    )
    status = {"published": t("Published"), "failed": t("Failed")}
    posts = Table(
        "posts",
        t("Posts of the period"),
        t("Every post of the period"),
        (
            Column(t("Time (%(zone)s)") % {"zone": zone}, "datetime"),
            Column(t("Category")),
            Column(t("Title")),
            Column(t("Status")),
            *(Column(t(METRIC_NAMES[m]), "int") for m in ("reads", "likes", "shares", "comments")),
            *(Column(t(METRIC_NAMES[m]), "int") for m in ("messages", "enquiries")),
            Column(metric_name("replies_within_12h", tr, report), "int"),
            Column(tr("Answered within %(h)s h (rate)", h=limit_text(report)), "pct"),
            Column(metric_name("enquiries_breached", tr, report), "int"),
            *(Column(t(METRIC_NAMES[m]), "int") for m in ("positive", "neutral", "negative")),
            Column(t("Engagement rate"), "pct"),
            Column(t("Late (minutes)"), "float"),
            Column(t("Slot")),
            Column(t("Post id")),
        ),
        [
            (
                local(p.at),
                tr.category(p.category),
                p.title,
                status[p.status],
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
        t("Themes"),
        t("What customers care about"),
        (
            Column(t("Rank"), "int"),
            Column(t("Theme")),
            Column(t("Stance")),
            Column(t("Intent")),
            Column(t("About form"), "bool"),
            Column(t("Mentions"), "int"),
            Column(t("Share"), "pct"),
            Column(t("Posts"), "int"),
            Column(t("Categories")),
            Column(t("Terms")),
            Column(t("Sample quotes")),
        ),
        [
            (
                i,
                th.label,
                t(STANCE_NAMES[th.stance]),
                th.intent or "–",
                th.about_form,
                th.count,
                th.share,
                th.digests,
                "、".join(tr.category(c) for c in th.categories),
                "、".join(th.terms),
                " | ".join(th.sample_quotes),
            )
            for i, th in enumerate(report.themes, 1)
        ],
    )
    questions = Table(
        "questions",
        t("Questions"),
        t("Customers' questions and our replies"),
        (
            Column(t("Asked (%(zone)s)") % {"zone": zone}, "datetime"),
            Column(t("Category")),
            Column(t("Post")),
            Column(t("Question")),
            Column(t("Our reply")),
            Column(t("Replied at"), "datetime"),
            Column(t("Reply time (hours)"), "float"),
            Column(tr("Within %(h)s h", h=limit_text(report)), "bool"),
        ),
        [
            (
                local(q.asked_at),
                tr.category(q.category),
                q.post_title or q.post_id,
                q.text,
                q.reply_text or (t("Answered (no text recorded)") if q.answered else t("No reply")),
                local(q.reply_at),
                None if q.reply_hours is None else round(q.reply_hours, 2),
                q.within_12h,
            )
            for q in report.questions
        ],
    )
    rec = report.recommendations
    plan = Table(
        "plan",
        t("Next pushes"),
        t("The next pushes"),
        (
            Column(t("Slot")),
            Column(t("Category")),
            Column(t("Suggested topic")),
            Column(t("Evidence")),
            Column(t("Why")),
            Column(t("Already covered?")),
        ),
        [
            (
                slot_when(s, report.period.zone, tr),
                tr.category(s.category),
                idea_topic(s.idea, tr),
                evidence_text(s.idea, tr),
                why_text(s.idea, tr),
                coverage_text(s.idea, tr),
            )
            for s in rec.plan
        ],
    )
    topics = Table(
        "topics",
        t("Topic ideas"),
        t("Topic ideas, strongest evidence first"),
        (
            Column(t("Suggested topic")),
            Column(t("Source")),
            Column(t("Category")),
            Column(t("Questions"), "int"),
            Column(t("Unanswered"), "int"),
            Column(t("Mentions"), "int"),
            Column(t("Evidence")),
            Column(t("Already covered?")),
        ),
        [
            (
                idea_topic(i, tr),
                source_name(i, tr),
                tr.category(i.category),
                i.evidence.asked,
                i.evidence.unanswered,
                i.evidence.mentions,
                evidence_text(i, tr),
                coverage_text(i, tr),
            )
            for i in rec.topics
        ],
    )
    advice = Table(
        "advice",
        t("Advice on form"),
        t("Remarks on the form of the pushes (advice, not topics)"),
        (
            Column(t("Remark")),
            Column(t("Mentions"), "int"),
            Column(t("Where")),
            Column(t("Sample quotes")),
        ),
        [(a.label, a.mentions, advice_text(a, tr), " | ".join(a.quotes)) for a in rec.advice],
    )
    tables = [categories, changes, posts, themes, questions, plan, topics, advice]
    if report.account is None:
        tables.insert(0, _accounts_table(report, tr))
    return tables


def _accounts_table(report: Report, tr: Translator) -> Table:
    """Each account's figures beside the others', and their total."""
    return Table(
        ACCOUNTS_TABLE,
        tr("By account"),
        tr("Figures by account (accounts: %(names)s)", names=accounts_text(report, tr)),
        (Column(tr("Account")), *_metric_columns(tr, report)),
        [
            (account_label(report, row.account, tr), *_metric_values(row.totals))
            for row in report.by_account
        ]
        + [(tr("Total"), *_metric_values(report.totals))],
    )
