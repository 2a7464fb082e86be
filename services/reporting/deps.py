"""What the reporting use cases are given (wired in ``bootstrap``)."""

from __future__ import annotations

from dataclasses import dataclass

from services.reporting.metrics import ReportingMetrics
from services.reporting.ports import (
    DigestRepository,
    FeedbackRepository,
    FollowerRepository,
    FollowersTx,
    JobScheduler,
    PostRepository,
    ReadModelStats,
    ReportingTx,
    ReportRepository,
    ScheduleState,
)
from services.reporting.reports import ChartFont
from shared.accounts import Accounts
from shared.calendar import HolidayPolicy, SchedulePolicy, SlotCalendar
from shared.clock import Clock
from shared.outbox import UnitOfWorkPort

__all__ = ["JOB_KIND", "FollowersDeps", "ReportingDeps"]

JOB_KIND = "report"
"""Kind of the report jobs in ``shared.jobs`` (one per due period)."""


@dataclass(frozen=True)
class ReportingDeps:
    """Adapters and configuration of one reporting process.

    ``uow`` hands a use case the repositories bound to one transaction; the repositories
    here are the same without one: what a report reads, what the routes and gauges read,
    and the feedback path's single idempotent writes. ``font`` is the checked CJK font
    the charts are drawn in; ``accounts`` the deployment's official accounts (each
    reported on by itself, and all together when there are several); ``holiday_policy``
    the service's, for an account that sets none. The plan of the next pushes names the
    slots of :meth:`plan_calendar`. ``followers`` is the followers read model the
    reports' followers section reads.
    """

    uow: UnitOfWorkPort[ReportingTx]
    posts: PostRepository
    digests: DigestRepository
    feedback: FeedbackRepository
    reports: ReportRepository
    schedule: ScheduleState
    stats: ReadModelStats
    jobs: JobScheduler
    clock: Clock
    policy: SchedulePolicy
    metrics: ReportingMetrics
    font: ChartFont
    accounts: Accounts
    holiday_policy: HolidayPolicy = HolidayPolicy.KEEP
    followers: FollowerRepository | None = None
    """The followers read model (#14): a report's followers section (None: none)."""
    follower_target_days: float = 30.0
    """Days a branch has to reach its head-count target (its fair share is pro rata)."""

    def plan_calendar(self, account: str) -> SlotCalendar:
        """The account's slot calendar: what its plan of the next pushes names."""
        return self.accounts.calendar(account, self.holiday_policy)


@dataclass(frozen=True)
class FollowersDeps:
    """What the followers use cases and route are given (issue #14): their own unit of
    work (the same store and inbox as the rest), the followers read model, the posts
    (for unsubscribes after each), the clock, the zone local days are read in, the
    deployment's accounts and the days a branch has to reach its target."""

    uow: UnitOfWorkPort[FollowersTx]
    followers: FollowerRepository
    posts: PostRepository
    clock: Clock
    zone: str
    accounts: Accounts
    target_days: float = 30.0
