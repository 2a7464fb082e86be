"""The review deadline of a slot: when its draft must have reached review."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from shared.calendar.slots import Slot, SlotCalendar, require_aware

__all__ = ["DEFAULT_REVIEW_DEADLINE", "review_deadline"]

DEFAULT_REVIEW_DEADLINE = time(10, 0)
"""The plan: a draft reaches review before 10:00 on its push day."""


def review_deadline(
    calendar: SlotCalendar,
    slot: Slot | datetime,
    deadline_time: time | str = DEFAULT_REVIEW_DEADLINE,
) -> datetime:
    """When the draft for ``slot`` must reach review (exclusive, aware UTC).

    ``deadline_time`` local on the slot's day (the plan: before 10:00 on the push day). If
    that is not before the slot (a slot at or before that time), it is the day before.
    """
    when = deadline_time if isinstance(deadline_time, time) else time.fromisoformat(deadline_time)
    at = slot.at if isinstance(slot, Slot) else slot
    require_aware(at, "slot")
    tz = calendar.tz
    day = at.astimezone(tz).date()
    deadline = datetime.combine(day, when, tzinfo=tz).astimezone(UTC)
    if deadline >= at:
        deadline = datetime.combine(day - timedelta(days=1), when, tzinfo=tz).astimezone(UTC)
    return deadline
