"""Reports: their ids, the stored report and its document paths.

A timed report's id comes from its period's key (``report:weekly:2026-W49`` →
``weekly-2026-W49``), so one period can only ever be stored once; an on-demand report
gets a fresh id (``custom-<12 hex>``).

Accounts (#12): the default account's ids are those above, as before accounts (an upgrade
keeps its history, documents and routes); another account's ids begin with the account
(``talent-weekly-2026-W49``, ``talent-custom-<12 hex>``), and the report of every account
together with ``all_`` (``all_weekly-2026-W49``: ``_`` is no character of an account id,
so no account's ids can meet it). Each is a job of its own: :func:`job_key`.

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
from services.reporting.reports.follower_tables import FOLLOWER_TABLES
from services.reporting.reports.tables import ACCOUNTS_TABLE
from shared.accounts import DEFAULT_ACCOUNT

__all__ = [
    "COMBINED_PREFIX",
    "CSV_TABLES",
    "HTML_TYPE",
    "NO_DATA_YET",
    "TIMED_KINDS",
    "XLSX_TYPE",
    "DOCX_TYPE",
    "ReportRequest",
    "Trigger",
    "job_key",
    "new_custom_report_id",
    "report_document",
    "report_documents",
    "report_id_for_key",
    "report_summary",
]

COMBINED_PREFIX = "all_"
"""The id prefix of a report of every account together."""

TIMED_KINDS: tuple[Literal["weekly", "monthly", "biweekly"], ...] = (
    "weekly",
    "monthly",
    "biweekly",
)
CSV_TABLES = (ACCOUNTS_TABLE, *TABLE_NAMES, *FOLLOWER_TABLES)
"""Tables a report may have (one CSV file each; ``accounts``: only every account together;
the followers' only when the report has follower data)."""

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
    (``end`` exclusive), compared with the equally long range before it; of one
    ``account``, or of every account together (None)."""

    start: date | datetime
    end: date | datetime
    account: str | None = DEFAULT_ACCOUNT


def _prefixed(base: str, account: str | None) -> str:
    if account is None:
        return f"{COMBINED_PREFIX}{base}"
    return base if account == DEFAULT_ACCOUNT else f"{account}-{base}"


def report_id_for_key(key: str, account: str | None = DEFAULT_ACCOUNT) -> str:
    """The stable id of a timed report of ``account`` (None: every account together):
    its period's key without the ``report:`` prefix, prefixed for other accounts."""
    return _prefixed(key.removeprefix("report:").replace(":", "-"), account)


def job_key(key: str, account: str | None) -> str:
    """The job key of a period's report of ``account`` (None: every account together):
    the period's key for the default account (jobs scheduled before accounts stay
    theirs), ``<key>@<account>`` for another and ``<key>@*`` for all together."""
    if account == DEFAULT_ACCOUNT:
        return key
    return f"{key}@{account or '*'}"


def new_custom_report_id(account: str | None = DEFAULT_ACCOUNT) -> str:
    return _prefixed(f"custom-{uuid.uuid4().hex[:12]}", account)


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
    """The stored report: listing fields, and the full report as JSON text.

    ``account`` is the account it reports on (None: every account together, then
    ``combined`` is true); ``accounts`` every account it covers.
    """
    return {
        "_id": report_id,
        "account": report.account,
        "combined": report.account is None,
        "accounts": [report.account] if report.account else [a.id for a in report.accounts],
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
