"""Daily totals: ours (from the pushes we recorded) against WeChat's (datacube, T+1).

WeChat counts a day's new and cancelled followers (``getusersummary``, per user source,
summed here) and the total at the day's end (``getusercumulate``). A difference is kept
and shown as it is: a missed push, a back-fill not yet run, or WeChat's own counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from shared.accounts import DEFAULT_ACCOUNT

__all__ = ["DayCount", "DayReconciliation", "reconcile_day"]


@dataclass(frozen=True, slots=True)
class DayCount:
    new: int
    cancelled: int
    total: int | None


@dataclass(frozen=True, slots=True)
class DayReconciliation:
    """One China day: WeChat's numbers, ours, and ours minus WeChat's."""

    day: date
    wechat: DayCount
    ours: DayCount
    account: str = DEFAULT_ACCOUNT

    @property
    def new_difference(self) -> int:
        return self.ours.new - self.wechat.new

    @property
    def cancelled_difference(self) -> int:
        return self.ours.cancelled - self.wechat.cancelled

    @property
    def total_difference(self) -> int | None:
        if self.ours.total is None or self.wechat.total is None:
            return None
        return self.ours.total - self.wechat.total

    @property
    def matches(self) -> bool:
        return (
            self.new_difference == 0
            and self.cancelled_difference == 0
            and self.total_difference in (0, None)
        )


def reconcile_day(
    day: date, wechat: DayCount, ours: DayCount, *, account: str = DEFAULT_ACCOUNT
) -> DayReconciliation:
    """One day of ``account``: WeChat's numbers of that account against ours."""
    return DayReconciliation(day, wechat, ours, account)
