"""The one wiring place of the feedback service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fastapi import APIRouter, FastAPI

from services.feedback import __doc__ as SERVICE_DOC
from services.feedback.api import build_router
from services.feedback.closing import run_window_closer
from services.feedback.consumers import register_consumers
from services.feedback.delivery import run_delivery
from services.feedback.deps import FeedbackDeps
from services.feedback.handlers import run_enquiry_sweeps, write_event_batch
from services.feedback.ingest import Outcome
from services.feedback.lookup import WindowLookup
from services.feedback.metrics import FeedbackMetrics
from services.feedback.poller import run_comment_poller
from services.feedback.push_api import build_push_router
from services.feedback.records import Incoming
from services.feedback.replies import run_reply_sender
from services.feedback.repository import INDEXES, FeedbackRepository
from services.feedback.settings import FeedbackSettings
from services.feedback.stats import run_stats_poller
from shared.batching import BatchWriter
from shared.clock import Clock
from shared.jobs import JOB_INDEXES, TimedJobs
from shared.runtime import ServiceRuntime

__all__ = ["FeedbackService", "build_runtime", "build_service", "create_app"]


@dataclass(frozen=True)
class FeedbackService:
    """A wired feedback process: the runtime, the use cases' dependencies, the batcher."""

    runtime: ServiceRuntime
    deps: FeedbackDeps
    batcher: BatchWriter[Incoming, Outcome]

    def routers(self) -> list[APIRouter]:
        routers = [build_router(self.deps, self.runtime.tokens)]
        if self.deps.settings.push_enabled:
            routers.append(build_push_router(self.deps))
        return routers


def build_service(settings: FeedbackSettings, *, clock: Clock | None = None) -> FeedbackService:
    """Wire the runtime, repository, jobs, batcher, subscribers and background loops."""
    runtime = ServiceRuntime(settings, clock=clock, indexes=[*INDEXES, *JOB_INDEXES])
    metrics = FeedbackMetrics.create(runtime.registry)
    repo = FeedbackRepository(runtime.db)
    deps = FeedbackDeps(
        repo=repo,
        uow=runtime.uow,
        jobs=TimedJobs(runtime.db, lease=timedelta(seconds=settings.job_lease_seconds)),
        clock=runtime.clock,
        settings=settings,
        metrics=metrics,
        windows=WindowLookup(repo),
    )

    async def write(batch: list[Incoming]) -> list[Outcome]:
        return await write_event_batch(batch, deps)

    def observe(size: int, seconds: float) -> None:
        metrics.batch_size.observe(size)
        metrics.batch_seconds.observe(seconds)

    batcher: BatchWriter[Incoming, Outcome] = BatchWriter(
        write,
        max_size=settings.ingest_batch_size,
        max_wait=settings.ingest_batch_max_wait_seconds,
        max_inflight=settings.ingest_max_inflight_batches,
        observe=observe,
    )
    register_consumers(runtime, deps, batcher)
    runtime.job("window-closer", lambda: run_window_closer(deps))
    runtime.job("enquiry-sweeps", lambda: run_enquiry_sweeps(deps))
    if settings.poller_enabled:
        runtime.job("comment-poller", lambda: run_comment_poller(deps))
    if settings.stats_polling:
        runtime.job("stats-poller", lambda: run_stats_poller(deps))
    if settings.reply_sending:
        runtime.job("reply-sender", lambda: run_reply_sender(deps))
    if settings.delivery_channels:
        runtime.job("digest-delivery", lambda: run_delivery(deps))
    return FeedbackService(runtime, deps, batcher)


def build_runtime(settings: FeedbackSettings, *, clock: Clock | None = None) -> ServiceRuntime:
    """Runtime with this service's subscribers and background jobs registered."""
    return build_service(settings, clock=clock).runtime


def create_app(settings: FeedbackSettings, *, clock: Clock | None = None) -> FastAPI:
    """The service's ASGI app: API, WeChat push, health, readiness, metrics, AsyncAPI docs."""
    service = build_service(settings, clock=clock)
    app = service.runtime.asgi(
        *service.routers(),
        title="Feedback service",
        description=(SERVICE_DOC or "").strip(),
    )
    app.state.feedback = service
    return app
