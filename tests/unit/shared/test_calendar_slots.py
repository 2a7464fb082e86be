"""The shared slot calendar: weekly rhythm, zones, DST, holidays and keys."""

from __future__ import annotations

import os
import time as time_module
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from shared.calendar import (
    DayKind,
    HolidayPolicy,
    SlotCalendar,
    SlotError,
    day_kind,
    next_slot,
    parse_slot_key,
    parse_times,
    parse_weekdays,
    slot_for,
    slots_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
YEAR_2026 = (datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))


@contextmanager
def server_tz(name: str) -> Iterator[None]:
    """Run the block with the process's local time zone set to ``name``."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = name
    time_module.tzset()
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = saved
        time_module.tzset()


@pytest.fixture(params=["UTC", "America/New_York", "Pacific/Kiritimati"])
def server_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    with server_tz(request.param):
        yield request.param


def local_days(policy: SlotCalendar, start: date, end: date) -> list[str]:
    since = datetime.combine(start, time(), tzinfo=policy.tz)
    until = datetime.combine(end, time(), tzinfo=policy.tz)
    return [s.local.date().isoformat() for s in slots_between(policy, since, until)]


class TestWeeklyRhythm:
    def test_a_year_has_three_slots_every_week_all_at_0330_utc(self, server_zone: str) -> None:
        slots = slots_between(SlotCalendar(), *YEAR_2026)

        assert len(slots) == 156
        weeks = Counter(s.local.isocalendar()[:2] for s in slots)
        full_weeks = [n for (year, week), n in weeks.items() if year == 2026 and 1 < week < 53]
        assert set(full_weeks) == {3}
        assert {(s.at.hour, s.at.minute) for s in slots} == {(3, 30)}
        assert {s.at.utcoffset() for s in slots} == {timedelta(0)}
        assert {s.local.weekday() for s in slots} == {0, 2, 4}
        assert {s.local.strftime("%H:%M%z") for s in slots} == {"11:30+0800"}

    def test_results_do_not_depend_on_the_server_time_zone(self) -> None:
        results = []
        offsets = {"UTC": 0, "America/Los_Angeles": -8 * 3600, "Asia/Kolkata": 19800}
        for zone, offset in offsets.items():
            with server_tz(zone):
                assert time_module.localtime(0).tm_gmtoff == offset  # the switch took effect
                slots = slots_between(SlotCalendar(), *YEAR_2026)
                results.append([(s.key, s.at, s.local) for s in slots])
        assert all(r == results[0] for r in results)

    def test_slots_are_keyed_by_local_time_with_offset(self) -> None:
        slot = next_slot(SlotCalendar(), datetime(2026, 11, 22, tzinfo=UTC))

        assert slot.key == "publish:2026-11-23T11:30+08:00"
        assert slot.at == datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
        assert slot.local == datetime(2026, 11, 23, 11, 30, tzinfo=SHANGHAI)
        assert slot.day == date(2026, 11, 23)

    def test_range_is_half_open_and_ordered(self) -> None:
        monday = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
        wednesday = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)

        slots = slots_between(SlotCalendar(), monday, wednesday)

        assert [s.at for s in slots] == [monday]
        assert slots_between(SlotCalendar(), wednesday, monday) == []

    def test_next_slot_is_strictly_after_unless_inclusive(self) -> None:
        monday = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)

        assert next_slot(SlotCalendar(), monday).key == "publish:2026-11-25T11:30+08:00"
        assert next_slot(SlotCalendar(), monday, inclusive=True).at == monday

    def test_several_times_a_day_are_all_slots(self) -> None:
        policy = SlotCalendar(weekdays=["tue"], times=["18:00", "08:00"])
        since = datetime(2026, 11, 23, tzinfo=UTC)

        slots = slots_between(policy, since, since + timedelta(days=7))

        assert [s.local.strftime("%a %H:%M") for s in slots] == ["Tue 08:00", "Tue 18:00"]

    def test_naive_datetimes_are_refused(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            slots_between(SlotCalendar(), datetime(2026, 1, 1), YEAR_2026[1])
        with pytest.raises(ValueError, match="timezone-aware"):
            next_slot(SlotCalendar(), datetime(2026, 1, 1))


class TestPolicy:
    def test_weekdays_and_times_parse_from_configuration_text(self) -> None:
        assert parse_weekdays("mon, wed,Friday") == (0, 2, 4)
        assert parse_weekdays("0 2 4") == (0, 2, 4)
        assert parse_times("18:00, 11:30") == (time(11, 30), time(18, 0))
        with pytest.raises(ValueError, match="not a weekday"):
            parse_weekdays("mon,funday")
        with pytest.raises(ValueError, match="11:30"):
            parse_times("half past eleven")

    def test_defaults_follow_the_operations_plan(self) -> None:
        policy = SlotCalendar()

        assert policy.weekdays == (0, 2, 4)
        assert policy.times == (time(11, 30),)
        assert policy.zone == "Asia/Shanghai"
        assert policy.holiday_policy is HolidayPolicy.KEEP

    def test_weekday_names_and_strings_are_accepted(self) -> None:
        assert SlotCalendar(weekdays="Fri, mon wednesday").weekdays == (0, 2, 4)
        assert SlotCalendar(weekdays=[6, "sat"]).weekdays == (5, 6)

    @pytest.mark.parametrize(
        "bad",
        [
            {"weekdays": []},
            {"weekdays": ["someday"]},
            {"weekdays": [7]},
            {"zone": "Mars/Olympus"},
            {"times": []},
            {"holiday_policy": "sometimes"},
        ],
    )
    def test_invalid_policies_are_rejected(self, bad: dict[str, object]) -> None:
        with pytest.raises(ValidationError):
            SlotCalendar.model_validate(bad)


class TestDaylightSaving:
    def test_berlin_slots_stay_at_local_1130_across_both_changes(self) -> None:
        policy = SlotCalendar(zone="Europe/Berlin")
        since = datetime(2026, 3, 23, tzinfo=UTC)
        spring = slots_between(policy, since, since + timedelta(days=10))
        since = datetime(2026, 10, 19, tzinfo=UTC)
        autumn = slots_between(policy, since, since + timedelta(days=10))

        for slot in spring + autumn:
            assert slot.local.strftime("%H:%M") == "11:30"
        assert [(s.local.strftime("%m-%d"), s.at.hour) for s in spring] == [
            ("03-23", 10),
            ("03-25", 10),
            ("03-27", 10),
            ("03-30", 9),
            ("04-01", 9),
        ]
        assert [(s.local.strftime("%m-%d"), s.at.hour) for s in autumn] == [
            ("10-19", 9),
            ("10-21", 9),
            ("10-23", 9),
            ("10-26", 10),
            ("10-28", 10),
        ]
        assert spring[3].key == "publish:2026-03-30T11:30+02:00"

    def test_a_time_in_the_spring_gap_moves_forward_by_the_gap(self) -> None:
        policy = SlotCalendar(zone="Europe/Berlin", weekdays=["sun"], times=["02:30"])

        slot = next_slot(policy, datetime(2026, 3, 28, tzinfo=UTC))

        assert slot.at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
        assert slot.key == "publish:2026-03-29T03:30+02:00"

    def test_a_repeated_autumn_time_is_its_first_occurrence(self) -> None:
        policy = SlotCalendar(zone="Europe/Berlin", weekdays=["sun"], times=["02:30"])

        slot = next_slot(policy, datetime(2026, 10, 24, tzinfo=UTC))

        assert slot.at == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
        assert slot.key == "publish:2026-10-25T02:30+02:00"


class TestHolidays:
    """National Day 2026: Oct 1-7 off, Saturday Oct 10 an adjusted working day."""

    def test_the_installed_calendar_knows_national_day_2026(self) -> None:
        assert day_kind(date(2026, 10, 2)) is DayKind.HOLIDAY
        assert day_kind(date(2026, 10, 3)) is DayKind.HOLIDAY  # weekend inside the break
        assert day_kind(date(2026, 10, 10)) is DayKind.ADJUSTED_WORKDAY
        assert day_kind(date(2026, 10, 11)) is DayKind.ORDINARY  # plain Sunday
        assert day_kind(date(2026, 10, 12)) is DayKind.ORDINARY

    def test_keep_publishes_through_the_break(self) -> None:
        days = local_days(SlotCalendar(), date(2026, 9, 28), date(2026, 10, 13))

        assert days == [
            "2026-09-28",
            "2026-09-30",
            "2026-10-02",
            "2026-10-05",
            "2026-10-07",
            "2026-10-09",
            "2026-10-12",
        ]

    def test_skip_drops_the_slots_on_holidays(self) -> None:
        policy = SlotCalendar(holiday_policy="skip")

        days = local_days(policy, date(2026, 9, 28), date(2026, 10, 13))

        assert days == ["2026-09-28", "2026-09-30", "2026-10-09", "2026-10-12"]

    def test_adjusted_workdays_become_publishing_days(self) -> None:
        policy = SlotCalendar(holiday_policy=HolidayPolicy.SKIP_AND_USE_ADJUSTED_WORKDAYS)

        days = local_days(policy, date(2026, 9, 28), date(2026, 10, 13))

        assert days == ["2026-09-28", "2026-09-30", "2026-10-09", "2026-10-10", "2026-10-12"]

    def test_skip_removes_only_holiday_slots_over_the_year(self) -> None:
        keep = slots_between(SlotCalendar(), *YEAR_2026)
        skip = slots_between(SlotCalendar(holiday_policy="skip"), *YEAR_2026)

        dropped = {s.day for s in keep} - {s.day for s in skip}
        assert dropped
        assert {day_kind(d) for d in dropped} == {DayKind.HOLIDAY}
        assert {s.day for s in skip} <= {s.day for s in keep}

    def test_years_without_holiday_data_are_treated_as_keep(self) -> None:
        start, end = datetime(2099, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        keep = slots_between(SlotCalendar(), start, end)

        for policy in HolidayPolicy:
            assert slots_between(SlotCalendar(holiday_policy=policy), start, end) == keep
        assert day_kind(date(2099, 10, 1)) is DayKind.UNKNOWN


class TestSlotLookup:
    def test_slot_for_finds_exact_slots_only(self) -> None:
        at = datetime(2026, 11, 23, 11, 30, tzinfo=SHANGHAI)

        found = slot_for(SlotCalendar(), at)
        assert found is not None
        assert found.at == at.astimezone(UTC)
        assert slot_for(SlotCalendar(), at + timedelta(minutes=1)) is None
        assert slot_for(SlotCalendar(), at + timedelta(days=1)) is None

    def test_a_key_parses_back_to_its_slot(self) -> None:
        slot = next_slot(SlotCalendar(zone="Europe/Berlin"), datetime(2026, 7, 1, tzinfo=UTC))

        assert parse_slot_key(SlotCalendar(zone="Europe/Berlin"), slot.key) == slot

    @pytest.mark.parametrize(
        "key",
        [
            "2026-11-23T11:30+08:00",
            "publish:yesterday",
            "publish:2026-11-23T11:30",
            "publish:2026-11-24T11:30+08:00",
        ],
    )
    def test_bad_keys_are_refused(self, key: str) -> None:
        with pytest.raises(SlotError):
            parse_slot_key(SlotCalendar(), key)
