"""HTTP request and response models of the reporting service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from services.reporting.reports import Report
from shared.accounts import ACCOUNT_ID_PATTERN, DEFAULT_ACCOUNT
from shared.bounds import check_day

__all__ = ["ListKind", "ReportCreate", "ReportPublic", "ReportSummary"]

ListKind = Literal["weekly", "monthly", "biweekly", "custom"]


class ReportCreate(BaseModel):
    """An on-demand report of a range, compared with the equally long range before it."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["custom"] = Field(default="custom", description="Only custom ranges.")
    account: str = Field(
        default=DEFAULT_ACCOUNT,
        pattern=ACCOUNT_ID_PATTERN,
        description="The official account reported on (its posts, its calendar); the "
        "asker needs the director or reviewer role on it.",
        examples=["default", "talent"],
    )
    combined: bool = Field(
        default=False,
        description="Every account together instead (each one's figures side by side and "
        "their total; `account` is then ignored): only in a deployment of several "
        "accounts, for one who holds the director or reviewer role on every account. "
        "Stored, not announced with report.ready.",
    )
    start: AwareDatetime | date = Field(
        description="First local day (2026-11-01) or an instant with offset; years 2000-2100.",
        examples=["2026-11-01"],
    )
    end: AwareDatetime | date = Field(
        description="Last local day, inclusive (2026-11-15), or an exclusive instant; "
        "years 2000-2100.",
        examples=["2026-11-15"],
    )

    @field_validator("start", "end", mode="before")
    @classmethod
    def _date_or_aware_instant(cls, value: Any) -> Any:
        # Decide date vs instant by the text's shape: left to itself pydantic reads
        # "2026-12-01T00:00:00+08:00" as the *date* 2026-12-01 (an inclusive day), a naive
        # "2026-11-01T00:00" as a date too, and names a bad value "start.date".
        if not isinstance(value, str):
            return value
        text = value.strip()
        try:
            parsed = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            parsed = None
        if parsed is None or (isinstance(parsed, datetime) and parsed.tzinfo is None):
            raise ValueError(
                "expected a local day (2026-11-01) or an instant with a UTC offset "
                "(2026-11-01T00:00:00+08:00)"
            )
        return check_day(parsed)


class ReportSummary(BaseModel):
    """A stored report, as listed."""

    id: str
    account: str | None = Field(
        default=DEFAULT_ACCOUNT,
        description="The official account it reports on; null: every account together.",
    )
    combined: bool = Field(default=False, description="A report of every account together.")
    accounts: list[str] = Field(
        default_factory=list, description="The accounts it covers (combined: all of them)."
    )
    kind: ListKind
    key: str | None = Field(description="Job key of a timed report (one per period).")
    title: str
    trigger: Literal["schedule", "api"]
    requested_by: str | None
    period_start: datetime
    period_end: datetime
    period_label: str
    generated_at: datetime
    summary: str
    posts: int = Field(description="Published posts in the period.")
    failed: int = Field(description="Posts of the period that failed to publish.")
    documents: dict[str, str] = Field(description="Format → API path.")


class ReportPublic(ReportSummary):
    """A stored report with its full content."""

    report: Report
