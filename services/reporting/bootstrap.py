"""The one wiring place of the reporting service."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from services.reporting import __doc__ as SERVICE_DOC
from services.reporting.api import build_router
from services.reporting.consumers import register_consumers, register_follower_consumers
from services.reporting.deps import JOB_KIND, FollowersDeps, ReportingDeps
from services.reporting.errors import PROBLEMS
from services.reporting.followers_api import build_followers_router
from services.reporting.metrics import ReportingMetrics
from services.reporting.reports import require_cjk_font
from services.reporting.repository.followers import (
    FOLLOWER_ACCOUNT_COLLECTIONS,
    FOLLOWER_INDEXES,
    MongoFollowerRepository,
    followers_binder,
)
from services.reporting.repository.indexes import ACCOUNT_COLLECTIONS, REPORTING_INDEXES
from services.reporting.repository.read_model import (
    MongoDigestRepository,
    MongoFeedbackRepository,
    MongoPostRepository,
    MongoReadModelStats,
)
from services.reporting.repository.reports import MongoReportRepository, MongoScheduleState
from services.reporting.repository.tx import binder
from services.reporting.settings import ReportingSettings
from services.reporting.usecases.produce import produce_timed_report
from services.reporting.usecases.schedule import refresh_gauges, schedule_due_reports
from shared.clock import Clock
from shared.jobs import JOB_INDEXES, Claim, JobLoop, TimedJobs, every
from shared.outbox import BoundUnitOfWork
from shared.problems import ACCOUNT_PROBLEMS
from shared.runtime import ServiceRuntime
from shared.service import Service

__all__ = ["build_service", "create_app"]


def build_service(
    settings: ReportingSettings, *, clock: Clock | None = None
) -> Service[ReportingDeps]:
    """Wire the runtime, repositories, subscribers, routes and the timed-report loops.

    Refuses to start (``ChartFontError``, saying how to install it) when the CJK font
    the charts need is missing: reports with empty boxes for Chinese are not an option.
    """
    font = require_cjk_font(settings.cjk_font)
    runtime = ServiceRuntime(
        settings, clock=clock, indexes=[*REPORTING_INDEXES, *FOLLOWER_INDEXES, *JOB_INDEXES]
    )
    db = runtime.db
    jobs = TimedJobs(db, lease=timedelta(seconds=settings.job_lease_seconds))
    deps = ReportingDeps(
        uow=BoundUnitOfWork(runtime.uow, binder(jobs)),
        posts=MongoPostRepository(db),
        digests=MongoDigestRepository(db),
        feedback=MongoFeedbackRepository(db),
        reports=MongoReportRepository(db),
        schedule=MongoScheduleState(db),
        stats=MongoReadModelStats(db),
        jobs=jobs,
        clock=runtime.clock,
        policy=settings.schedule_policy(),
        metrics=ReportingMetrics.create(runtime.registry),
        font=font,
        accounts=settings.accounts,
        holiday_policy=settings.holiday_policy,
        followers=MongoFollowerRepository(db),
        follower_target_days=settings.follower_target_days,
    )
    followers = FollowersDeps(
        uow=BoundUnitOfWork(runtime.uow, followers_binder()),
        followers=MongoFollowerRepository(db),
        posts=deps.posts,
        clock=deps.clock,
        zone=deps.policy.zone,
        accounts=settings.accounts,
        target_days=settings.follower_target_days,
    )
    register_consumers(runtime, deps)
    register_follower_consumers(runtime, followers)
    # documents from before accounts (#12) become the default account's when the runtime
    # starts, before any job runs
    runtime.adopts_default_account(*ACCOUNT_COLLECTIONS, *FOLLOWER_ACCOUNT_COLLECTIONS)
    _register_jobs(runtime, deps, jobs, settings)
    return Service(
        runtime=runtime,
        deps=deps,
        routers=(
            build_router(deps, runtime.tokens),
            build_followers_router(followers, runtime.tokens),
        ),
        title="Reporting service",
        description=SERVICE_DOC or "",
        problems={**ACCOUNT_PROBLEMS, **PROBLEMS},
    )


def _register_jobs(
    runtime: ServiceRuntime,
    deps: ReportingDeps,
    jobs: TimedJobs,
    settings: ReportingSettings,
) -> None:
    """Every replica's three loops: schedule due periods, produce the claimed reports
    (a failed one is due again after ``job_retry_seconds`` of business time), refresh
    the gauges."""

    async def produce(claim: Claim) -> None:
        await produce_timed_report(claim, deps=deps)

    reports = JobLoop(
        jobs=jobs,
        kind=JOB_KIND,
        handler=produce,
        clock=deps.clock,
        max_sleep=settings.job_poll_seconds,
        retry_real=settings.job_retry_seconds / deps.clock.speed,
        shutdown_grace=settings.shutdown_grace_seconds,
    )
    runtime.job(
        "report-schedule",
        lambda: every(settings.schedule_poll_seconds, lambda: schedule_due_reports(deps=deps)),
    )
    runtime.job("report-run", reports.run)
    runtime.job(
        "report-gauges",
        lambda: every(settings.metrics_refresh_seconds, lambda: refresh_gauges(deps=deps)),
    )


def create_app(settings: ReportingSettings, *, clock: Clock | None = None) -> FastAPI:
    """The service's ASGI app: API, health, readiness, metrics, AsyncAPI docs."""
    return build_service(settings, clock=clock).app()
