"""The report schedule: periods and fire times, in China time (the zone is configurable).

A period is a half-open range ``[start, end)`` of aware UTC instants whose bounds are
local midnights. Each timed run has a stable key naming the *period it reports on*
(``report:weekly:2026-W49``, ``report:monthly:2026-11``, ``report:biweekly:2026-11-09``),
so a claimed job document with that key fires each period exactly once, even if the
fire time in the policy changes later.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal, NamedTuple
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "DEFAULT_ZONE",
    "MAX_CUSTOM_DAYS",
    "Period",
    "PeriodPair",
    "ReportKind",
    "Run",
    "SchedulePolicy",
    "TimedKind",
    "biweekly_index",
    "biweekly_period",
    "custom_period",
    "due_runs",
    "fire_at",
    "monthly_period",
    "weekly_period",
]

DEFAULT_ZONE = "Asia/Shanghai"
MAX_CUSTOM_DAYS = 400

ReportKind = Literal["weekly", "monthly", "biweekly", "custom"]
TimedKind = Literal["weekly", "monthly", "biweekly"]


class Period(BaseModel):
    """A half-open range ``[start, end)`` of aware UTC instants with local-midnight bounds."""

    model_config = ConfigDict(frozen=True)

    start: AwareDatetime = Field(description="First instant, aware UTC.")
    end: AwareDatetime = Field(description="First instant after the period, aware UTC.")
    zone: str = Field(default=DEFAULT_ZONE, description="IANA zone the bounds are local in.")
    label: str = Field(description="Human label, e.g. 2026-W49 or 2026-11.")

    def contains(self, instant: datetime) -> bool:
        """True when ``instant`` (aware) lies in ``[start, end)``."""
        return self.start <= instant < self.end

    @property
    def first_day(self) -> date:
        """First local day of the period."""
        return self.start.astimezone(ZoneInfo(self.zone)).date()

    @property
    def last_day(self) -> date:
        """Last local day of the period (inclusive)."""
        return (self.end.astimezone(ZoneInfo(self.zone)) - timedelta(days=1)).date()

    @property
    def days(self) -> int:
        """Number of local days in the period."""
        return (self.last_day - self.first_day).days + 1


class PeriodPair(NamedTuple):
    """The period reported on and the one it is compared with."""

    current: Period
    previous: Period


class Run(BaseModel):
    """One timed report run: the period it covers, its comparison period, when it fires."""

    model_config = ConfigDict(frozen=True)

    kind: TimedKind
    key: str = Field(description="Stable unique job key, e.g. report:weekly:2026-W49.")
    fire_at: AwareDatetime = Field(description="When the run is due, aware UTC.")
    period: Period
    previous: Period


class SchedulePolicy(BaseModel):
    """When timed reports fire; defaults follow the department's rules."""

    model_config = ConfigDict(frozen=True)

    zone: str = DEFAULT_ZONE
    weekly_fire_time: time = Field(default=time(14, 30), description="Monday, local.")
    monthly_fire_time: time = Field(default=time(14, 30), description="On the 1st, local.")
    biweekly_anchor: date = Field(
        default=date(2026, 1, 5), description="First day of biweekly period 0 (local)."
    )
    biweekly_fire_after: timedelta = Field(
        default=timedelta(hours=14, minutes=30),
        description="Delay after the period's end (local midnight); default 14:30 that day.",
    )
    catch_up_limit: int | None = Field(
        default=None, ge=1, description="Keep only the latest N due runs (None: all)."
    )

    @field_validator("zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError) as exc:  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("biweekly_fire_after")
    @classmethod
    def _not_negative(cls, value: timedelta) -> timedelta:
        if value < timedelta(0):
            raise ValueError("biweekly_fire_after must not be negative")
        return value


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _period(first: date, end: date, zone: str, label: str) -> Period:
    tz = ZoneInfo(zone)
    return Period(start=_midnight(first, tz), end=_midnight(end, tz), zone=zone, label=label)


def _week_label(first: date) -> str:
    iso = first.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def _week(first: date, zone: str) -> Period:
    return _period(first, first + timedelta(days=7), zone, _week_label(first))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month(first: date, zone: str) -> Period:
    return _period(first, _add_months(first, 1), zone, f"{first.year}-{first.month:02d}")


def _fortnight(first: date, zone: str) -> Period:
    last = first + timedelta(days=13)
    return _period(first, first + timedelta(days=14), zone, f"{first} – {last}")


def weekly_period(fire_local_date: date, *, zone: str = DEFAULT_ZONE) -> PeriodPair:
    """Last full Monday-to-Monday week before ``fire_local_date`` and the week before it.

    The week ends on the latest Monday on or before ``fire_local_date``.
    """
    end = fire_local_date - timedelta(days=fire_local_date.weekday())
    first = end - timedelta(days=7)
    return PeriodPair(_week(first, zone), _week(first - timedelta(days=7), zone))


def monthly_period(fire_local_date: date, *, zone: str = DEFAULT_ZONE) -> PeriodPair:
    """The calendar month before ``fire_local_date``'s month and the month before that."""
    first = _add_months(fire_local_date.replace(day=1), -1)
    return PeriodPair(_month(first, zone), _month(_add_months(first, -1), zone))


def biweekly_index(anchor_date: date, local_date: date) -> int:
    """Index of the 14-day period (counted from ``anchor_date``) containing ``local_date``."""
    return (local_date - anchor_date).days // 14


def biweekly_period(anchor_date: date, n: int, *, zone: str = DEFAULT_ZONE) -> PeriodPair:
    """The ``n``-th 14-day period from ``anchor_date`` (may be negative) and the one before."""
    first = anchor_date + timedelta(days=14 * n)
    return PeriodPair(_fortnight(first, zone), _fortnight(first - timedelta(days=14), zone))


def custom_period(
    start: date | datetime, end: date | datetime, *, zone: str = DEFAULT_ZONE
) -> PeriodPair:
    """An on-demand range and the equally long range right before it.

    Dates are local days and ``end`` is inclusive (``2026-11-01``..``2026-11-15`` is 15
    days); datetimes must be aware and ``end`` is exclusive.
    """
    tz = ZoneInfo(zone)
    lo, hi = _bound(start, tz, inclusive_end=False), _bound(end, tz, inclusive_end=True)
    if hi <= lo:
        raise ValueError("custom period: end must be after start")
    if hi - lo > timedelta(days=MAX_CUSTOM_DAYS):
        raise ValueError(f"custom period: at most {MAX_CUSTOM_DAYS} days")
    span = hi - lo
    fmt = "%Y-%m-%d %H:%M"
    label = f"{lo.astimezone(tz).strftime(fmt)} – {hi.astimezone(tz).strftime(fmt)}"
    prev_label = f"{(lo - span).astimezone(tz).strftime(fmt)} – {lo.astimezone(tz).strftime(fmt)}"
    current = Period(start=lo, end=hi, zone=zone, label=label)
    return PeriodPair(current, Period(start=lo - span, end=lo, zone=zone, label=prev_label))


def _bound(value: date | datetime, tz: ZoneInfo, *, inclusive_end: bool) -> datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("custom period: datetimes must be timezone-aware")
        return value.astimezone(UTC)
    return _midnight(value + timedelta(days=1) if inclusive_end else value, tz)


def _key(kind: TimedKind, period: Period) -> str:
    if kind == "weekly":
        return f"report:weekly:{_week_label(period.first_day)}"
    if kind == "monthly":
        return f"report:monthly:{period.first_day:%Y-%m}"
    return f"report:biweekly:{period.first_day.isoformat()}"


def fire_at(kind: TimedKind, period: Period, policy: SchedulePolicy) -> datetime:
    """When the run for ``period`` is due (aware UTC)."""
    tz = ZoneInfo(policy.zone)
    end_day = period.end.astimezone(tz).date()
    if kind == "weekly":
        local = datetime.combine(end_day, policy.weekly_fire_time, tzinfo=tz)
    elif kind == "monthly":
        local = datetime.combine(end_day, policy.monthly_fire_time, tzinfo=tz)
    else:
        local = datetime.combine(end_day, time(0), tzinfo=tz) + policy.biweekly_fire_after
    return local.astimezone(UTC)


def _pairs(kind: TimedKind, policy: SchedulePolicy, from_day: date) -> Iterator[PeriodPair]:
    """Period pairs in order, starting with one whose period ends on or before ``from_day``."""
    zone = policy.zone
    if kind == "weekly":
        day = from_day - timedelta(days=from_day.weekday())
        while True:
            yield weekly_period(day, zone=zone)
            day += timedelta(days=7)
    elif kind == "monthly":
        day = from_day.replace(day=1)
        while True:
            yield monthly_period(day, zone=zone)
            day = _add_months(day, 1)
    else:
        n = biweekly_index(policy.biweekly_anchor, from_day) - 1
        while True:
            yield biweekly_period(policy.biweekly_anchor, n, zone=zone)
            n += 1


def due_runs(kind: TimedKind, policy: SchedulePolicy, since: datetime, now: datetime) -> list[Run]:
    """Runs whose fire time lies in ``(since, now]``, oldest first, each period once.

    ``since`` is the last time the caller checked (exclusive); calling again with
    ``since=now`` never returns a run twice. Keys are stable per period.
    """
    for value in (since, now):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("due_runs: since and now must be timezone-aware")
    if now <= since:
        return []
    tz = ZoneInfo(policy.zone)
    # Start a little before `since`: a fire time never precedes its period's end day, and
    # no policy delays a run by more than a few weeks.
    from_day = (since.astimezone(tz) - policy.biweekly_fire_after).date() - timedelta(days=1)
    runs: list[Run] = []
    for current, previous in _pairs(kind, policy, from_day):
        at = fire_at(kind, current, policy)
        if at > now:
            break
        if at > since:
            runs.append(
                Run(
                    kind=kind,
                    key=_key(kind, current),
                    fire_at=at,
                    period=current,
                    previous=previous,
                )
            )
    if policy.catch_up_limit is not None:
        runs = runs[-policy.catch_up_limit :]
    return runs
