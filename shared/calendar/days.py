"""Days in the Chinese statutory calendar, and what holidays do to publishing slots.

Holidays (:class:`HolidayPolicy`, the Chinese statutory calendar of ``chinese_calendar``,
applied to a slot's local date):

  - ``keep``: publish on the calendar's weekdays regardless of holidays (the plan's letter).
  - ``skip``: drop slots on statutory holidays, i.e. any day of a named break (its weekend
    days and in-lieu days included). Ordinary weekends are not holidays.
  - ``skip_and_use_adjusted_workdays``: as ``skip``, and every *adjusted working day*
    (调休: a Saturday or Sunday declared a working day) is a publishing day too, at the
    calendar's times. Simple on purpose: it does not try to guess which weekday is replaced.

  For years ``chinese_calendar`` has no data for (it raises ``NotImplementedError``;
  version 1.11 knows 2004-2026) every day counts as ordinary, i.e. the policy behaves as
  ``keep``; :func:`day_kind` returns ``DayKind.UNKNOWN`` so callers can warn or count it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import chinese_calendar

__all__ = ["DayKind", "HolidayPolicy", "day_kind"]


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
