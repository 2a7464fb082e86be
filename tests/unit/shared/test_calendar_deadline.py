"""The review deadline of a slot: 10:00 on the push day, in the calendar's zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from shared.calendar import SlotCalendar, next_slot, review_deadline

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKEND_BEFORE = datetime(2026, 11, 21, 9, 0, tzinfo=SHANGHAI)


class TestReviewDeadline:
    def test_the_draft_must_reach_review_before_ten_on_the_push_day(self) -> None:
        slot = next_slot(SlotCalendar(), WEEKEND_BEFORE)

        deadline = review_deadline(SlotCalendar(), slot)

        assert deadline == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
        assert deadline.tzinfo is UTC

    def test_the_deadline_time_is_configurable(self) -> None:
        slot = next_slot(SlotCalendar(), WEEKEND_BEFORE)

        deadline = review_deadline(SlotCalendar(), slot, "09:15")

        assert deadline.astimezone(SHANGHAI) == datetime(2026, 11, 23, 9, 15, tzinfo=SHANGHAI)

    def test_a_slot_before_the_deadline_time_is_reviewed_the_day_before(self) -> None:
        policy = SlotCalendar(times=["09:00"])
        slot = next_slot(policy, WEEKEND_BEFORE)

        deadline = review_deadline(policy, slot)

        assert deadline.astimezone(SHANGHAI) == datetime(2026, 11, 22, 10, 0, tzinfo=SHANGHAI)

    def test_the_deadline_follows_local_time_across_dst(self) -> None:
        policy = SlotCalendar(zone="Europe/Berlin")
        slot = next_slot(policy, datetime(2026, 7, 1, tzinfo=UTC))

        assert review_deadline(policy, slot) == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
