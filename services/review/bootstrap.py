"""The one wiring place of the review service."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import FastAPI

from services.review import __doc__ as SERVICE_DOC
from services.review.api import lexicon_router, review_router
from services.review.checking import CheckerProvider
from services.review.consumers import register_consumers
from services.review.deps import OVERDUE_JOB, ReviewDeps
from services.review.errors import PROBLEMS
from services.review.metrics import ReviewMetrics
from services.review.norms import Lexicon
from services.review.repository.lexicon import MongoLexiconRepository
from services.review.repository.reviews import REVIEW_INDEXES, REVIEWS, MongoReviewRepository
from services.review.repository.tx import binder
from services.review.settings import ReviewSettings
from services.review.usecases import refresh_gauges, report_overdue
from shared.clock import Clock
from shared.jobs import JOB_INDEXES, Claim, JobLoop, TimedJobs, every
from shared.outbox import BoundUnitOfWork
from shared.runtime import ServiceRuntime
from shared.service import Service

__all__ = ["build_service", "create_app"]

_OVERDUE_RETRY = timedelta(minutes=1)  # business time before a failed overdue report retries


def build_service(settings: ReviewSettings, *, clock: Clock | None = None) -> Service[ReviewDeps]:
    """Wire the runtime, repositories, checker, subscribers, timed jobs and routes."""
    runtime = ServiceRuntime(settings, clock=clock, indexes=[*REVIEW_INDEXES, *JOB_INDEXES])
    calendars = settings.calendars  # each account's calendar, deadline and cut-off (#12)
    calendar = calendars.default

    def today() -> date:  # the personal-data rules (ages, expiry) use the business day
        return runtime.clock.now().astimezone(calendar.tz).date()

    lexicon = MongoLexiconRepository(runtime.db)
    jobs = TimedJobs(runtime.db, lease=timedelta(seconds=settings.job_lease_seconds))
    deps = ReviewDeps(
        uow=BoundUnitOfWork(runtime.uow, binder(jobs)),
        reviews=MongoReviewRepository(runtime.db),
        lexicon=lexicon,
        checkers=CheckerProvider(
            lexicon,
            shipped=Lexicon.load(settings.lexicon_dir),
            confidential_terms=settings.confidential_terms,
            allowed_email_domains=settings.allowed_email_domains,
            today=today,
            refresh_seconds=settings.lexicon_refresh_seconds,
        ),
        clock=runtime.clock,
        calendars=calendars,
        late_policy=settings.late_policy,
        metrics=ReviewMetrics.create(runtime.registry),
        accounts=settings.accounts,
    )
    register_consumers(runtime, deps)

    async def on_overdue(claim: Claim) -> None:
        await report_overdue(claim, deps=deps)

    overdue = JobLoop(
        jobs=jobs,
        kind=OVERDUE_JOB,
        handler=on_overdue,
        clock=runtime.clock,
        max_sleep=settings.overdue_poll_seconds,
        retry_real=_OVERDUE_RETRY.total_seconds() / runtime.clock.speed,
        shutdown_grace=settings.shutdown_grace_seconds,
    )

    async def gauges_loop() -> None:
        await every(settings.gauge_refresh_seconds, lambda: refresh_gauges(deps=deps))

    runtime.adopts_default_account(REVIEWS)  # at start-up: reviews from before #12
    runtime.job("review-overdue", overdue.run)
    runtime.job("review-gauges", gauges_loop)
    return Service(
        runtime=runtime,
        deps=deps,
        routers=(review_router(deps, runtime.tokens), lexicon_router(deps, runtime.tokens)),
        title="Review service",
        description=SERVICE_DOC or "",
        problems=PROBLEMS,
    )


def create_app(settings: ReviewSettings, *, clock: Clock | None = None) -> FastAPI:
    """The service's ASGI app: API, health, readiness, metrics, AsyncAPI docs."""
    return build_service(settings, clock=clock).app()
