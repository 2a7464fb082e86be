"""The one wiring place of the reporting service."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from services.reporting import __doc__ as SERVICE_DOC
from services.reporting.api import build_router
from services.reporting.consumers import register_consumers
from services.reporting.deps import ReportingDeps
from services.reporting.errors import PROBLEMS
from services.reporting.metrics import ReportingMetrics
from services.reporting.repository import REPORTING_INDEXES, ReportingRepository
from services.reporting.scheduling import gauge_loop, report_job_loop, schedule_loop
from services.reporting.settings import ReportingSettings
from shared.clock import Clock
from shared.jobs import JOB_INDEXES, TimedJobs
from shared.runtime import ServiceRuntime
from shared.service import Service

__all__ = ["build_service", "create_app"]


def build_service(
    settings: ReportingSettings, *, clock: Clock | None = None
) -> Service[ReportingDeps]:
    """Wire the runtime, repositories, subscribers, routes and the timed-report loops."""
    runtime = ServiceRuntime(settings, clock=clock, indexes=[*REPORTING_INDEXES, *JOB_INDEXES])
    deps = ReportingDeps(
        repo=ReportingRepository(runtime.db),
        uow=runtime.uow,
        jobs=TimedJobs(runtime.db, lease=timedelta(seconds=settings.job_lease_seconds)),
        clock=runtime.clock,
        policy=settings.schedule_policy(),
        metrics=ReportingMetrics.create(runtime.registry),
    )
    register_consumers(runtime, deps)
    runtime.job(
        "report-schedule",
        lambda: schedule_loop(deps, poll_seconds=settings.schedule_poll_seconds),
    )
    reports = report_job_loop(
        deps,
        poll_seconds=settings.job_poll_seconds,
        retry_seconds=settings.job_retry_seconds,
        shutdown_grace=settings.shutdown_grace_seconds,
    )
    runtime.job("report-run", reports.run)
    runtime.job(
        "report-gauges", lambda: gauge_loop(deps, every_seconds=settings.metrics_refresh_seconds)
    )
    return Service(
        runtime=runtime,
        deps=deps,
        routers=(build_router(deps, runtime.tokens),),
        title="Reporting service",
        description=SERVICE_DOC or "",
        problems=PROBLEMS,
    )


def create_app(settings: ReportingSettings, *, clock: Clock | None = None) -> FastAPI:
    """The service's ASGI app: API, health, readiness, metrics, AsyncAPI docs."""
    return build_service(settings, clock=clock).app()
