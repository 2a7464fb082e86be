"""The publishing slot calendar: pure, synchronous and correct in any server time zone.

A *slot* is one instant at which posts go out. The operations plan fixes them at Monday,
Wednesday and Friday, 11:30 China time; :class:`SlotCalendar` makes that configurable.

Rules this module keeps:

* **Aware instants only.** Every instant taken or returned is an aware ``datetime``; the
  results' ``at`` is UTC. Naive input raises ``ValueError``. Wall-clock arithmetic happens
  in the calendar's zone through ``zoneinfo`` (``tzdata`` ships the database), so the
  server's own ``TZ`` never changes a result. ``now`` is always a parameter.
* **Keys.** ``publish:<local ISO time with offset>``, e.g. ``publish:2026-11-23T11:30+08:00``:
  stable, unique, readable, and the name of the timed-publishing job document.
* **DST.** A slot keeps its local wall-clock time (Berlin 11:30 is 09:30 UTC in summer and
  10:30 UTC in winter). A local time inside a spring-forward gap moves forward by the gap;
  one that occurs twice in a fall-back is its first occurrence (``fold=0``).
* **Holidays**: :class:`HolidayPolicy` (:mod:`shared.calendar.days`) says what statutory
  holidays do to slots.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.calendar.days import DayKind, HolidayPolicy, day_kind

__all__ = [
    "HORIZON_DAYS",
    "KEY_PREFIX",
    "Slot",
    "SlotCalendar",
    "SlotError",
    "iter_slots",
    "next_slot",
    "not_a_slot_reason",
    "parse_slot_key",
    "parse_times",
    "parse_weekdays",
    "require_aware",
    "slot_for",
    "slots_between",
]

KEY_PREFIX = "publish:"
HORIZON_DAYS = 400
"""How far to look for a slot before giving up."""
_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class SlotError(ValueError):
    """A time is not a slot of the calendar, or no suitable slot exists."""


def parse_weekdays(value: str) -> tuple[int, ...]:
    """``"mon,wed,fri"`` or ``"0,2,4"`` -> ``(0, 2, 4)``."""
    days: set[int] = set()
    for part in value.replace(",", " ").split():
        name = part.strip().lower()
        if name.isdigit() and 0 <= int(name) <= 6:
            days.add(int(name))
        elif name[:3] in _WEEKDAY_NAMES:
            days.add(_WEEKDAY_NAMES.index(name[:3]))
        else:
            raise ValueError(f"not a weekday: {part!r} (use mon..sun or 0..6)")
    if not days:
        raise ValueError("at least one publishing weekday is needed")
    return tuple(sorted(days))


def parse_times(value: str) -> tuple[time, ...]:
    """``"11:30, 18:00"`` -> ``(time(11, 30), time(18, 0))``."""
    try:
        times = {time.fromisoformat(part.strip()) for part in value.split(",") if part.strip()}
    except ValueError as exc:
        raise ValueError(f"slot times must look like 11:30: {value!r} ({exc})") from exc
    if not times:
        raise ValueError("at least one slot time is needed")
    return tuple(sorted(times))


class SlotCalendar(BaseModel):
    """When slots are: weekdays, local times, zone and holiday handling."""

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
        """The calendar's zone."""
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


def require_aware(value: datetime, name: str) -> None:
    """Raise ``ValueError`` when ``value`` is a naive datetime."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value!r}")


def _publishing_day(calendar: SlotCalendar, day: date) -> bool:
    regular = day.weekday() in calendar.weekdays
    if calendar.holiday_policy is HolidayPolicy.KEEP:
        return regular
    kind = day_kind(day)
    if kind is DayKind.HOLIDAY:
        return False
    if kind is DayKind.ADJUSTED_WORKDAY:
        return regular or calendar.holiday_policy is HolidayPolicy.SKIP_AND_USE_ADJUSTED_WORKDAYS
    return regular


def _make_slot(local: datetime) -> Slot:
    at = local.astimezone(UTC)
    local = at.astimezone(local.tzinfo)  # normalise a time inside a DST gap
    spec = "minutes" if local.second == 0 else "seconds"
    return Slot(key=KEY_PREFIX + local.isoformat(timespec=spec), at=at, local=local)


def _slots_on(calendar: SlotCalendar, day: date) -> list[Slot]:
    if not _publishing_day(calendar, day):
        return []
    tz = calendar.tz
    found = {
        s.key: s for s in (_make_slot(datetime.combine(day, t, tzinfo=tz)) for t in calendar.times)
    }
    return sorted(found.values(), key=lambda s: s.at)


def iter_slots(
    calendar: SlotCalendar, start: datetime, *, horizon_days: int = HORIZON_DAYS
) -> Iterator[Slot]:
    """Yield the slots at or after ``start`` in order, looking at most ``horizon_days`` ahead."""
    require_aware(start, "start")
    day = start.astimezone(calendar.tz).date() - timedelta(days=1)
    for _ in range(horizon_days + 2):
        for slot in _slots_on(calendar, day):
            if slot.at >= start:
                yield slot
        day += timedelta(days=1)


def slots_between(calendar: SlotCalendar, start_utc: datetime, end_utc: datetime) -> list[Slot]:
    """All slots with ``start_utc <= at < end_utc``, in order."""
    require_aware(start_utc, "start_utc")
    require_aware(end_utc, "end_utc")
    if end_utc <= start_utc:
        return []
    days = (end_utc - start_utc).days + 2
    return [s for s in iter_slots(calendar, start_utc, horizon_days=days) if s.at < end_utc]


def next_slot(calendar: SlotCalendar, after_utc: datetime, *, inclusive: bool = False) -> Slot:
    """The first slot after ``after_utc`` (at or after it when ``inclusive``)."""
    for slot in iter_slots(calendar, after_utc):
        if inclusive or slot.at > after_utc:
            return slot
    raise SlotError(f"no slot within {HORIZON_DAYS} days after {after_utc.isoformat()}")


def slot_for(calendar: SlotCalendar, when: datetime) -> Slot | None:
    """The slot at exactly ``when``, or ``None`` when ``when`` is not a slot of the calendar."""
    require_aware(when, "when")
    day = when.astimezone(calendar.tz).date()
    for candidate in (day, day - timedelta(days=1), day + timedelta(days=1)):
        for slot in _slots_on(calendar, candidate):
            if slot.at == when:
                return slot
    return None


def parse_slot_key(calendar: SlotCalendar, key: str) -> Slot:
    """The slot named by ``key``; ``SlotError`` when it is malformed or not a slot."""
    if not key.startswith(KEY_PREFIX):
        raise SlotError(f"slot key must start with {KEY_PREFIX!r}: {key!r}")
    try:
        when = datetime.fromisoformat(key.removeprefix(KEY_PREFIX))
    except ValueError as exc:
        raise SlotError(f"malformed slot key {key!r}") from exc
    if when.tzinfo is None:
        raise SlotError(f"slot key without offset: {key!r}")
    slot = slot_for(calendar, when)
    if slot is None:
        raise SlotError(not_a_slot_reason(calendar, when))
    return slot


def not_a_slot_reason(calendar: SlotCalendar, when: datetime) -> str:
    """Why ``when`` is not a slot of ``calendar``, for people."""
    local = when.astimezone(calendar.tz)
    stamp = local.isoformat(timespec="minutes")
    if local.timetz().replace(tzinfo=None) not in calendar.times:
        times = ", ".join(t.isoformat(timespec="minutes") for t in calendar.times)
        return f"{stamp} is not a publishing slot: slots are at {times} {calendar.zone}"
    kind = day_kind(local.date())
    if kind is DayKind.HOLIDAY and calendar.holiday_policy is not HolidayPolicy.KEEP:
        return f"{stamp} is not a publishing slot: {local.date()} is a statutory holiday"
    days = ", ".join(_WEEKDAY_NAMES[d].title() for d in calendar.weekdays)
    return f"{stamp} is not a publishing slot: slots are on {days}"
