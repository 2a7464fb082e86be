"""Review's rules on the shared calendar: the cut-off and the late policy.

Pure and synchronous; correct whatever the server's own time zone. The plan: posts go
out Monday, Wednesday and Friday at 11:30 China time, and a post must reach the reviewer
**before 10:00** on its day. A draft for slot ``S`` (local day ``D``)::

    ... ─── deadline (D 10:00) ─── cut-off (D 11:00) ─── slot (D 11:30) ───►
        submitted before: on time   still not approved: reported overdue

* The slots and the deadline are the one calendar of :mod:`shared.calendar` (the
  publisher's, without its holiday policy: holidays and capacity are the publisher's
  business, it has the final say on the slot, see ``DraftApproved.slot``).
  ``cutoff_for(S)`` is review's own: that local time on the slot's day.
* A submission is **late** when it arrives at or after the deadline of the slot wished
  for. :func:`decide_slot` applies the :class:`LatePolicy`: ``next_slot`` moves it to the
  first slot whose deadline is still ahead, ``keep`` keeps the wished slot (flagged),
  ``reject`` rejects it. Without a wish the draft takes the first slot whose deadline is
  still ahead, which is never late.
* A wish that is not a slot (an editor typed 11:00) is read as the first slot at or after
  it.

Slot names (``2026-11-23T11:30+08:00``) are the publisher's slot keys without the
``publish:`` prefix, so people can match them.

Each official account (#12) has its own :class:`ReviewCalendar` (:class:`ReviewCalendars`):
a talent account on Tue/Thu 08:00 with a 07:00 deadline is cut off at 07:30
(:func:`fitting_cutoff`), while the default account keeps Mon/Wed/Fri 11:30, 10:00, 11:00.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from shared.accounts import DEFAULT_ACCOUNT, UnknownAccount
from shared.calendar import (
    DEFAULT_REVIEW_DEADLINE,
    HORIZON_DAYS,
    SlotCalendar,
    iter_slots,
    require_aware,
    review_deadline,
)

__all__ = [
    "LatePolicy",
    "ReviewCalendar",
    "ReviewCalendars",
    "SlotAction",
    "SlotDecision",
    "decide_slot",
    "fitting_cutoff",
]


class LatePolicy(StrEnum):
    """What happens to a draft that reaches review after its slot's deadline."""

    NEXT_SLOT = "next_slot"
    KEEP = "keep"
    REJECT = "reject"


class SlotAction(StrEnum):
    """What :func:`decide_slot` did with the wished slot."""

    ON_TIME = "on_time"  # the wished slot (or the first open one) stands
    MOVED = "moved"  # late: moved to the next slot whose deadline is ahead
    KEPT = "kept"  # late: kept its slot, flagged
    REJECTED = "rejected"  # late: rejected by policy


@dataclass(frozen=True)
class ReviewCalendar:
    """The shared slot calendar seen by review: its deadline and review's cut-off."""

    zone: str = "Asia/Shanghai"
    weekdays: tuple[int, ...] = (0, 2, 4)
    slot_times: tuple[time, ...] = (time(11, 30),)
    deadline: time = DEFAULT_REVIEW_DEADLINE
    cutoff: time = time(11, 0)
    slots: SlotCalendar = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.weekdays:
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        if not self.slot_times:
            raise ValueError("at least one slot time is needed")
        # Validates the zone, weekdays and times (a pydantic ValidationError is a ValueError).
        calendar = SlotCalendar(weekdays=self.weekdays, times=self.slot_times, zone=self.zone)
        object.__setattr__(self, "slots", calendar)
        # Keeping deadline < cut-off < every slot on the same local day is what the plan
        # describes, and it keeps every instant of one slot on one calendar day.
        if not self.deadline < self.cutoff < min(self.slot_times):
            raise ValueError(
                f"need deadline < cutoff < first slot time, got {self.deadline:%H:%M}, "
                f"{self.cutoff:%H:%M}, {min(self.slot_times):%H:%M}"
            )

    @classmethod
    def of(
        cls,
        slots: SlotCalendar,
        *,
        deadline: time = DEFAULT_REVIEW_DEADLINE,
        cutoff: time = time(11, 0),
    ) -> ReviewCalendar:
        """Review's view of the shared ``slots`` calendar (its holiday policy is ignored)."""
        return cls(
            zone=slots.zone,
            weekdays=slots.weekdays,
            slot_times=slots.times,
            deadline=deadline,
            cutoff=cutoff,
        )

    @property
    def tz(self) -> ZoneInfo:
        return self.slots.tz

    def local(self, instant: datetime) -> datetime:
        """``instant`` on the calendar's wall clock."""
        require_aware(instant, "instant")
        return instant.astimezone(self.tz)

    def slots_from(self, start: datetime) -> Iterator[datetime]:
        """Slot instants (aware UTC) at or after ``start``, in order."""
        return (slot.at for slot in iter_slots(self.slots, start))

    def slot_at_or_after(self, when: datetime) -> datetime:
        """The first slot at or after ``when`` (``when`` itself when it is a slot)."""
        for at in self.slots_from(when):
            return at
        raise ValueError(f"no slot within {HORIZON_DAYS} days after {when.isoformat()}")

    def deadline_for(self, slot: datetime) -> datetime:
        """When a draft for ``slot`` must have reached review (exclusive), aware UTC."""
        return review_deadline(self.slots, slot, self.deadline)

    def cutoff_for(self, slot: datetime) -> datetime:
        """When a draft for ``slot`` still not approved is reported overdue, aware UTC."""
        local = datetime.combine(self.local(slot).date(), self.cutoff, tzinfo=self.tz)
        return local.astimezone(UTC)  # a time in a DST gap comes out shifted forward

    def first_open_slot(self, now: datetime) -> datetime:
        """The first slot whose deadline is still ahead of ``now``."""
        for at in self.slots_from(now):
            if now < self.deadline_for(at):
                return at
        raise ValueError(f"no open slot within {HORIZON_DAYS} days after {now.isoformat()}")

    def key(self, slot: datetime) -> str:
        """A readable, stable name of the slot: ``2026-11-23T11:30+08:00``."""
        return self.local(slot).isoformat(timespec="minutes")


def fitting_cutoff(*, deadline: time, first_slot: time, preferred: time, lead: timedelta) -> time:
    """The cut-off of an account whose calendar is not the one ``REVIEW_CUTOFF`` was set for.

    ``preferred`` (``REVIEW_CUTOFF``) when it lies after the account's ``deadline`` and
    before its ``first_slot`` time; else ``lead`` before the first slot (the service's
    cut-off's distance from the default account's slot: 11:00 before 11:30 is 30 min, so
    a Tue/Thu 08:00 account with a 07:00 deadline is reported overdue at 07:30) when that
    is still after the deadline; else halfway between the deadline and the first slot.
    """
    if deadline < preferred < first_slot:
        return preferred
    day = date(2000, 1, 3)  # any day: wall-clock arithmetic only
    slot_at = datetime.combine(day, first_slot)
    deadline_at = datetime.combine(day, deadline)
    ahead = slot_at - lead
    if deadline_at < ahead < slot_at and ahead.date() == day:
        return ahead.time()
    return (deadline_at + (slot_at - deadline_at) / 2).time()


@dataclass(frozen=True)
class ReviewCalendars:
    """Each account's :class:`ReviewCalendar`, by account id (#12).

    Every review is for a slot of its own account's calendar, with that account's
    deadline and cut-off; the default account's is the one of today's settings.
    """

    by_account: Mapping[str, ReviewCalendar]

    def __post_init__(self) -> None:
        if DEFAULT_ACCOUNT not in self.by_account:
            raise ValueError(f"the account {DEFAULT_ACCOUNT!r} needs a calendar")

    @classmethod
    def single(cls, calendar: ReviewCalendar) -> ReviewCalendars:
        """A deployment of one account (``default``) on ``calendar``."""
        return cls({DEFAULT_ACCOUNT: calendar})

    def of(self, account: str) -> ReviewCalendar:
        """The calendar of ``account`` (:class:`UnknownAccount` when there is none)."""
        try:
            return self.by_account[account]
        except KeyError:
            raise UnknownAccount(account) from None

    def shown(self, account: str) -> ReviewCalendar:
        """The calendar to show a review of ``account`` on: its own, or the default's for
        an account no longer listed (its stored slot and deadline still hold)."""
        return self.by_account.get(account) or self.default

    @property
    def default(self) -> ReviewCalendar:
        """The default account's calendar."""
        return self.by_account[DEFAULT_ACCOUNT]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.by_account)

    def __contains__(self, account: object) -> bool:
        return account in self.by_account


@dataclass(frozen=True)
class SlotDecision:
    """The slot a review is for, its deadline and cut-off, and whether it came late."""

    requested: datetime | None  # the slot wished for (a wish that is no slot, normalised)
    slot: datetime
    deadline: datetime
    cutoff: datetime
    late: bool
    action: SlotAction

    def describe(self, calendar: ReviewCalendar) -> str:
        """One line for people: what happened and why."""
        slot = calendar.key(self.slot)
        if not self.late:
            return f"on time for {slot}"
        requested = self.requested or self.slot
        deadline = calendar.local(calendar.deadline_for(requested))
        why = f"reached review after the {deadline:%H:%M} deadline of {calendar.key(requested)}"
        if self.action is SlotAction.MOVED:
            return f"{why}; moved to the next open slot {slot}"
        if self.action is SlotAction.KEPT:
            return f"{why}; kept for {slot} by policy"
        return f"{why}; rejected by policy"


def decide_slot(
    calendar: ReviewCalendar,
    *,
    wished: datetime | None,
    arrived: datetime,
    policy: LatePolicy,
) -> SlotDecision:
    """Apply the deadline and the late policy to a draft that reached review at ``arrived``."""
    require_aware(arrived, "arrived")
    if wished is None:
        slot = calendar.first_open_slot(arrived)
        return _decision(calendar, None, slot, late=False, action=SlotAction.ON_TIME)
    require_aware(wished, "wished")
    requested = calendar.slot_at_or_after(wished)
    if arrived < calendar.deadline_for(requested):
        return _decision(calendar, requested, requested, late=False, action=SlotAction.ON_TIME)
    if policy is LatePolicy.NEXT_SLOT:
        moved = calendar.first_open_slot(arrived)
        return _decision(calendar, requested, moved, late=True, action=SlotAction.MOVED)
    action = SlotAction.KEPT if policy is LatePolicy.KEEP else SlotAction.REJECTED
    return _decision(calendar, requested, requested, late=True, action=action)


def _decision(
    calendar: ReviewCalendar,
    requested: datetime | None,
    slot: datetime,
    *,
    late: bool,
    action: SlotAction,
) -> SlotDecision:
    return SlotDecision(
        requested=requested,
        slot=slot,
        deadline=calendar.deadline_for(slot),
        cutoff=calendar.cutoff_for(slot),
        late=late,
        action=action,
    )
