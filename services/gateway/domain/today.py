"""What the Today page shows a person: deadlines and how long is left.

Pure: given the lists the services answered and the time, it says what needs the
person now. Items are plain dicts from the services' JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.calendar.deadline import review_deadline
from shared.calendar.slots import SlotCalendar, next_slot

__all__ = ["DraftDue", "EnquiryDue", "drafts_due", "enquiries_nearing"]

ENQUIRY_WARN = timedelta(hours=2)


@dataclass(frozen=True)
class DraftDue:
    """A draft not yet with the reviewer, and the deadline of the slot it aims at."""

    draft: Mapping[str, Any]
    slot_at: datetime
    deadline_at: datetime
    seconds_left: float


@dataclass(frozen=True)
class EnquiryDue:
    enquiry: Mapping[str, Any]
    deadline_at: datetime
    seconds_left: float


def _instant(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        return datetime.fromisoformat(value)
    return None


def drafts_due(
    drafts: Sequence[Mapping[str, Any]], *, calendar: SlotCalendar, now: datetime
) -> list[DraftDue]:
    """Drafts being edited or sent back, with the review deadline (10:00 on the push day)
    of their wished slot, else of the next slot whose deadline is still ahead; soonest first."""
    upcoming = next_slot(calendar, now)
    if review_deadline(calendar, upcoming) <= now:
        upcoming = next_slot(calendar, upcoming.at)
    out: list[DraftDue] = []
    for draft in drafts:
        if draft.get("state") not in ("editing", "rejected"):
            continue
        slot_at = _instant(draft.get("wished_slot")) or upcoming.at
        deadline = review_deadline(calendar, slot_at)
        out.append(DraftDue(draft, slot_at, deadline, (deadline - now).total_seconds()))
    return sorted(out, key=lambda d: d.deadline_at)


def enquiries_nearing(
    enquiries: Sequence[Mapping[str, Any]], *, now: datetime, warn: timedelta = ENQUIRY_WARN
) -> list[EnquiryDue]:
    """Open enquiries within ``warn`` of their 12-hour deadline, or past it; soonest first."""
    out: list[EnquiryDue] = []
    for enquiry in enquiries:
        deadline = _instant(enquiry.get("deadline"))
        if enquiry.get("state") != "open" or deadline is None:
            continue
        left = (deadline - now).total_seconds()
        if left <= warn.total_seconds():
            out.append(EnquiryDue(enquiry, deadline, left))
    return sorted(out, key=lambda e: e.deadline_at)
