"""Render a report as an Excel workbook (bytes), one sheet per table."""

from __future__ import annotations

import io
import unicodedata
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .model import Report
from .render_html import format_value
from .tables import Table, Value, report_tables

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
_SHEETS = (
    ("Categories", ("categories",)),
    ("Changes", ("changes",)),
    ("Posts", ("posts",)),
    ("Themes", ("themes",)),
    ("Questions", ("questions",)),
    ("Recommendations", ("recommended_mix", "recommended_topics")),
)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell_value(value: Value) -> Any:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _write(ws: Any, table: Table, top: int, widths: dict[int, int]) -> int:
    ws.cell(top, 1, table.title).font = _TITLE_FONT
    header_row = top + 1
    for j, col in enumerate(table.columns, 1):
        cell = ws.cell(header_row, j, col.header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        widths[j] = max(widths.get(j, 8), _width(col.header) + 2)
    for i, row in enumerate(table.rows, header_row + 1):
        for j, (value, col) in enumerate(zip(row, table.columns, strict=True), 1):
            cell = ws.cell(i, j)
            cell.value = _cell_value(value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever a customer typed
            elif col.kind in _FORMATS:
                cell.number_format = _FORMATS[col.kind]
            widths[j] = max(widths[j], _width(format_value(value, col)) + 2)
    return header_row + len(table.rows) + 2


def _summary(wb: Workbook, report: Report) -> None:
    ws = wb.active
    ws.title = "Summary"
    p, q = report.period, report.previous_period
    rows: list[tuple[str, str]] = [
        ("Report", report.title),
        ("Period", f"{p.label}: {p.first_day} – {p.last_day} ({p.zone})"),
        ("Compared with", f"{q.label}: {q.first_day} – {q.last_day}"),
        ("Generated (UTC)", report.generated_at.strftime("%Y-%m-%d %H:%M")),
        ("Method", report.recommendations.fallback_reason or report.recommendations.method),
    ]
    rows += [("Note", n) for n in report.notes]
    for i, (k, v) in enumerate(rows, 1):
        ws.cell(i, 1, k).font = Font(bold=True)
        cell = ws.cell(i, 2)
        cell.value, cell.data_type = _cell_value(v), "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.column_dimensions["A"].width = 18
    ws.column_dimensions["B"].width = 100


def render_xlsx(report: Report) -> bytes:
    """The report as an .xlsx workbook: a summary sheet, then one sheet per table."""
    wb = Workbook()
    _summary(wb, report)
    tables = {t.name: t for t in report_tables(report)}
    for title, names in _SHEETS:
        ws = wb.create_sheet(title)
        widths: dict[int, int] = {}
        top = 1
        for name in names:
            top = _write(ws, tables[name], top, widths)
        for j, w in widths.items():
            ws.column_dimensions[get_column_letter(j)].width = min(w, _MAX_WIDTH)
        ws.freeze_panes = "B3"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
