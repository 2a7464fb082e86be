"""Why the reporting service answers "no"; the API answers each as problem+json::

ReportingError
├── InvalidRange     422  an on-demand range that cannot be reported on (blames ``end``)
├── ReportNotFound   404  no stored report with that id
└── UnknownTable     404  a report has no table of that name (CSV download)
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.problems import ProblemMap, ProblemSpec

__all__ = ["PROBLEMS", "InvalidRange", "ReportNotFound", "ReportingError", "UnknownTable"]


class ReportingError(Exception):
    """Base of the service's domain errors; ``detail`` is what the answer explains."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class InvalidRange(ReportingError):
    """An on-demand report range that cannot be reported on (empty, too long, naive).

    Answered like a validation error of the request's ``end``.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(f"Invalid value for: end ({reason})")
        self.reason = reason
        self.errors = [{"field": "end", "message": reason}]


class ReportNotFound(ReportingError):
    """No stored report with this id."""

    def __init__(self, report_id: str) -> None:
        super().__init__(f"There is no report {report_id!r}.")
        self.report_id = report_id


class UnknownTable(ReportingError):
    """A report's tables (one CSV each) do not include this name."""

    def __init__(self, table: str, tables: Sequence[str]) -> None:
        super().__init__(f"Tables are: {', '.join(tables)}.")
        self.table = table


PROBLEMS: ProblemMap = {
    InvalidRange: ProblemSpec(422, "Invalid request", "urn:contentops:problem:validation"),
    ReportNotFound: ProblemSpec(404, "Report not found"),
    UnknownTable: ProblemSpec(404, "Table not found"),
}
