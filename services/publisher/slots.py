"""The publishing slot calendar: pure, synchronous and correct in any server time zone.

A *slot* is one instant at which posts go out. The operations plan fixes them at Monday,
Wednesday and Friday, 11:30 China time; :class:`SlotPolicy` makes that configurable.

Rules this module keeps:

* **Aware instants only.** Every instant taken or returned is an aware ``datetime``; the
  results' ``at`` is UTC. Naive input raises ``ValueError``. Wall-clock arithmetic happens
  in the policy's zone through ``zoneinfo`` (``tzdata`` ships the database), so the server's
  own ``TZ`` never changes a result. ``now`` is always a parameter.
* **Keys.** ``publish:<local ISO time with offset>``, e.g. ``publish:2026-11-23T11:30+08:00``:
  stable, unique, readable, and the name of the timed-publishing job document.
* **DST.** A slot keeps its local wall-clock time (Berlin 11:30 is 09:30 UTC in summer and
  10:30 UTC in winter). A local time inside a spring-forward gap moves forward by the gap;
  one that occurs twice in a fall-back is its first occurrence (``fold=0``).
* **Holidays** (:class:`HolidayPolicy`, Chinese statutory calendar of ``chinese_calendar``,
  applied to the slot's local date):

  - ``keep``: publish on the policy's weekdays regardless of holidays (the plan's letter).
  - ``skip``: drop slots on statutory holidays, i.e. any day of a named break (its weekend
    days and in-lieu days included). Ordinary weekends are not holidays.
  - ``skip_and_use_adjusted_workdays``: as ``skip``, and every *adjusted working day*
    (调休: a Saturday or Sunday declared a working day) is a publishing day too, at the
    policy's times. Simple on purpose: it does not try to guess which weekday is replaced.

  For years ``chinese_calendar`` has no data for (it raises ``NotImplementedError``;
  version 1.11 knows 2004-2026) every day counts as ordinary, i.e. the policy behaves as
  ``keep``; :func:`day_kind` returns ``DayKind.UNKNOWN`` so callers can warn or count it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import chinese_calendar
from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "KEY_PREFIX",
    "DayKind",
    "Due",
    "HolidayPolicy",
    "Slot",
    "SlotError",
    "SlotPolicy",
    "assign_slot",
    "classify_due",
    "day_kind",
    "iter_slots",
    "next_slot",
    "parse_slot_key",
    "review_deadline",
    "slot_for",
    "slots_between",
]

KEY_PREFIX = "publish:"
_HORIZON_DAYS = 400  # how far to look for a slot before giving up
_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SlotError(ValueError):
    """A time is not a slot of the policy, or no suitable slot exists."""


class HolidayPolicy(StrEnum):
    """What statutory holidays do to slots (see the module docstring)."""

    KEEP = "keep"
    SKIP = "skip"
    SKIP_AND_USE_ADJUSTED_WORKDAYS = "skip_and_use_adjusted_workdays"


class DayKind(StrEnum):
    """A date in the Chinese statutory calendar."""

    HOLIDAY = "holiday"
    ADJUSTED_WORKDAY = "adjusted_workday"
    ORDINARY = "ordinary"
    UNKNOWN = "unknown"  # outside the years chinese_calendar knows


class Due(StrEnum):
    """How a publishing attempt at ``now`` relates to its slot."""

    ON_TIME = "on_time"
    LATE_WITHIN_GRACE = "late_within_grace"
    MISSED = "missed"


class SlotPolicy(BaseModel):
    """When posts go out: weekdays, local times, zone, capacity and holiday handling."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weekdays: tuple[int, ...] = Field(
        default=(0, 2, 4),
        min_length=1,
        description="Publishing weekdays, 0=Monday..6=Sunday; names like 'mon' are accepted.",
        examples=[["mon", "wed", "fri"]],
    )
    times: tuple[time, ...] = Field(
        default=(time(11, 30),),
        min_length=1,
        description="Local wall-clock times of the slots on a publishing day.",
        examples=[["11:30"]],
    )
    zone: str = Field(default="Asia/Shanghai", description="IANA zone the calendar is in.")
    posts_per_slot: int = Field(default=1, ge=1, le=50, description="Posts one slot may take.")
    holiday_policy: HolidayPolicy = HolidayPolicy.KEEP

    @field_validator("weekdays", mode="before")
    @classmethod
    def _weekday_names(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.replace(",", " ").split() if part]
        if isinstance(value, list | tuple):
            return tuple(_weekday_number(item) for item in value)
        return value

    @field_validator("weekdays")
    @classmethod
    def _sorted_weekdays(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 0 <= day <= 6 for day in value):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        return tuple(sorted(set(value)))

    @field_validator("times")
    @classmethod
    def _plain_times(cls, value: tuple[time, ...]) -> tuple[time, ...]:
        if any(t.tzinfo is not None or t.microsecond for t in value):
            raise ValueError("times are local wall-clock times without zone or microseconds")
        return tuple(sorted(set(value)))

    @field_validator("zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        """The policy's zone."""
        return ZoneInfo(self.zone)


@dataclass(frozen=True, slots=True)
class Slot:
    """One publishing instant: its job key, the UTC instant and the local wall-clock time."""

    key: str
    at: datetime
    local: datetime

    @property
    def day(self) -> date:
        """The local date of the slot."""
        return self.local.date()


def _weekday_number(item: object) -> int:
    if isinstance(item, int):
        return item
    if isinstance(item, str):
        name = item.strip().lower()[:3]
        if name in _WEEKDAY_NAMES:
            return _WEEKDAY_NAMES.index(name)
        if name.isdigit():
            return int(name)
    raise ValueError(f"not a weekday: {item!r}")


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value!r}")


def day_kind(day: date) -> DayKind:
    """Classify a date in the Chinese statutory calendar."""
    try:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return DayKind.UNKNOWN
    if name is None:
        return DayKind.ORDINARY
    if is_holiday:
        return DayKind.HOLIDAY
    return DayKind.ADJUSTED_WORKDAY if day.weekday() >= 5 else DayKind.ORDINARY


def _publishing_day(policy: SlotPolicy, day: date) -> bool:
    regular = day.weekday() in policy.weekdays
    if policy.holiday_policy is HolidayPolicy.KEEP:
        return regular
    kind = day_kind(day)
    if kind is DayKind.HOLIDAY:
        return False
    if kind is DayKind.ADJUSTED_WORKDAY:
        return regular or policy.holiday_policy is HolidayPolicy.SKIP_AND_USE_ADJUSTED_WORKDAYS
    return regular


def _make_slot(local: datetime) -> Slot:
    at = local.astimezone(UTC)
    local = at.astimezone(local.tzinfo)  # normalise a time inside a DST gap
    spec = "minutes" if local.second == 0 else "seconds"
    return Slot(key=KEY_PREFIX + local.isoformat(timespec=spec), at=at, local=local)


def _slots_on(policy: SlotPolicy, day: date) -> list[Slot]:
    if not _publishing_day(policy, day):
        return []
    tz = policy.tz
    found = {
        s.key: s for s in (_make_slot(datetime.combine(day, t, tzinfo=tz)) for t in policy.times)
    }
    return sorted(found.values(), key=lambda s: s.at)


def iter_slots(
    policy: SlotPolicy, start: datetime, *, horizon_days: int = _HORIZON_DAYS
) -> Iterator[Slot]:
    """Yield the slots at or after ``start`` in order, looking at most ``horizon_days`` ahead."""
    _require_aware(start, "start")
    day = start.astimezone(policy.tz).date() - timedelta(days=1)
    for _ in range(horizon_days + 2):
        for slot in _slots_on(policy, day):
            if slot.at >= start:
                yield slot
        day += timedelta(days=1)


def slots_between(policy: SlotPolicy, start_utc: datetime, end_utc: datetime) -> list[Slot]:
    """All slots with ``start_utc <= at < end_utc``, in order."""
    _require_aware(start_utc, "start_utc")
    _require_aware(end_utc, "end_utc")
    if end_utc <= start_utc:
        return []
    days = (end_utc - start_utc).days + 2
    return [s for s in iter_slots(policy, start_utc, horizon_days=days) if s.at < end_utc]


def next_slot(policy: SlotPolicy, after_utc: datetime, *, inclusive: bool = False) -> Slot:
    """The first slot after ``after_utc`` (at or after it when ``inclusive``)."""
    for slot in iter_slots(policy, after_utc):
        if inclusive or slot.at > after_utc:
            return slot
    raise SlotError(f"no slot within {_HORIZON_DAYS} days after {after_utc.isoformat()}")


def slot_for(policy: SlotPolicy, when: datetime) -> Slot | None:
    """The slot at exactly ``when``, or ``None`` when ``when`` is not a slot of the policy."""
    _require_aware(when, "when")
    day = when.astimezone(policy.tz).date()
    for candidate in (day, day - timedelta(days=1), day + timedelta(days=1)):
        for slot in _slots_on(policy, candidate):
            if slot.at == when:
                return slot
    return None


def parse_slot_key(policy: SlotPolicy, key: str) -> Slot:
    """The slot named by ``key``; ``SlotError`` when it is malformed or not a slot."""
    if not key.startswith(KEY_PREFIX):
        raise SlotError(f"slot key must start with {KEY_PREFIX!r}: {key!r}")
    try:
        when = datetime.fromisoformat(key.removeprefix(KEY_PREFIX))
    except ValueError as exc:
        raise SlotError(f"malformed slot key {key!r}") from exc
    if when.tzinfo is None:
        raise SlotError(f"slot key without offset: {key!r}")
    slot = slot_for(policy, when)
    if slot is None:
        raise SlotError(_why_not_a_slot(policy, when))
    return slot


def _why_not_a_slot(policy: SlotPolicy, when: datetime) -> str:
    local = when.astimezone(policy.tz)
    stamp = local.isoformat(timespec="minutes")
    if local.timetz().replace(tzinfo=None) not in policy.times:
        times = ", ".join(t.isoformat(timespec="minutes") for t in policy.times)
        return f"{stamp} is not a publishing slot: slots are at {times} {policy.zone}"
    kind = day_kind(local.date())
    if kind is DayKind.HOLIDAY and policy.holiday_policy is not HolidayPolicy.KEEP:
        return f"{stamp} is not a publishing slot: {local.date()} is a statutory holiday"
    days = ", ".join(_WEEKDAY_NAMES[d].title() for d in policy.weekdays)
    return f"{stamp} is not a publishing slot: slots are on {days}"


def assign_slot(
    policy: SlotPolicy,
    wished: datetime | None,
    now: datetime,
    occupied: Mapping[str, int],
    *,
    min_lead: timedelta = timedelta(0),
    strict: bool = True,
) -> Slot:
    """Choose the slot for a post.

    The wished slot when it is a real slot, has room (``occupied[key] < posts_per_slot``)
    and lies after ``now`` by at least ``min_lead``; otherwise the next slot after it that
    does. Without a wish, the first such slot after ``now``. When ``wished`` is not a slot
    at all, ``strict`` (the default) raises ``SlotError`` saying why, so an editor is not
    silently moved; ``strict=False`` takes the next suitable slot at or after ``wished``.
    """
    _require_aware(now, "now")
    if min_lead < timedelta(0):
        raise ValueError("min_lead must not be negative")
    start = now
    if wished is not None:
        _require_aware(wished, "wished")
        if strict and slot_for(policy, wished) is None:
            raise SlotError(_why_not_a_slot(policy, wished))
        start = max(wished, now)
    for slot in iter_slots(policy, start):
        if (
            slot.at > now
            and slot.at - now >= min_lead
            and occupied.get(slot.key, 0) < policy.posts_per_slot
        ):
            return slot
    raise SlotError(f"no free slot within {_HORIZON_DAYS} days after {start.isoformat()}")


def review_deadline(
    policy: SlotPolicy, slot: Slot, deadline_time: time | str = "10:00"
) -> datetime:
    """When the draft for ``slot`` must reach review (aware UTC).

    ``deadline_time`` local on the slot's day (the plan: before 10:00 on the push day). If
    that is not before the slot (a slot at or before 10:00), it is the day before instead.
    """
    when = deadline_time if isinstance(deadline_time, time) else time.fromisoformat(deadline_time)
    day = slot.local.astimezone(policy.tz).date()
    deadline = datetime.combine(day, when, tzinfo=policy.tz).astimezone(UTC)
    if deadline >= slot.at:
        deadline = datetime.combine(day - timedelta(days=1), when, tzinfo=policy.tz).astimezone(UTC)
    return deadline


def classify_due(
    slot_at: datetime,
    now: datetime,
    grace: timedelta,
    *,
    tolerance: timedelta = timedelta(minutes=1),
) -> Due:
    """Whether publishing at ``now`` is on time, late but within ``grace``, or missed.

    On time up to ``tolerance`` after the slot (timers never fire to the microsecond);
    late within grace up to ``grace`` after it; missed beyond, which the publisher turns
    into ``post.failed`` (code ``missed``) for a person instead of posting at a random hour.
    """
    _require_aware(slot_at, "slot_at")
    _require_aware(now, "now")
    if grace < timedelta(0) or tolerance < timedelta(0):
        raise ValueError("grace and tolerance must not be negative")
    lateness = now - slot_at
    if lateness <= tolerance:
        return Due.ON_TIME
    if lateness <= grace:
        return Due.LATE_WITHIN_GRACE
    return Due.MISSED
