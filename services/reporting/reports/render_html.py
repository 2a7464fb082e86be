"""Render a report as one self-contained HTML page (Jinja2, autoescaped, gettext).

The page reads at A4 (print CSS) and at phone width: wide figures are split into two
narrow tables, the comparison is one metric per row, text columns keep a minimum width
and category names never wrap, the next pushes are cards, and each question has our
reply beside it. The followers section (#14) comes before the next pushes.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from .charts import ChartFont, chart_svgs
from .explain import (
    STANCE_NAMES,
    account_label,
    accounts_text,
    advice_text,
    coverage_text,
    evidence_text,
    idea_topic,
    limit_text,
    metric_name,
    note_text,
    report_title,
    slot_when,
    source_name,
    why_text,
)
from .follower_tables import follower_tables, followers_headline, followers_title, numeric
from .i18n import DEFAULT_LANG, Lang, Translator, translator
from .metrics import CHANGE_METRICS
from .model import MetricChange, Metrics, Report
from .tables import Column, format_value

__all__ = ["render_html"]

_RATES = frozenset({"reply_rate_12h", "engagement_rate"})


@cache
def _environment(lang: Lang) -> Environment:
    env = Environment(
        loader=PackageLoader("services.reporting.reports", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2")),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translator(lang).translations, newstyle=True)  # type: ignore[attr-defined]
    return env


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.1f}%"


def _int(value: int) -> str:
    return f"{value:,}"


def _reach(m: Metrics) -> list[str]:
    rpp = "–" if m.reads_per_post is None else f"{m.reads_per_post:,.0f}"
    return [
        _int(m.posts),
        _int(m.reads),
        _int(m.likes),
        _int(m.shares),
        _int(m.comments),
        _pct(m.engagement_rate),
        rpp,
        _int(m.failed),
    ]


def _care(m: Metrics) -> list[str]:
    return [
        _int(m.messages),
        _int(m.enquiries),
        _int(m.replies_within_12h),
        _pct(m.reply_rate_12h),
        _int(m.enquiries_breached),
        _pct(m.positive_share),
        _pct(m.neutral_share),
        _pct(m.negative_share),
    ]


def _change_cell(current: float | None, delta_pct: float | None, rate: bool) -> str:
    if current is None:
        return "–"
    shown = f"{current * 100:.1f}%" if rate else f"{current:,.0f}"
    return shown if delta_pct is None else f"{shown} ({delta_pct:+.0f}%)"


def _change_rows(report: Report, tr: Translator) -> tuple[list[str], list[list[str]]]:
    scopes: list[str] = ["total", *(r.category for r in report.categories)]
    cells: dict[tuple[str, str], MetricChange] = {(c.scope, c.metric): c for c in report.changes}
    headers = [tr("Total") if s == "total" else tr.category(s) for s in scopes]  # type: ignore[arg-type]
    rows = []
    for metric in CHANGE_METRICS:
        row = [metric_name(metric, tr, report)]
        for s in scopes:
            c = cells.get((s, metric))
            cur = None if c is None or c.current is None else float(c.current)
            row.append(_change_cell(cur, c.delta_pct if c else None, metric in _RATES))
        rows.append(row)
    return headers, rows


def _context(report: Report, tr: Translator, charts: Sequence[str]) -> dict[str, Any]:
    tz = ZoneInfo(report.period.zone)
    zone = tr("China time") if report.period.zone == "Asia/Shanghai" else report.period.zone

    def local(at: Any) -> str:
        return "–" if at is None else at.astimezone(tz).strftime("%m-%d %H:%M")

    rows = [*report.categories]
    h = limit_text(report)
    change_headers, change_rows = _change_rows(report, tr)
    rec = report.recommendations
    return {
        "tr": tr,
        "title": report_title(report, tr),
        "accounts": accounts_text(report, tr),
        "combined": report.account is None,
        "account_rows": [
            [account_label(report, r.account, tr), *_reach(r.totals), *_care(r.totals)[:2]]
            for r in report.by_account
        ]
        + [[tr("Total"), *_reach(report.totals), *_care(report.totals)[:2]]],
        "period": report.period,
        "previous": report.previous_period,
        "zone": f"{zone}, {report.period.zone}" if zone != report.period.zone else zone,
        "generated": report.generated_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        "notes": [note_text(n, tr) for n in report.notes],
        "reach_headers": [
            tr("Posts"),
            tr("Reads"),
            tr("Likes"),
            tr("Shares"),
            tr("Comments"),
            tr("Engagement rate"),
            tr("Reads per post"),
            tr("Failed"),
        ],
        "reach_rows": [[tr.category(r.category), *_reach(r.metrics)] for r in rows]
        + [[tr("Total"), *_reach(report.totals)]],
        "care_headers": [
            tr("Messages"),
            tr("Enquiries"),
            tr("Answered within %(h)s h", h=h),
            tr("Answered within %(h)s h (rate)", h=h),
            tr("Enquiries not answered in %(h)s h", h=h),
            tr("Positive share"),
            tr("Neutral share"),
            tr("Negative share"),
        ],
        "care_rows": [[tr.category(r.category), *_care(r.metrics)] for r in rows]
        + [[tr("Total"), *_care(report.totals)]],
        "charts": charts,
        "change_headers": change_headers,
        "change_rows": change_rows,
        "themes": [
            {
                "label": t.label,
                "about_form": t.about_form,
                "stance": tr(STANCE_NAMES[t.stance]),
                "count": _int(t.count),
                "share": _pct(t.share),
                "categories": "、".join(tr.category(c) for c in t.categories),
                "quotes": " | ".join(t.sample_quotes),
            }
            for t in report.themes
        ],
        "questions": [
            {
                "asked": local(q.asked_at),
                "text": q.text,
                "answered": q.answered,
                "reply": q.reply_text
                or (tr("Answered (no text recorded)") if q.answered else tr("No reply")),
                "hours": "–" if q.reply_hours is None else tr("%(h)s h", h=f"{q.reply_hours:.1f}"),
                "late": q.within_12h is False,
                "post": q.post_title or q.post_id,
            }
            for q in report.questions
        ],
        "post_headers": [
            tr("Reads"),
            tr("Shares"),
            tr("Comments"),
            tr("Engagement rate"),
            tr("Answered within %(h)s h (rate)", h=h),
            tr("Late (minutes)"),
        ],
        "posts": [
            [
                local(p.at),
                tr.category(p.category),
                p.title if p.status == "published" else f"{p.title}（{tr('Failed')}）",
                _int(p.reads),
                _int(p.shares),
                _int(p.comments),
                _pct(p.engagement_rate),
                _pct(p.reply_rate_12h),
                format_value(round(p.lateness_seconds / 60, 1), Column("", "float"), tr),
            ]
            for p in report.posts
        ],
        "plan": [
            {
                "when": slot_when(s, report.period.zone, tr),
                "category": tr.category(s.category),
                "topic": idea_topic(s.idea, tr),
                "evidence": evidence_text(s.idea, tr),
                "why": why_text(s.idea, tr),
                "coverage": coverage_text(s.idea, tr),
            }
            for s in rec.plan
        ],
        "topics": [
            {
                "topic": idea_topic(i, tr),
                "source": source_name(i, tr),
                "category": tr.category(i.category),
                "evidence": evidence_text(i, tr),
                "coverage": coverage_text(i, tr),
            }
            for i in rec.topics
        ],
        "advice": [
            {"label": a.label, "where": advice_text(a, tr), "quotes": " | ".join(a.quotes)}
            for a in rec.advice
        ],
        "followers": _followers(report, tr),
    }


def _followers(report: Report, tr: Translator) -> dict[str, Any] | None:
    """The followers section's headline, tables (cells as text, figures flagged) and
    recommendations; None for a report without the section."""
    if report.followers is None:
        return None
    alerts = {  # rows a reader should look at: a branch behind, a post followed by leavers
        "followers_branches": [b.behind > 0 for b in report.followers.branches],
        "followers_posts": [p.unusual for p in report.followers.posts],
    }
    tables, advice = [], []
    for table in follower_tables(report, tr):
        if table.name == "followers_advice":
            advice = [str(row[0]) for row in table.rows]
            continue
        flags = numeric(table.columns)
        tables.append(
            {
                "name": table.name,
                "title": table.title,
                "headers": list(zip((c.header for c in table.columns), flags, strict=True)),
                "rows": [
                    [
                        (format_value(v, c, tr), flag)
                        for v, c, flag in zip(row, table.columns, flags, strict=True)
                    ]
                    for row in table.rows
                ],
                "alerts": alerts.get(table.name, [False] * len(table.rows)),
            }
        )
    return {
        "title": followers_title(tr),
        "headline": followers_headline(report.followers, tr),
        "has_data": report.followers.has_data,
        "tables": tables,
        "advice": advice,
    }


def render_html(report: Report, *, font: ChartFont, lang: Lang = DEFAULT_LANG) -> str:
    """The whole report as a standalone HTML document (inline CSS and SVG charts)."""
    tr = translator(lang)
    charts = chart_svgs(report, tr, font)
    return _environment(lang).get_template("report.html.j2").render(_context(report, tr, charts))
