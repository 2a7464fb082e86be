"""The calendar page's grid, as pure rules: which days a week or month view shows, what
each day is in the statutory calendar (holiday, adjusted workday), and the publisher's
slots placed on their local days.

Slots are the publisher's JSON (``/slots``: ``key``, ``at``, ``local`` in the calendar's
zone, ``capacity``, ``free``, ``posts``); this module never decides what a slot is.
"""

from __future__ import annotations

import calendar as _stdcal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar

from shared.calendar import DayKind, day_kind
from shared.calendar.slots import SlotCalendar

__all__ = [
    "HOLIDAY_NAMES_ZH",
    "View",
    "CalendarGrid",
    "DayCell",
    "build_grid",
    "calendar_rule",
    "range_start",
    "shown_days",
    "step",
]

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


class View(StrEnum):
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class DayCell:
    """One day of the grid: its place in the statutory calendar and its slots."""

    day: date
    in_range: bool
    today: bool
    kind: DayKind
    holiday: str | None
    slots: list[Mapping[str, Any]] = field(default_factory=list)

    @property
    def weekend(self) -> bool:
        return self.day.weekday() >= 5


@dataclass(frozen=True)
class CalendarGrid:
    """The days a view shows, in weeks of seven (Monday first)."""

    view: View
    anchor: date
    first: date
    last: date
    weeks: list[list[DayCell]]

    @property
    def slot_count(self) -> int:
        return sum(len(c.slots) for week in self.weeks for c in week)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def shown_days(view: View, anchor: date) -> tuple[date, date]:
    """First and last day the grid shows: the week of ``anchor``, or the whole weeks
    (Monday to Sunday) covering its month."""
    if view is View.WEEK:
        first = _monday(anchor)
        return first, first + timedelta(days=6)
    month_first = anchor.replace(day=1)
    month_last = anchor.replace(day=_stdcal.monthrange(anchor.year, anchor.month)[1])
    return _monday(month_first), _monday(month_last) + timedelta(days=6)


def step(view: View, anchor: date, direction: int) -> date:
    """The anchor of the previous (-1) or next (+1) week or month."""
    if view is View.WEEK:
        return anchor + timedelta(days=7 * direction)
    month = anchor.month - 1 + direction
    year = anchor.year + month // 12
    return date(year, month % 12 + 1, 1)


def _holiday_name(day: date, lang: str) -> str | None:
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    if name is None:
        return None
    name = str(name)
    if not on_holiday:  # an adjusted working day (调休) of that holiday
        return f"{HOLIDAY_NAMES_ZH.get(name, name)}调休" if lang == "zh-CN" else f"{name} (workday)"
    return HOLIDAY_NAMES_ZH.get(name, name) if lang == "zh-CN" else name


def _local_day(slot: Mapping[str, Any], zone: ZoneInfo) -> date:
    local = slot.get("local") or slot["at"]
    when = datetime.fromisoformat(local) if isinstance(local, str) else local
    if when.tzinfo is None:  # the publisher's ``local`` is already the calendar's wall time
        return when.date()
    return when.astimezone(zone).date()


def build_grid(
    view: View,
    anchor: date,
    slots: Sequence[Mapping[str, Any]],
    *,
    zone: ZoneInfo,
    today: date,
    lang: str,
) -> CalendarGrid:
    """The grid of ``view`` around ``anchor`` with ``slots`` on their local days."""
    first, last = shown_days(view, anchor)
    by_day: dict[date, list[Mapping[str, Any]]] = {}
    for slot in slots:
        by_day.setdefault(_local_day(slot, zone), []).append(slot)
    weeks: list[list[DayCell]] = []
    day = first
    while day <= last:
        week = []
        for _ in range(7):
            in_range = view is View.WEEK or day.month == anchor.month
            kind = day_kind(day)
            week.append(
                DayCell(
                    day=day,
                    in_range=in_range,
                    today=day == today,
                    kind=kind,
                    holiday=_holiday_name(day, lang)
                    if kind in (DayKind.HOLIDAY, DayKind.ADJUSTED_WORKDAY)
                    else None,
                    slots=sorted(by_day.get(day, []), key=lambda s: str(s.get("at"))),
                )
            )
            day += timedelta(days=1)
        weeks.append(week)
    return CalendarGrid(view=view, anchor=anchor, first=first, last=last, weeks=weeks)


def range_start(first: date, zone: ZoneInfo) -> datetime:
    """The instant the grid's first day begins in the calendar's zone."""
    return datetime.combine(first, time(0), tzinfo=zone)


_DAY_NAMES = {
    "zh-CN": ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def calendar_rule(calendar: SlotCalendar, lang: str) -> str:
    """An account's slots as people say them: ``周二、周四 08:00`` / ``Tue, Thu 08:00``."""
    names = _DAY_NAMES.get(lang, _DAY_NAMES["en"])
    days = ("、" if lang == "zh-CN" else ", ").join(names[d] for d in sorted(calendar.weekdays))
    times = ", ".join(t.strftime("%H:%M") for t in sorted(calendar.times))
    return f"{days} {times}"
