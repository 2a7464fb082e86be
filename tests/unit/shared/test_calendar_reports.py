"""Periods, fire times and due runs in China time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from shared.calendar import (
    SchedulePolicy,
    biweekly_index,
    biweekly_period,
    custom_period,
    due_runs,
    fire_at,
    monthly_period,
    weekly_period,
)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=UTC)


POLICY = SchedulePolicy(biweekly_anchor=date(2026, 11, 9))


class TestWeekly:
    def test_week_spanning_a_month_end(self) -> None:
        current, previous = weekly_period(date(2026, 12, 7))
        # 2026-11-30 00:00 .. 2026-12-07 00:00 China time
        assert (current.start, current.end) == (utc(2026, 11, 29, 16), utc(2026, 12, 6, 16))
        assert (current.first_day, current.last_day) == (date(2026, 11, 30), date(2026, 12, 6))
        assert current.label == "2026-W49"
        assert (previous.start, previous.end) == (utc(2026, 11, 22, 16), utc(2026, 11, 29, 16))
        assert previous.label == "2026-W48"

    def test_bounds_are_half_open_local_midnights(self) -> None:
        current, previous = weekly_period(date(2026, 12, 7))
        assert current.contains(utc(2026, 11, 29, 16))  # 11-30 00:00 local
        assert not previous.contains(utc(2026, 11, 29, 16))
        assert previous.contains(utc(2026, 11, 29, 15, 59))  # 11-29 23:59 local
        assert not current.contains(utc(2026, 12, 6, 16))

    def test_a_midweek_date_reports_the_week_ending_on_its_monday(self) -> None:
        assert weekly_period(date(2026, 12, 9)) == weekly_period(date(2026, 12, 7))

    def test_week_across_new_year_uses_iso_week(self) -> None:
        current, _ = weekly_period(date(2027, 1, 4))
        assert current.first_day == date(2026, 12, 28)
        assert current.label == "2026-W53"

    def test_other_zone(self) -> None:
        current, _ = weekly_period(date(2026, 12, 7), zone="UTC")
        assert current.start == utc(2026, 11, 30)


class TestMonthly:
    def test_last_calendar_month_and_the_one_before(self) -> None:
        current, previous = monthly_period(date(2026, 12, 1))
        assert (current.start, current.end) == (utc(2026, 10, 31, 16), utc(2026, 11, 30, 16))
        assert current.label == "2026-11"
        assert (previous.start, previous.end) == (utc(2026, 9, 30, 16), utc(2026, 10, 31, 16))
        assert previous.label == "2026-10"

    def test_post_just_after_local_midnight_belongs_to_the_next_month(self) -> None:
        post_at = utc(2026, 11, 30, 16, 30)  # 2026-12-01 00:30 China time
        november, _ = monthly_period(date(2026, 12, 1))
        december, _ = monthly_period(date(2027, 1, 1))
        assert not november.contains(post_at)
        assert december.contains(post_at)
        # ... and to the week of Mon 11-30 .. Mon 12-07
        assert weekly_period(date(2026, 12, 7)).current.contains(post_at)

    def test_year_boundary(self) -> None:
        current, previous = monthly_period(date(2027, 1, 1))
        assert current.label == "2026-12"
        assert current.days == 31
        current, previous = monthly_period(date(2026, 1, 20))
        assert (current.label, previous.label) == ("2025-12", "2025-11")
        assert previous.days == 30


class TestBiweekly:
    def test_fourteen_days_from_the_anchor(self) -> None:
        current, previous = biweekly_period(date(2026, 11, 9), 1)
        assert (current.first_day, current.last_day) == (date(2026, 11, 23), date(2026, 12, 6))
        assert current.start == utc(2026, 11, 22, 16)
        assert (previous.first_day, previous.last_day) == (date(2026, 11, 9), date(2026, 11, 22))
        assert current.days == previous.days == 14

    def test_index_from_a_date(self) -> None:
        anchor = date(2026, 11, 9)
        assert biweekly_index(anchor, date(2026, 11, 9)) == 0
        assert biweekly_index(anchor, date(2026, 11, 22)) == 0
        assert biweekly_index(anchor, date(2026, 11, 23)) == 1
        assert biweekly_index(anchor, date(2026, 11, 8)) == -1


class TestFireTimes:
    def test_weekly_monday_1430_local(self) -> None:
        current, _ = weekly_period(date(2026, 12, 7))
        assert fire_at("weekly", current, POLICY) == utc(2026, 12, 7, 6, 30)

    def test_monthly_first_1430_local(self) -> None:
        current, _ = monthly_period(date(2026, 12, 1))
        assert fire_at("monthly", current, POLICY) == utc(2026, 12, 1, 6, 30)

    def test_biweekly_at_period_end_plus_configured_delay(self) -> None:
        current, _ = biweekly_period(date(2026, 11, 9), 0)
        assert fire_at("biweekly", current, POLICY) == utc(2026, 11, 23, 6, 30)
        later = POLICY.model_copy(update={"biweekly_fire_after": timedelta(days=1, hours=9)})
        assert fire_at("biweekly", current, later) == utc(2026, 11, 24, 1)

    def test_policy_times_are_configurable(self) -> None:
        policy = SchedulePolicy(weekly_fire_time=time(9, 0))
        current, _ = weekly_period(date(2026, 12, 7))
        assert fire_at("weekly", current, policy) == utc(2026, 12, 7, 1)

    def test_bad_policy_is_refused(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            SchedulePolicy(biweekly_fire_after=timedelta(hours=-1))
        with pytest.raises(ValueError, match="unknown time zone"):
            SchedulePolicy(zone="Mars/Olympus")


class TestDueRuns:
    def test_weekly_runs_in_the_window_with_stable_keys(self) -> None:
        runs = due_runs("weekly", POLICY, utc(2026, 11, 30, 6, 30), utc(2026, 12, 14, 6, 30))
        # since is exclusive (W48 fired at 11-30 06:30Z), now is inclusive
        assert [r.key for r in runs] == ["report:weekly:2026-W49", "report:weekly:2026-W50"]
        assert [r.fire_at for r in runs] == [utc(2026, 12, 7, 6, 30), utc(2026, 12, 14, 6, 30)]
        assert runs[0].period == weekly_period(date(2026, 12, 7)).current
        assert runs[0].previous == weekly_period(date(2026, 12, 7)).previous

    def test_consecutive_checks_return_each_period_once(self) -> None:
        ticks = [utc(2026, 11, 1) + timedelta(hours=7 * i) for i in range(0, 400)]
        for kind in ("weekly", "monthly", "biweekly"):
            keys: list[str] = []
            for since, now in zip(ticks, ticks[1:], strict=False):
                keys += [r.key for r in due_runs(kind, POLICY, since, now)]
            whole = [r.key for r in due_runs(kind, POLICY, ticks[0], ticks[-1])]
            assert keys == whole
            assert len(keys) == len(set(keys))

    def test_monthly_and_biweekly_keys(self) -> None:
        since, now = utc(2026, 11, 1), utc(2027, 1, 1, 6, 30)
        assert [r.key for r in due_runs("monthly", POLICY, since, now)] == [
            "report:monthly:2026-10",
            "report:monthly:2026-11",
            "report:monthly:2026-12",
        ]
        # periods before the anchor are aligned to it too: [10-26, 11-09) fires 11-09
        assert [r.key for r in due_runs("biweekly", POLICY, since, utc(2026, 12, 8))] == [
            "report:biweekly:2026-10-26",
            "report:biweekly:2026-11-09",
            "report:biweekly:2026-11-23",
        ]

    def test_not_yet_due_before_1430(self) -> None:
        assert due_runs("weekly", POLICY, utc(2026, 12, 7), utc(2026, 12, 7, 6, 29)) == []
        assert len(due_runs("weekly", POLICY, utc(2026, 12, 7), utc(2026, 12, 7, 6, 30))) == 1

    def test_keys_do_not_depend_on_when_we_look(self) -> None:
        a = due_runs("weekly", POLICY, utc(2026, 12, 1), utc(2026, 12, 8))
        b = due_runs("weekly", POLICY, utc(2026, 12, 7, 6), utc(2027, 1, 1))
        assert a[0].key == b[0].key == "report:weekly:2026-W49"

    def test_catch_up_limit_keeps_the_latest(self) -> None:
        policy = POLICY.model_copy(update={"catch_up_limit": 2})
        runs = due_runs("weekly", policy, utc(2026, 1, 1), utc(2026, 12, 14, 7))
        assert [r.key for r in runs] == ["report:weekly:2026-W49", "report:weekly:2026-W50"]

    def test_empty_or_naive_windows(self) -> None:
        assert due_runs("weekly", POLICY, utc(2026, 12, 8), utc(2026, 12, 7)) == []
        with pytest.raises(ValueError, match="aware"):
            due_runs("weekly", POLICY, datetime(2026, 12, 1), utc(2026, 12, 8))


class TestCustom:
    def test_dates_are_local_and_inclusive(self) -> None:
        current, previous = custom_period(date(2026, 11, 1), date(2026, 11, 15))
        assert (current.start, current.end) == (utc(2026, 10, 31, 16), utc(2026, 11, 15, 16))
        assert current.days == 15
        assert previous.end == current.start
        assert previous.days == 15

    def test_aware_datetimes_are_exclusive_at_the_end(self) -> None:
        current, previous = custom_period(utc(2026, 11, 1, 4), utc(2026, 11, 2, 4))
        assert (current.start, current.end) == (utc(2026, 11, 1, 4), utc(2026, 11, 2, 4))
        assert previous.start == utc(2026, 10, 31, 4)

    @pytest.mark.parametrize(
        ("start", "end", "message"),
        [
            (date(2026, 11, 15), date(2026, 11, 1), "after start"),
            (utc(2026, 11, 1), utc(2026, 11, 1), "after start"),
            (datetime(2026, 11, 1), utc(2026, 11, 2), "aware"),
            (date(2024, 1, 1), date(2026, 1, 1), "at most"),
        ],
    )
    def test_invalid_ranges_are_refused(
        self, start: date | datetime, end: date | datetime, message: str
    ) -> None:
        with pytest.raises(ValueError, match=message):
            custom_period(start, end)
