"""Reports: their ids, the stored report and its document paths.

A timed report's id comes from its job key (``report:weekly:2026-W49`` →
``weekly-2026-W49``), so one period can only ever be stored once; an on-demand report
gets a fresh id (``custom-<12 hex>``).

A timed period that ends before the earliest data the read model holds is not reported
(its job completes as ``skipped``, :data:`NO_DATA_YET`): an installation's first due
periods would otherwise be empty reports of a time before the account ran. From the
period holding the first data on, every period is reported, empty or not: zeros are
information once the account runs. On-demand ranges are always reported.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from services.reporting.domain import Doc
from services.reporting.reports import TABLE_NAMES, Report, note_text, translator

__all__ = [
    "CSV_TABLES",
    "HTML_TYPE",
    "NO_DATA_YET",
    "TIMED_KINDS",
    "XLSX_TYPE",
    "DOCX_TYPE",
    "ReportRequest",
    "Trigger",
    "new_custom_report_id",
    "report_document",
    "report_documents",
    "report_id_for_key",
    "report_summary",
]

TIMED_KINDS: tuple[Literal["weekly", "monthly", "biweekly"], ...] = (
    "weekly",
    "monthly",
    "biweekly",
)
CSV_TABLES = TABLE_NAMES
"""Tables a report has (one CSV file each)."""

NO_DATA_YET = "no data before the period's end"
"""Why a timed period is skipped: it ends before the earliest data (the job's result)."""

Trigger = Literal["schedule", "api"]
HTML_TYPE = "text/html; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_SUMMARY_MAX = 2000


@dataclass(frozen=True)
class ReportRequest:
    """An on-demand report of a range: local days (``end`` inclusive) or aware instants
    (``end`` exclusive), compared with the equally long range before it."""

    start: date | datetime
    end: date | datetime


def report_id_for_key(key: str) -> str:
    """The stable id of a timed report: its job key without the ``report:`` prefix."""
    return key.removeprefix("report:").replace(":", "-")


def new_custom_report_id() -> str:
    return f"custom-{uuid.uuid4().hex[:12]}"


def report_documents(report_id: str) -> dict[str, str]:
    """Format → API path of a stored report."""
    return {
        "json": f"/reports/{report_id}",
        "html": f"/reports/{report_id}.html",
        "xlsx": f"/reports/{report_id}.xlsx",
        "docx": f"/reports/{report_id}.docx",
        "csv": f"/reports/{report_id}/csv",
    }


def report_summary(report: Report) -> str:
    """The report's notes as one paragraph in Chinese (the first one says what happened)."""
    tr = translator()
    return "".join(note_text(n, tr) for n in report.notes)[:_SUMMARY_MAX]


def report_document(
    report_id: str,
    report: Report,
    *,
    trigger: Trigger,
    requested_by: str | None,
    sizes: dict[str, int],
) -> Doc:
    """The stored report: listing fields, and the full report as JSON text."""
    return {
        "_id": report_id,
        "kind": report.kind,
        "key": report.key,
        "title": report.title,
        "trigger": trigger,
        "requested_by": requested_by,
        "period_start": report.period.start,
        "period_end": report.period.end,
        "period_label": report.period.label,
        "previous_start": report.previous_period.start,
        "previous_end": report.previous_period.end,
        "generated_at": report.generated_at,
        "summary": report_summary(report),
        "posts": report.totals.posts,
        "failed": report.totals.failed,
        "documents": report_documents(report_id),
        "sizes": sizes,
        # JSON text, not a sub-document: it round-trips exactly and needs no key checks.
        "report_json": report.model_dump_json(),
    }
