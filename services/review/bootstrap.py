"""The one wiring place of the review service."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import FastAPI

from services.review import __doc__ as SERVICE_DOC
from services.review.api import lexicon_router, review_router
from services.review.checking import CheckerProvider
from services.review.consumers import register_consumers
from services.review.deps import OVERDUE_JOB, ReviewDeps
from services.review.handlers import refresh_gauges, report_overdue
from services.review.metrics import ReviewMetrics
from services.review.norms import Lexicon
from services.review.repository import REVIEW_INDEXES, LexiconRepository, ReviewRepository
from services.review.settings import ReviewSettings
from shared.clock import Clock
from shared.jobs import JOB_INDEXES, Claim, JobLoop, TimedJobs, every
from shared.runtime import ServiceRuntime

__all__ = ["build_runtime", "create_app", "wire"]

_OVERDUE_RETRY = timedelta(minutes=1)  # business time before a failed overdue report retries


def wire(
    settings: ReviewSettings, *, clock: Clock | None = None
) -> tuple[ServiceRuntime, ReviewDeps]:
    """The runtime with subscribers and background jobs, and the use cases' dependencies."""
    runtime = ServiceRuntime(settings, clock=clock, indexes=[*REVIEW_INDEXES, *JOB_INDEXES])
    calendar = settings.calendar

    def today() -> date:  # the personal-data rules (ages, expiry) use the business day
        return runtime.clock.now().astimezone(calendar.tz).date()

    lexicon = LexiconRepository(runtime.db)
    deps = ReviewDeps(
        reviews=ReviewRepository(runtime.db),
        lexicon=lexicon,
        checkers=CheckerProvider(
            lexicon,
            shipped=Lexicon.load(settings.lexicon_dir),
            confidential_terms=settings.confidential_terms,
            allowed_email_domains=settings.allowed_email_domains,
            today=today,
            refresh_seconds=settings.lexicon_refresh_seconds,
        ),
        uow=runtime.uow,
        jobs=TimedJobs(runtime.db, lease=timedelta(seconds=settings.job_lease_seconds)),
        clock=runtime.clock,
        calendar=calendar,
        late_policy=settings.late_policy,
        metrics=ReviewMetrics.create(runtime.registry),
    )
    register_consumers(runtime, deps)

    async def on_overdue(claim: Claim) -> None:
        await report_overdue(claim, deps=deps)

    overdue = JobLoop(
        jobs=deps.jobs,
        kind=OVERDUE_JOB,
        handler=on_overdue,
        clock=runtime.clock,
        max_sleep=settings.overdue_poll_seconds,
        retry_real=_OVERDUE_RETRY.total_seconds() / runtime.clock.speed,
        shutdown_grace=settings.shutdown_grace_seconds,
    )

    async def gauges_loop() -> None:
        await every(settings.gauge_refresh_seconds, lambda: refresh_gauges(deps))

    runtime.job("review-overdue", overdue.run)
    runtime.job("review-gauges", gauges_loop)
    return runtime, deps


def build_runtime(settings: ReviewSettings, *, clock: Clock | None = None) -> ServiceRuntime:
    """Runtime with this service's subscribers and timed jobs registered."""
    return wire(settings, clock=clock)[0]


def create_app(settings: ReviewSettings, *, clock: Clock | None = None) -> FastAPI:
    """The service's ASGI app: API, health, readiness, metrics, AsyncAPI docs."""
    runtime, deps = wire(settings, clock=clock)
    app = runtime.asgi(
        review_router(deps, runtime.tokens),
        lexicon_router(deps, runtime.tokens),
        title="Review service",
        description=(SERVICE_DOC or "").strip(),
    )
    app.state.deps = deps
    return app
