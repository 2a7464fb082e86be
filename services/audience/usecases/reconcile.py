"""Daily reconciliation of follower totals with WeChat's statistics (datacube).

WeChat counts a day by the next (T+1) and answers 7 days per call: each run checks the
``AUDIENCE_RECONCILE_DAYS`` days before today (China dates) and keeps, per day, WeChat's
numbers, ours and the difference, as they are. Each account is reconciled on its own,
with its app's statistics against its own followers.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta

import structlog

from services.audience.deps import CHINA, AudienceDeps
from services.audience.domain.reconcile import DayCount, DayReconciliation, reconcile_day
from services.audience.usecases.wechat_calls import wechat_of

__all__ = ["reconcile", "run_reconcile_loop"]

_log = structlog.get_logger("audience.reconcile")


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), CHINA)


async def reconcile(
    *, account: str, deps: AudienceDeps, days: int | None = None
) -> list[DayReconciliation]:
    """Compare the account's last ``days`` complete China days with WeChat; keep each."""
    span = days or deps.settings.reconcile_days
    last = deps.china_day() - timedelta(days=1)
    first = last - timedelta(days=span - 1)
    async with wechat_of(deps.api(account), account) as api:
        summary = await api.user_summary(first, last)
        cumulate = await api.user_cumulate(first, last)
    ours = await deps.followers.changes_by_day(account, first, last)
    totals = {row.ref_date: row.cumulate_user for row in cumulate}
    now = deps.clock.now()
    results: list[DayReconciliation] = []
    for offset in range(span):
        day = first + timedelta(days=offset)
        rows = [r for r in summary if r.ref_date == day]
        theirs = DayCount(
            new=sum(r.new_user for r in rows),
            cancelled=sum(r.cancel_user for r in rows),
            total=totals.get(day),
        )
        counted = ours.get(day, {"new": 0, "cancelled": 0})
        mine = DayCount(
            new=counted["new"],
            cancelled=counted["cancelled"],
            total=await deps.followers.total_at(account, _end_of(day)),
        )
        result = reconcile_day(day, theirs, mine, account=account)
        await deps.reconciliations.save(result, at=now)
        if not result.matches:
            _log.warning(
                "followers_differ_from_wechat",
                account=account,
                day=day.isoformat(),
                new=result.new_difference,
                cancelled=result.cancelled_difference,
                total=result.total_difference,
            )
        results.append(result)
    return results


async def run_reconcile_loop(*, deps: AudienceDeps, check_seconds: float = 60.0) -> None:
    """Background: once a China day, after ``AUDIENCE_RECONCILE_TIME``, each account with
    its app's credentials, side by side (one account's WeChat failure is retried at the
    next check without holding up the others)."""
    await deps.adopted.wait()
    done: dict[str, date] = {}

    async def one(account: str, day: date) -> None:
        try:
            await reconcile(account=account, deps=deps)
            done[account] = day
        except Exception as exc:  # WeChat down: try again at the next check
            _log.warning("reconcile_failed", account=account, error=repr(exc))

    while True:
        now = deps.clock.now().astimezone(CHINA)
        if now.time() >= deps.settings.reconcile_time:
            due = [
                a
                for a in deps.accounts.ids
                if deps.api(a) is not None and done.get(a) != now.date()
            ]
            await asyncio.gather(*(one(account, now.date()) for account in due))
        await asyncio.sleep(check_seconds)
