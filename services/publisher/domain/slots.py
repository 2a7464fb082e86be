"""The publisher's rules about slots: capacity, choosing a post's slot, lateness.

The calendar itself (weekdays, times, zone, holidays, keys) is :mod:`shared.calendar`;
:class:`SlotPolicy` adds what only the publisher decides: how many posts one slot takes.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field

from shared.calendar import (
    HORIZON_DAYS,
    Slot,
    SlotCalendar,
    SlotError,
    iter_slots,
    not_a_slot_reason,
    require_aware,
    slot_for,
)

__all__ = ["Due", "SlotPolicy", "assign_slot", "classify_due", "free_seats"]


class Due(StrEnum):
    """How a publishing attempt at ``now`` relates to its slot."""

    ON_TIME = "on_time"
    LATE_WITHIN_GRACE = "late_within_grace"
    MISSED = "missed"


class SlotPolicy(SlotCalendar):
    """The shared slot calendar plus the publisher's capacity per slot."""

    posts_per_slot: int = Field(default=1, ge=1, le=50, description="Posts one slot may take.")


def assign_slot(
    policy: SlotPolicy,
    wished: datetime | None,
    now: datetime,
    occupied: Mapping[str, int],
    *,
    min_lead: timedelta = timedelta(0),
    strict: bool = True,
) -> Slot:
    """Choose the slot for a post.

    The wished slot when it is a real slot, has room (``occupied[key] < posts_per_slot``)
    and lies after ``now`` by at least ``min_lead``; otherwise the next slot after it that
    does. Without a wish, the first such slot after ``now``. When ``wished`` is not a slot
    at all, ``strict`` (the default) raises ``SlotError`` saying why, so an editor is not
    silently moved; ``strict=False`` takes the next suitable slot at or after ``wished``.
    """
    require_aware(now, "now")
    if min_lead < timedelta(0):
        raise ValueError("min_lead must not be negative")
    start = now
    if wished is not None:
        require_aware(wished, "wished")
        if strict and slot_for(policy, wished) is None:
            raise SlotError(not_a_slot_reason(policy, wished))
        start = max(wished, now)
    for slot in iter_slots(policy, start):
        if (
            slot.at > now
            and slot.at - now >= min_lead
            and occupied.get(slot.key, 0) < policy.posts_per_slot
        ):
            return slot
    raise SlotError(f"no free slot within {HORIZON_DAYS} days after {start.isoformat()}")


def classify_due(
    slot_at: datetime,
    now: datetime,
    grace: timedelta,
    *,
    tolerance: timedelta = timedelta(minutes=1),
) -> Due:
    """Whether publishing at ``now`` is on time, late but within ``grace``, or missed.

    On time up to ``tolerance`` after the slot (timers never fire to the microsecond);
    late within grace up to ``grace`` after it; missed beyond, which the publisher turns
    into ``post.failed`` (code ``missed``) for a person instead of posting at a random hour.
    """
    require_aware(slot_at, "slot_at")
    require_aware(now, "now")
    if grace < timedelta(0) or tolerance < timedelta(0):
        raise ValueError("grace and tolerance must not be negative")
    lateness = now - slot_at
    if lateness <= tolerance:
        return Due.ON_TIME
    if lateness <= grace:
        return Due.LATE_WITHIN_GRACE
    return Due.MISSED


def free_seats(taken: set[int], capacity: int) -> list[int]:
    """The seat numbers of a slot not yet taken (none when it is full)."""
    return [seat for seat in range(capacity) if seat not in taken]
