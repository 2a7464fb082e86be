"""The one calendar: publishing slots, the review deadline and the report schedule.

Pure and synchronous (no I/O library); every instant is an aware ``datetime``.

* ``slots`` — :class:`SlotCalendar` (weekdays, local times, zone, holiday policy),
  iterating slots, the next slot, the slot at an instant, slot keys
  (``publish:2026-11-23T11:30+08:00``) and parsing them.
* ``days`` — :func:`day_kind` (holiday, adjusted workday, ordinary) and
  :class:`HolidayPolicy`, what holidays do to slots.
* ``deadline`` — :func:`review_deadline`: when a slot's draft must reach review
  (10:00 on the push day by default).
* ``reports`` — the weekly, monthly and biweekly report periods, their fire times and
  the runs due between two instants.
"""

from shared.calendar.days import DayKind, HolidayPolicy, day_kind
from shared.calendar.deadline import DEFAULT_REVIEW_DEADLINE, review_deadline
from shared.calendar.reports import (
    DEFAULT_ZONE,
    MAX_CUSTOM_DAYS,
    Period,
    PeriodPair,
    ReportKind,
    Run,
    SchedulePolicy,
    TimedKind,
    biweekly_index,
    biweekly_period,
    custom_period,
    due_runs,
    fire_at,
    monthly_period,
    weekly_period,
)
from shared.calendar.slots import (
    HORIZON_DAYS,
    KEY_PREFIX,
    Slot,
    SlotCalendar,
    SlotError,
    iter_slots,
    next_slot,
    not_a_slot_reason,
    parse_slot_key,
    parse_times,
    parse_weekdays,
    require_aware,
    slot_for,
    slots_between,
)

__all__ = [
    "DEFAULT_REVIEW_DEADLINE",
    "DEFAULT_ZONE",
    "HORIZON_DAYS",
    "KEY_PREFIX",
    "MAX_CUSTOM_DAYS",
    "DayKind",
    "HolidayPolicy",
    "Period",
    "PeriodPair",
    "ReportKind",
    "Run",
    "SchedulePolicy",
    "Slot",
    "SlotCalendar",
    "SlotError",
    "TimedKind",
    "biweekly_index",
    "biweekly_period",
    "custom_period",
    "day_kind",
    "due_runs",
    "fire_at",
    "iter_slots",
    "monthly_period",
    "next_slot",
    "not_a_slot_reason",
    "parse_slot_key",
    "parse_times",
    "parse_weekdays",
    "require_aware",
    "review_deadline",
    "slot_for",
    "slots_between",
    "weekly_period",
]
