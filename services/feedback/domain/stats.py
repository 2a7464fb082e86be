"""What WeChat's article statistics mean to the feedback service (pure).

WeChat counts a post's reads and shares per **China day** and publishes a day's totals the
next day (T+1), for 30 days after publication (``datacube/getarticletotaldetail``). So a
post published on the ``wechat`` channel is asked about once a day, from the day after its
publication day, at ``FEEDBACK_STATS_POLL_TIME`` (China time) for ``FEEDBACK_STATS_POLL_DAYS``
days. China has no daylight saving time: a fixed +08:00 is China time on every date.

Each answer becomes a metric item keyed ``<post_id>:<stat_date>`` (one snapshot per counted
day) and dated at the **end** of that day in China (23:59:59 +08:00): the totals are as of
then, and a later day's snapshot supersedes an earlier one in reporting, which keeps the
latest snapshot per post by ``received_at``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from services.feedback.domain.window import Window
from shared.events import FeedbackKind, FeedbackMetrics, FeedbackReceivedPayload

__all__ = [
    "CHINA",
    "STATS_SOURCE",
    "DayTotals",
    "StatsTarget",
    "china_date",
    "metric_payload",
    "next_poll_at",
    "poll_at",
    "snapshot_received_at",
    "stats_target",
]

CHINA = timezone(timedelta(hours=8), "China")
STATS_SOURCE = "wechat_datacube"
_END_OF_DAY = time(23, 59, 59)


def china_date(instant: datetime) -> date:
    """The China calendar day of an instant (WeChat's dates)."""
    return instant.astimezone(CHINA).date()


def poll_at(day: date, at: time) -> datetime:
    """The instant (UTC) of ``day`` at China wall time ``at``."""
    return datetime.combine(day, at, CHINA).astimezone(UTC)


def snapshot_received_at(stat_date: date) -> datetime:
    """When a day's totals hold: the end of ``stat_date`` in China (23:59:59 +08:00)."""
    return datetime.combine(stat_date, _END_OF_DAY, CHINA)


@dataclass(frozen=True, slots=True)
class StatsTarget:
    """The article a ``stats-poll`` job asks WeChat about, and for how long.

    ``article_index`` is 1-based as in WeChat's ``msgid``; the window's comment poll keeps
    the 0-based ``index`` of ``comment/list``. ``ref_date`` is the China publication day,
    ``last_day`` the China day of the last poll.
    """

    post_id: str
    msg_data_id: str
    article_index: int
    ref_date: date
    last_day: date

    def first_poll(self, at: time) -> datetime:
        """The first poll: the day after publication, at ``at`` China time."""
        return poll_at(self.ref_date + timedelta(days=1), at)

    def as_payload(self) -> dict[str, Any]:
        return {
            "post_id": self.post_id,
            "msg_data_id": self.msg_data_id,
            "article_index": self.article_index,
            "ref_date": self.ref_date.isoformat(),
            "last_day": self.last_day.isoformat(),
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> StatsTarget:
        return cls(
            post_id=str(payload["post_id"]),
            msg_data_id=str(payload["msg_data_id"]),
            article_index=int(payload["article_index"]),
            ref_date=date.fromisoformat(str(payload["ref_date"])),
            last_day=date.fromisoformat(str(payload["last_day"])),
        )


def stats_target(window: Window, *, days: int) -> StatsTarget | None:
    """The statistics to collect for a new window; None when WeChat has none for its post.

    Only posts WeChat published (a window with a comment poll: ``wechat`` channel, with a
    ``msg_data_id``) have statistics.
    """
    poll = window.poll
    if poll is None:
        return None
    ref_date = china_date(window.published_at)
    return StatsTarget(
        post_id=window.post_id,
        msg_data_id=poll.msg_data_id,
        article_index=poll.index + 1,
        ref_date=ref_date,
        last_day=ref_date + timedelta(days=days),
    )


def next_poll_at(now: datetime, target: StatsTarget, at: time) -> datetime | None:
    """The next daily poll strictly after ``now``; None once the last day's poll is past.

    Computed from the clock rather than counted, so a poll that ran late (a retry past
    midnight, a service that was down) still lands on the schedule's days.
    """
    today = china_date(now)
    candidate = poll_at(today, at)
    if candidate <= now:
        candidate = poll_at(today + timedelta(days=1), at)
    return candidate if china_date(candidate) <= target.last_day else None


@dataclass(frozen=True, slots=True)
class DayTotals:
    """An article's counters from publication to the end of ``stat_date`` (China day), as
    WeChat reported them; a counter WeChat did not send is None."""

    stat_date: date
    reads: int | None = None
    likes: int | None = None
    shares: int | None = None


def metric_payload(totals: DayTotals, post_id: str) -> FeedbackReceivedPayload | None:
    """A day's totals as a metric item; None without a read count (no usable snapshot).

    The contract has no "unknown" counter: a missing like or share count is sent as 0.
    """
    if totals.reads is None:
        return None
    return FeedbackReceivedPayload(
        source=STATS_SOURCE,
        source_id=f"{post_id}:{totals.stat_date.isoformat()}",
        kind=FeedbackKind.METRIC,
        post_id=post_id,
        received_at=snapshot_received_at(totals.stat_date),
        metrics=FeedbackMetrics(
            reads=max(totals.reads, 0),
            likes=max(totals.likes or 0, 0),
            shares=max(totals.shares or 0, 0),
        ),
    )
