"""Choosing a post's slot, its capacity, and lateness of a publishing attempt."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from services.publisher.domain.slots import Due, SlotPolicy, assign_slot, classify_due
from shared.calendar import SlotError

SHANGHAI = ZoneInfo("Asia/Shanghai")
MON = datetime(2026, 11, 23, 11, 30, tzinfo=SHANGHAI)  # a slot
WED = datetime(2026, 11, 25, 11, 30, tzinfo=SHANGHAI)
FRI = datetime(2026, 11, 27, 11, 30, tzinfo=SHANGHAI)
WEEKEND_BEFORE = datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI)


def key(at: datetime) -> str:
    return "publish:" + at.isoformat(timespec="minutes")


class TestAssignSlot:
    def test_a_free_wished_slot_is_granted(self) -> None:
        slot = assign_slot(SlotPolicy(), MON, WEEKEND_BEFORE, {})

        assert slot.at == MON.astimezone(UTC)
        assert slot.key == "publish:2026-11-23T11:30+08:00"

    def test_an_occupied_wished_slot_moves_to_the_next_free_one(self) -> None:
        occupied = {key(MON): 1, key(WED): 1}

        slot = assign_slot(SlotPolicy(), MON, WEEKEND_BEFORE, occupied)

        assert slot.at == FRI

    def test_a_slot_with_capacity_two_takes_a_second_post(self) -> None:
        policy = SlotPolicy(posts_per_slot=2)

        assert assign_slot(policy, MON, WEEKEND_BEFORE, {key(MON): 1}).at == MON
        assert assign_slot(policy, MON, WEEKEND_BEFORE, {key(MON): 2}).at == WED

    def test_a_wished_slot_in_the_past_moves_to_the_next_after_now(self) -> None:
        now = datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI)

        assert assign_slot(SlotPolicy(), MON, now, {}).at == WED

    def test_a_slot_at_exactly_now_is_no_longer_ahead(self) -> None:
        assert assign_slot(SlotPolicy(), MON, MON, {}).at == WED

    def test_a_late_submission_misses_a_slot_inside_the_lead_time(self) -> None:
        now = datetime(2026, 11, 23, 10, 15, tzinfo=SHANGHAI)

        assert assign_slot(SlotPolicy(), MON, now, {}, min_lead=timedelta(hours=1)).at == MON
        assert assign_slot(SlotPolicy(), MON, now, {}, min_lead=timedelta(hours=2)).at == WED

    def test_without_a_wish_the_first_free_slot_after_now_is_taken(self) -> None:
        slot = assign_slot(SlotPolicy(), None, WEEKEND_BEFORE, {key(MON): 1})

        assert slot.at == WED

    def test_a_wish_that_is_not_a_slot_is_refused_by_default(self) -> None:
        tuesday = datetime(2026, 11, 24, 11, 30, tzinfo=SHANGHAI)

        with pytest.raises(SlotError, match="slots are on Mon, Wed, Fri"):
            assign_slot(SlotPolicy(), tuesday, WEEKEND_BEFORE, {})
        with pytest.raises(SlotError, match="slots are at 11:30"):
            assign_slot(SlotPolicy(), MON.replace(hour=9), WEEKEND_BEFORE, {})

    def test_a_wish_that_is_not_a_slot_can_take_the_next_one(self) -> None:
        tuesday = datetime(2026, 11, 24, 11, 30, tzinfo=SHANGHAI)

        slot = assign_slot(SlotPolicy(), tuesday, WEEKEND_BEFORE, {}, strict=False)

        assert slot.at == WED

    def test_a_wish_on_a_skipped_holiday_says_so(self) -> None:
        national_day = datetime(2026, 10, 2, 11, 30, tzinfo=SHANGHAI)
        now = datetime(2026, 9, 1, tzinfo=UTC)

        with pytest.raises(SlotError, match="statutory holiday"):
            assign_slot(SlotPolicy(holiday_policy="skip"), national_day, now, {})
        assert assign_slot(SlotPolicy(), national_day, now, {}).at == national_day

    def test_naive_times_and_negative_lead_are_refused(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            assign_slot(SlotPolicy(), None, datetime(2026, 11, 20), {})
        with pytest.raises(ValueError, match="timezone-aware"):
            assign_slot(SlotPolicy(), datetime(2026, 11, 23, 11, 30), WEEKEND_BEFORE, {})
        with pytest.raises(ValueError, match="min_lead"):
            assign_slot(SlotPolicy(), None, WEEKEND_BEFORE, {}, min_lead=timedelta(-1))

    def test_the_wished_time_may_be_given_in_any_zone(self) -> None:
        wished = MON.astimezone(ZoneInfo("America/New_York"))

        assert assign_slot(SlotPolicy(), wished, WEEKEND_BEFORE, {}).at == MON


class TestSlotPolicy:
    def test_one_post_per_slot_by_default(self) -> None:
        assert SlotPolicy().posts_per_slot == 1

    def test_a_slot_takes_at_least_one_post(self) -> None:
        with pytest.raises(ValidationError):
            SlotPolicy(posts_per_slot=0)


class TestClassifyDue:
    GRACE = timedelta(minutes=30)

    @pytest.mark.parametrize(
        ("delay", "expected"),
        [
            (timedelta(minutes=-5), Due.ON_TIME),
            (timedelta(0), Due.ON_TIME),
            (timedelta(seconds=45), Due.ON_TIME),
            (timedelta(minutes=2), Due.LATE_WITHIN_GRACE),
            (timedelta(minutes=30), Due.LATE_WITHIN_GRACE),
            (timedelta(minutes=31), Due.MISSED),
            (timedelta(days=2), Due.MISSED),
        ],
    )
    def test_lateness_is_classified_against_the_grace(
        self, delay: timedelta, expected: Due
    ) -> None:
        assert classify_due(MON, MON + delay, self.GRACE) is expected

    def test_the_on_time_tolerance_is_configurable(self) -> None:
        late = MON + timedelta(seconds=10)

        assert classify_due(MON, late, self.GRACE, tolerance=timedelta(0)) is Due.LATE_WITHIN_GRACE

    def test_zero_grace_means_late_is_missed(self) -> None:
        assert classify_due(MON, MON + timedelta(minutes=5), timedelta(0)) is Due.MISSED

    def test_bad_arguments_are_refused(self) -> None:
        with pytest.raises(ValueError, match="negative"):
            classify_due(MON, MON, timedelta(minutes=-1))
        with pytest.raises(ValueError, match="timezone-aware"):
            classify_due(MON.replace(tzinfo=None), MON, self.GRACE)
