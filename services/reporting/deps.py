"""What the reporting use cases are given (wired in ``bootstrap``)."""

from __future__ import annotations

from dataclasses import dataclass

from services.reporting.metrics import ReportingMetrics
from services.reporting.repository import ReportingRepository
from shared.calendar import SchedulePolicy
from shared.clock import Clock
from shared.jobs import TimedJobs
from shared.outbox import UnitOfWork

__all__ = ["JOB_KIND", "ReportingDeps"]

JOB_KIND = "report"
"""Kind of the report jobs in ``shared.jobs`` (one per due period)."""


@dataclass(frozen=True)
class ReportingDeps:
    """Adapters and configuration of one reporting process."""

    repo: ReportingRepository
    uow: UnitOfWork
    jobs: TimedJobs
    clock: Clock
    policy: SchedulePolicy
    metrics: ReportingMetrics
