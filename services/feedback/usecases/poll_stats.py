"""Collecting a WeChat post's reads and shares from WeChat's statistics, once a day.

Reporting steers what to publish next by reads and shares, and for a post published on
the ``wechat`` channel WeChat itself has them. When such a post's window opens, a claimed
job ``stats-poll:<post>`` is scheduled (see :func:`~.open_window.open_window`) for the day
after publication at ``FEEDBACK_STATS_POLL_TIME`` China time (the rules are in
:mod:`services.feedback.domain.stats`). Each run asks ``datacube/getarticletotaldetail``
for the publication day, finds the post's article and stores its latest totals as a metric item
(``wechat_datacube``, ``<post_id>:<stat_date>``) through the poll door, which announces it
on ``feedback.received`` for reporting; then the job is given back due the next day, and
completed after the last of ``FEEDBACK_STATS_POLL_DAYS`` days.

* ``is_delay`` (WeChat has not finished counting): nothing is stored; asked again after
  ``FEEDBACK_STATS_RETRY_SECONDS`` (given up once the schedule's last day is over).
* The article is not listed (yet), or has no read count: nothing is stored; next day.
* A failed call is released by the job loop and retried after the same delay. Running a
  day twice (two replicas, a retry) stores its snapshot once: items are unique by key.

These snapshots mostly arrive after the window's document was issued: they are stored
flagged ``late`` like any item after the close (left out of the document, still announced
to reporting). The first one, dated the evening of the publication day, lies inside the
window, so it is in the document when the window is still open at the first poll (a post
published later in the day than ``FEEDBACK_STATS_POLL_TIME``).
"""

from __future__ import annotations

import structlog

from services.feedback.deps import STATS_POLL, FeedbackDeps, account_kind
from services.feedback.domain.item import Outcome
from services.feedback.domain.stats import (
    STATS_SOURCE,
    DayTotals,
    StatsTarget,
    china_date,
    metric_payload,
    next_poll_at,
)
from services.feedback.usecases.ingest import ChannelItems, ingest_channel_items
from shared.accounts import DEFAULT_ACCOUNT
from shared.jobs import Claim
from shared.wechat import WeChatClient

__all__ = ["STATS_SOURCE", "poll_stats", "run_stats_poller"]

_log = structlog.get_logger("feedback.stats")


async def _fetch(
    target: StatsTarget, client: WeChatClient, deps: FeedbackDeps, account: str
) -> str:
    """Ask WeChat and store the day's snapshot; returns the poll's outcome."""
    page = await client.article_stats(target.ref_date)
    row = page.find(target.msg_data_id, target.article_index)
    if page.is_delay or (row is not None and row.is_delay):
        return "delayed"
    payload = (
        metric_payload(DayTotals(row.stat_date, row.reads, row.likes, row.shares), target.post_id)
        if row is not None
        else None
    )
    if row is None or payload is None:
        return "missing"
    [outcome] = await ingest_channel_items(ChannelItems([payload], "poll", account), deps=deps)
    if outcome is Outcome.STORED:
        _log.info(
            "stats_collected",
            post_id=target.post_id,
            stat_date=row.stat_date.isoformat(),
            reads=row.reads,
            shares=row.shares,
        )
    return outcome.value


async def poll_stats(claim: Claim, *, deps: FeedbackDeps, client: WeChatClient) -> str:
    """One daily poll of a post's statistics (``client``: its account's WeChat app);
    returns its outcome (the metric's label)."""
    target = StatsTarget.from_payload(claim.payload)
    account = str(claim.payload.get("account", DEFAULT_ACCOUNT))
    settings = deps.settings
    try:
        outcome = await _fetch(target, client, deps, account)
    except Exception:
        deps.metrics.stats_polls.labels("error").inc()
        raise
    deps.metrics.stats_polls.labels(outcome).inc()
    now = deps.clock.now()
    if outcome == "delayed":
        if china_date(now) > target.last_day:
            await deps.jobs.complete(claim, result={"gave_up": "is_delay"})
        else:
            retry_in = deps.real_to_business(settings.stats_retry_seconds)
            await deps.jobs.release(claim, retry_in=retry_in, now=now)
        return outcome
    following = next_poll_at(now, target, settings.stats_poll_time)
    if following is None:
        await deps.jobs.complete(claim, result={"last_poll": now.isoformat(), "last": outcome})
    else:
        await deps.jobs.release(claim, retry_in=following - now, now=now)
    return outcome


async def run_stats_poller(account: str = DEFAULT_ACCOUNT, *, deps: FeedbackDeps) -> None:
    """The background loop: claim an account's due statistics polls and run them with its
    WeChat app."""
    async with deps.wechat_client(account) as client:
        await deps.job_loop(
            account_kind(STATS_POLL, account),
            lambda claim: poll_stats(claim, deps=deps, client=client),
            retry_seconds=deps.settings.stats_retry_seconds,
        ).run()
