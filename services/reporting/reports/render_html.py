"""Render a report as one self-contained HTML page that reads well on a phone."""

from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from .charts import report_charts
from .model import Report
from .tables import Column, Table, Value, report_tables

__all__ = ["format_value", "render_html"]

_CSS = """
body{font-family:-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
margin:0;padding:12px;color:#1a202c;background:#fff;line-height:1.5}
h1{font-size:1.3em;margin:.2em 0}h2{font-size:1.1em;margin:1.4em 0 .4em;
border-bottom:2px solid #2b6cb0}
.meta{color:#4a5568;font-size:.9em}.notes li{margin:.3em 0}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.4em 0}
table{border-collapse:collapse;font-size:.85em;min-width:100%}
th,td{border:1px solid #e2e8f0;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#ebf4ff;position:sticky;top:0}td.n{text-align:right;white-space:nowrap}
tr.total td{font-weight:bold;background:#f7fafc}
.charts svg{max-width:100%;height:auto;display:block;margin:.5em auto}
.method{font-size:.85em;color:#4a5568}
"""


def format_value(value: Value, column: Column) -> str:
    """A cell as text: percentages with one decimal, None as an en dash."""
    if value is None:
        return "–"
    if column.kind == "pct" and isinstance(value, int | float):
        return f"{value * 100:.1f}%"
    if column.kind == "pct_change" and isinstance(value, int | float):
        return f"{value:+.1f}%"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _numeric(column: Column) -> bool:
    return column.kind in ("int", "float", "pct", "pct_change")


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(c.header)}</th>" for c in table.columns)
    body = []
    for row in table.rows:
        cls = ' class="total"' if row and row[0] == "total" else ""
        cells = "".join(
            f'<td class="n">{escape(format_value(v, c))}</td>'
            if _numeric(c)
            else f"<td>{escape(format_value(v, c))}</td>"
            for v, c in zip(row, table.columns, strict=True)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    if not table.rows:
        body.append(f'<tr><td colspan="{len(table.columns)}">None in this period.</td></tr>')
    return (
        f'<h2 id="{table.name}">{escape(table.title)}</h2>\n'
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def render_html(report: Report) -> str:
    """The whole report as a standalone HTML document (inline CSS and SVG charts)."""
    tz = ZoneInfo(report.period.zone)
    p, q = report.period, report.previous_period
    generated = report.generated_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    tables = {t.name: t for t in report_tables(report)}
    rec = report.recommendations
    method = escape(rec.fallback_reason or rec.method)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="meta">{escape(p.label)}: {p.first_day} – {p.last_day} '
        f"· compared with {escape(q.label)}: {q.first_day} – {q.last_day} "
        f"· generated {generated} ({escape(p.zone)})</p>",
        '<ul class="notes">' + "".join(f"<li>{escape(n)}</li>" for n in report.notes) + "</ul>",
        _table(tables["categories"]),
        '<div class="charts">' + "".join(report_charts(report)) + "</div>",
        _table(tables["changes"]),
        _table(tables["themes"]),
        _table(tables["questions"]),
        '<h2 id="recommendations">Recommendations for the next period</h2>',
        f'<p class="method">{method}</p>',
        _table(tables["recommended_mix"]),
        _table(tables["recommended_topics"]),
        _table(tables["posts"]),
        "</body></html>",
    ]
    return "\n".join(parts)
