"""Render a report as CSV files, one per table (``{name}.csv`` → text).

Values are raw (rates as fractions, times local in the report's zone, empty for None,
booleans ``true``/``false``); headers and labels are in the reader's language.
Text that a spreadsheet would take for a formula (starting with ``= + - @``) is prefixed
with an apostrophe, because customer quotes end up in these files.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from .follower_tables import follower_tables
from .i18n import DEFAULT_LANG, Lang, translator
from .model import Report
from .tables import Value, report_tables

__all__ = ["render_csv"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_START) else value
    return str(value)


def render_csv(report: Report, *, lang: Lang = DEFAULT_LANG) -> dict[str, str]:
    """Every table of ``report`` as CSV text (headers in ``lang``), keyed by file name."""
    out = {}
    tr = translator(lang)
    for table in [*report_tables(report, tr), *follower_tables(report, tr)]:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([c.header for c in table.columns])
        writer.writerows([_text(v) for v in row] for row in table.rows)
        out[f"{table.name}.csv"] = buf.getvalue()
    return out
