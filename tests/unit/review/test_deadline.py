"""The 10:00 deadline, the cut-off and the late policy, whatever the server's time zone."""

from __future__ import annotations

import os
import time as systime
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.review.domain.deadline import LatePolicy, ReviewCalendar, SlotAction, decide_slot

SHANGHAI = ZoneInfo("Asia/Shanghai")
CAL = ReviewCalendar()  # Mon/Wed/Fri 11:30 Asia/Shanghai, deadline 10:00, cut-off 11:00
MON = datetime(2026, 11, 23, 11, 30, tzinfo=SHANGHAI)  # a slot: 03:30 UTC
WED = datetime(2026, 11, 25, 11, 30, tzinfo=SHANGHAI)
FRI = datetime(2026, 11, 27, 11, 30, tzinfo=SHANGHAI)
NEXT_MON = datetime(2026, 11, 30, 11, 30, tzinfo=SHANGHAI)


def cst(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant in November 2026, China time."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True, params=["UTC", "America/Los_Angeles", "Pacific/Kiritimati"])
def server_zone(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run every test with the server's own TZ set to UTC and to far-away zones."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    systime.tzset()
    yield request.param
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    systime.tzset()


class TestCalendar:
    def test_deadline_and_cutoff_are_on_the_slots_day_in_china_time(self) -> None:
        assert CAL.deadline_for(MON) == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
        assert CAL.cutoff_for(MON) == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)

    def test_slot_key_names_the_local_time_with_its_offset(self) -> None:
        assert CAL.key(MON.astimezone(UTC)) == "2026-11-23T11:30+08:00"

    def test_the_first_open_slot_is_todays_until_ten_then_the_next(self) -> None:
        assert CAL.first_open_slot(cst(23, 9, 59, 59)) == MON
        assert CAL.first_open_slot(cst(23, 10, 0)) == WED

    def test_friday_after_ten_opens_next_monday_across_the_weekend(self) -> None:
        assert CAL.first_open_slot(cst(27, 10, 1)) == NEXT_MON

    def test_a_utc_sunday_evening_is_already_monday_morning_in_china(self) -> None:
        sunday_utc = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # Monday 04:00 in Shanghai
        assert CAL.first_open_slot(sunday_utc) == MON

    def test_a_slot_keeps_its_wall_clock_time_across_a_dst_change(self) -> None:
        berlin = ReviewCalendar(zone="Europe/Berlin")
        friday = datetime(2026, 10, 23, 12, 0, tzinfo=UTC)  # after Friday's slot
        monday = berlin.first_open_slot(friday)
        assert monday == datetime(2026, 10, 26, 10, 30, tzinfo=UTC)  # 11:30 CET
        assert berlin.deadline_for(monday) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
        summer = berlin.slot_at_or_after(datetime(2026, 10, 23, 0, 0, tzinfo=UTC))
        assert summer == datetime(2026, 10, 23, 9, 30, tzinfo=UTC)  # 11:30 CEST

    def test_naive_instants_are_refused(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            CAL.first_open_slot(datetime(2026, 11, 23, 9, 0))

    def test_deadline_must_come_before_the_cutoff_and_the_cutoff_before_the_slot(self) -> None:
        with pytest.raises(ValueError, match="deadline < cutoff < first slot"):
            ReviewCalendar(deadline=time(11, 0), cutoff=time(10, 0))
        with pytest.raises(ValueError, match="deadline < cutoff < first slot"):
            ReviewCalendar(cutoff=time(11, 45))

    def test_unknown_zone_is_refused(self) -> None:
        with pytest.raises(ValueError, match="unknown time zone"):
            ReviewCalendar(zone="Asia/Atlantis")


class TestLatePolicy:
    def test_a_draft_reaching_review_before_ten_keeps_its_slot(self) -> None:
        decision = decide_slot(
            CAL, wished=MON, arrived=cst(23, 9, 59, 59), policy=LatePolicy.NEXT_SLOT
        )

        assert decision.slot == MON
        assert not decision.late
        assert decision.action is SlotAction.ON_TIME
        assert decision.deadline == cst(23, 10, 0)
        assert decision.cutoff == cst(23, 11, 0)

    def test_late_submission_moves_to_next_slot(self) -> None:
        decision = decide_slot(CAL, wished=MON, arrived=cst(23, 10, 0), policy=LatePolicy.NEXT_SLOT)

        assert decision.late
        assert decision.action is SlotAction.MOVED
        assert decision.requested == MON
        assert decision.slot == WED
        assert decision.deadline == cst(25, 10, 0)
        assert "10:00 deadline of 2026-11-23T11:30+08:00" in decision.describe(CAL)
        assert "2026-11-25T11:30+08:00" in decision.describe(CAL)

    def test_late_on_friday_moves_to_monday(self) -> None:
        decision = decide_slot(
            CAL, wished=FRI, arrived=cst(27, 10, 30), policy=LatePolicy.NEXT_SLOT
        )

        assert decision.slot == NEXT_MON
        assert decision.late

    def test_a_wish_for_a_slot_long_past_is_late_and_moves_to_the_next_open_one(self) -> None:
        decision = decide_slot(
            CAL, wished=MON - timedelta(days=7), arrived=cst(23, 8, 0), policy=LatePolicy.NEXT_SLOT
        )

        assert decision.late
        assert decision.slot == MON

    def test_keep_policy_keeps_the_slot_but_flags_it_late(self) -> None:
        decision = decide_slot(CAL, wished=MON, arrived=cst(23, 10, 5), policy=LatePolicy.KEEP)

        assert decision.slot == MON
        assert decision.late
        assert decision.action is SlotAction.KEPT

    def test_reject_policy_rejects_a_late_draft(self) -> None:
        decision = decide_slot(CAL, wished=MON, arrived=cst(23, 10, 5), policy=LatePolicy.REJECT)

        assert decision.action is SlotAction.REJECTED
        assert decision.late
        assert "rejected by policy" in decision.describe(CAL)

    def test_without_a_wish_the_first_open_slot_is_taken_and_never_late(self) -> None:
        decision = decide_slot(CAL, wished=None, arrived=cst(23, 10, 30), policy=LatePolicy.REJECT)

        assert decision.slot == WED
        assert not decision.late
        assert decision.requested is None

    def test_a_wish_that_is_no_slot_means_the_first_slot_after_it(self) -> None:
        tuesday = cst(24, 9, 0)
        decision = decide_slot(CAL, wished=tuesday, arrived=cst(23, 12, 0), policy=LatePolicy.KEEP)

        assert decision.slot == WED
        assert not decision.late

    def test_the_deadline_is_judged_in_china_time_when_utc_days_differ(self) -> None:
        # Sunday 18:30 UTC is Monday 02:30 in Shanghai: on time for Monday's slot.
        arrived = datetime(2026, 11, 22, 18, 30, tzinfo=UTC)
        decision = decide_slot(CAL, wished=MON, arrived=arrived, policy=LatePolicy.NEXT_SLOT)
        assert not decision.late
        # Monday 02:00 UTC is 10:00 in Shanghai: late.
        arrived = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
        decision = decide_slot(CAL, wished=MON, arrived=arrived, policy=LatePolicy.NEXT_SLOT)
        assert decision.late
        assert decision.slot == WED

    def test_a_configured_deadline_and_zone_are_honoured(self) -> None:
        calendar = ReviewCalendar(
            zone="Europe/London",
            weekdays=(1,),
            slot_times=(time(18, 0),),
            deadline=time(12, 0),
            cutoff=time(17, 0),
        )
        tuesday = datetime(2026, 11, 24, 18, 0, tzinfo=ZoneInfo("Europe/London"))
        on_time = decide_slot(
            calendar,
            wished=tuesday,
            arrived=datetime(2026, 11, 24, 11, 59, tzinfo=UTC),
            policy=LatePolicy.NEXT_SLOT,
        )
        late = decide_slot(
            calendar,
            wished=tuesday,
            arrived=datetime(2026, 11, 24, 12, 0, tzinfo=UTC),
            policy=LatePolicy.NEXT_SLOT,
        )
        assert (on_time.late, on_time.slot) == (False, tuesday)
        assert (late.late, late.slot) == (True, tuesday + timedelta(days=7))
