"""What the Today page shows a person: deadlines and how long is left, and what they
have not opened yet.

Pure: given the lists the services answered, what the person opened and the time, it
says what needs the person now. Items are plain dicts from the services' JSON.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from shared.accounts import DEFAULT_ACCOUNT
from shared.calendar.deadline import DEFAULT_REVIEW_DEADLINE, review_deadline
from shared.calendar.slots import SlotCalendar, next_slot

__all__ = [
    "AccountRules",
    "DraftDue",
    "EnquiryDue",
    "Unread",
    "WindowClosing",
    "drafts_due",
    "enquiries_nearing",
    "unread",
    "windows_closing",
]

ENQUIRY_WARN = timedelta(hours=2)
WINDOW_WARN = timedelta(hours=6)
"""A feedback window closing within this is shown: its last hours to read and answer."""


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


@dataclass(frozen=True)
class AccountRules:
    """An official account's calendar and review deadline (the draft's account's apply)."""

    calendar: SlotCalendar
    deadline: time = DEFAULT_REVIEW_DEADLINE


def _next_due_slot(rules: AccountRules, now: datetime) -> datetime:
    upcoming = next_slot(rules.calendar, now)
    if review_deadline(rules.calendar, upcoming, rules.deadline) <= now:
        upcoming = next_slot(rules.calendar, upcoming.at)
    return upcoming.at


def drafts_due(
    drafts: Sequence[Mapping[str, Any]],
    *,
    calendar: SlotCalendar,
    now: datetime,
    accounts: Mapping[str, AccountRules] | None = None,
) -> list[DraftDue]:
    """Drafts being edited or sent back, with the review deadline (10:00 on the push day,
    or the draft's account's own) of their wished slot, else of the next slot of the
    account's calendar whose deadline is still ahead; soonest first.

    ``accounts`` gives each account's rules (#12); a draft of an account not in it (or
    without ``account``) goes by ``calendar`` and the 10:00 deadline.
    """
    fallback = AccountRules(calendar)
    rules_of = dict(accounts or {})
    upcoming: dict[str, datetime] = {}
    out: list[DraftDue] = []
    for draft in drafts:
        if draft.get("state") not in ("editing", "rejected"):
            continue
        account = str(draft.get("account") or DEFAULT_ACCOUNT)
        rules = rules_of.get(account, fallback)
        if account not in upcoming:
            upcoming[account] = _next_due_slot(rules, now)
        slot_at = _instant(draft.get("wished_slot")) or upcoming[account]
        deadline = review_deadline(rules.calendar, slot_at, rules.deadline)
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


@dataclass(frozen=True)
class WindowClosing:
    """An open 24-hour feedback window and the time left before it closes."""

    window: Mapping[str, Any]
    ends_at: datetime
    seconds_left: float


def windows_closing(
    windows: Sequence[Mapping[str, Any]], *, now: datetime, within: timedelta = WINDOW_WARN
) -> list[WindowClosing]:
    """Open windows closing within ``within`` from ``now`` (not those already past their
    end: the feedback service is closing them); soonest first."""
    out: list[WindowClosing] = []
    for window in windows:
        ends = _instant(window.get("ends_at"))
        if window.get("state") != "open" or ends is None:
            continue
        left = (ends - now).total_seconds()
        if 0 < left <= within.total_seconds():
            out.append(WindowClosing(window, ends, left))
    return sorted(out, key=lambda w: w.ends_at)


@dataclass(frozen=True)
class Unread:
    """What of a list the person has not opened: the first few and how many in all."""

    items: list[Mapping[str, Any]]
    total: int


def unread(
    items: Sequence[Mapping[str, Any]], opened: set[str], *, key: str, show: int = 5
) -> Unread:
    """The items (newest first, as listed) whose ``key`` is not in ``opened``."""
    left = [item for item in items if str(item.get(key)) not in opened]
    return Unread(left[:show], len(left))
