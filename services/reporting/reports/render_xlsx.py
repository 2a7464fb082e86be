"""Render a report as an Excel workbook (bytes): a summary sheet, then one sheet per
table, named in the reader's language, each with an autofilter over its table, and
native Excel charts (openpyxl.chart) of the figures by category; the followers section
(#14) on a sheet of its own, with a native chart of each branch against its target.

Each table sheet: row 1 the table's title, row 2 the header (frozen, filtered), data from
row 3. Customer text is always written as text, never as a formula.
"""

from __future__ import annotations

import io
import unicodedata
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .explain import accounts_text, note_text, report_title
from .follower_tables import follower_tables, followers_headline, followers_title
from .i18n import DEFAULT_LANG, Lang, Translator, translator
from .model import Report
from .tables import Table, Value, format_value, report_tables

__all__ = ["render_xlsx"]

_FORMATS = {
    "int": "#,##0",
    "float": "#,##0.00",
    "pct": "0.0%",
    "pct_change": '+0.0"%";-0.0"%";0.0"%"',
    "datetime": "yyyy-mm-dd hh:mm",
}
_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="2B6CB0")
_TITLE_FONT = Font(bold=True, size=13)
_MAX_WIDTH = 60
_WRAP_FROM = 40


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_value(value: Value, tr: Translator) -> Any:
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _write(ws: Any, table: Table, tr: Translator) -> None:
    ws.cell(1, 1, table.title).font = _TITLE_FONT
    widths: dict[int, int] = {}
    for j, col in enumerate(table.columns, 1):
        cell = ws.cell(2, j, col.header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        widths[j] = max(8, _width(col.header) + 4)  # room for the filter button
    for i, row in enumerate(table.rows, 3):
        for j, (value, col) in enumerate(zip(row, table.columns, strict=True), 1):
            cell = ws.cell(i, j)
            cell.value = _cell_value(value, tr)
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever a customer typed
            elif col.kind in _FORMATS:
                cell.number_format = _FORMATS[col.kind]
            shown = _width(format_value(value, col, tr)) + 2
            if shown > _WRAP_FROM:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[j] = max(widths[j], shown)
    for j, w in widths.items():
        ws.column_dimensions[get_column_letter(j)].width = min(w, _MAX_WIDTH)
    ws.freeze_panes = "B3"
    last = get_column_letter(len(table.columns))
    ws.auto_filter.ref = f"A2:{last}{max(2, len(table.rows) + 2)}"


def _summary(wb: Workbook, report: Report, tr: Translator) -> None:
    ws = wb.active
    ws.title = tr("Summary")
    p, q = report.period, report.previous_period
    rows: list[tuple[str, str]] = [
        (tr("Report"), report_title(report, tr)),
        (tr("Period"), f"{p.first_day} – {p.last_day} ({p.zone})"),
        (tr("Compared with"), f"{q.first_day} – {q.last_day}"),
        (tr("Generated (UTC)"), report.generated_at.strftime("%Y-%m-%d %H:%M")),
    ]
    if report.accounts:
        rows.insert(1, (tr("Accounts"), accounts_text(report, tr)))
    rows += [(tr("Note"), note_text(n, tr)) for n in report.notes]
    for i, (k, v) in enumerate(rows, 1):
        ws.cell(i, 1, k).font = Font(bold=True)
        cell = ws.cell(i, 2)
        cell.value, cell.data_type = _cell_value(v, tr), "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 100


def _charts(ws: Any, table: Table, tr: Translator) -> None:
    """Native bar charts over the category sheet (the five categories, not the total)."""
    headers = [c.header for c in table.columns]
    cats = Reference(ws, min_col=1, min_row=3, max_row=2 + len(table.rows) - 1)
    anchor_row = len(table.rows) + 5
    for n, (header, title) in enumerate(
        (
            (tr("Reads"), tr("Reads by category")),
            (tr("Engagement rate"), tr("Engagement rate by category")),
        )
    ):
        col = headers.index(header) + 1
        chart = BarChart()
        chart.type, chart.style, chart.title = "col", 10, title
        chart.y_axis.title = header
        chart.add_data(
            Reference(ws, min_col=col, min_row=2, max_row=2 + len(table.rows) - 1),
            titles_from_data=True,
        )
        chart.set_categories(cats)
        chart.legend = None
        chart.height, chart.width = 7.5, 16
        ws.add_chart(chart, f"{get_column_letter(1 + n * 10)}{anchor_row}")


def _block(ws: Any, top: int, table: Table, tr: Translator) -> int:
    """One table of the followers sheet from row ``top`` (its title, header and rows);
    the next free row."""
    ws.cell(top, 1, table.title).font = Font(bold=True)
    for j, col in enumerate(table.columns, 1):
        cell = ws.cell(top + 1, j, col.header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for i, row in enumerate(table.rows, top + 2):
        for j, (value, col) in enumerate(zip(row, table.columns, strict=True), 1):
            cell = ws.cell(i, j)
            cell.value = _cell_value(value, tr)
            if isinstance(cell.value, str):
                cell.data_type = "s"
            elif col.kind in _FORMATS:
                cell.number_format = _FORMATS[col.kind]
    return top + 2 + len(table.rows) + 1


def _followers_sheet(wb: Workbook, report: Report, tr: Translator) -> None:
    """The followers section on one sheet: its headline, its tables one under the other
    (the branches' filtered), and a native chart of each branch's followers against its
    target. Without follower data: the headline alone says so."""
    summary = report.followers
    if summary is None:
        return
    ws = wb.create_sheet(followers_title(tr))
    ws.cell(1, 1, followers_title(tr)).font = _TITLE_FONT
    headline = ws.cell(2, 1)
    headline.value, headline.data_type = followers_headline(summary, tr), "s"
    tables = follower_tables(report, tr)
    row = 4
    widths: dict[int, int] = {1: 12}
    for table in tables:
        first = row
        row = _block(ws, row, table, tr)
        if table.name == "followers_advice":
            continue  # sentences: they run on over the empty cells beside them
        for j, col in enumerate(table.columns, 1):
            shown = [_width(col.header)] + [
                _width(format_value(r[j - 1], col, tr)) for r in table.rows
            ]
            widths[j] = max(widths.get(j, 8), min(max(shown) + 2, _MAX_WIDTH))
        if table.name == "followers_branches":
            ws.auto_filter.ref = (
                f"A{first + 1}:{get_column_letter(len(table.columns))}{first + 1 + len(table.rows)}"
            )
            if table.rows:
                _progress_chart(ws, table, first, tr)
    for j, w in widths.items():
        ws.column_dimensions[get_column_letter(j)].width = w


def _progress_chart(ws: Any, table: Table, first: int, tr: Translator) -> None:
    """Followers at the end beside the target, per branch (a native clustered bar chart)."""
    headers = [c.header for c in table.columns]
    name_col = headers.index(tr("Branch")) + 1
    top, bottom = first + 1, first + 1 + len(table.rows)
    chart = BarChart()
    chart.type, chart.style = "bar", 10
    chart.title = tr("Followers against the target, by branch")
    for header in (tr("Followers at the end"), tr("Target")):
        col = headers.index(header) + 1
        chart.add_data(
            Reference(ws, min_col=col, min_row=top, max_row=bottom), titles_from_data=True
        )
    chart.set_categories(Reference(ws, min_col=name_col, min_row=top + 1, max_row=bottom))
    chart.height, chart.width = 7.5 + 0.4 * len(table.rows), 16
    ws.add_chart(chart, f"{get_column_letter(len(table.columns) + 2)}4")


def render_xlsx(report: Report, *, lang: Lang = DEFAULT_LANG) -> bytes:
    """The report as an .xlsx workbook: a summary sheet, then one sheet per table, and
    the followers' sheet."""
    tr = translator(lang)
    wb = Workbook()
    _summary(wb, report, tr)
    for table in report_tables(report, tr):
        ws = wb.create_sheet(table.sheet)
        _write(ws, table, tr)
        if table.name == "categories":
            _charts(ws, table, tr)
    _followers_sheet(wb, report, tr)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
