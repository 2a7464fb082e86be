"""The one wiring place of the feedback service."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from fastapi import FastAPI

from services.feedback import __doc__ as SERVICE_DOC
from services.feedback.api import build_router
from services.feedback.consumers import register_consumers
from services.feedback.deps import FeedbackDeps
from services.feedback.domain.item import Incoming, Outcome
from services.feedback.errors import PROBLEMS
from services.feedback.metrics import FeedbackMetrics
from services.feedback.push_api import build_push_router, push_gates
from services.feedback.repository.documents import MongoPushEventRepository
from services.feedback.repository.indexes import ACCOUNT_COLLECTIONS, INDEXES
from services.feedback.repository.lookup import WindowLookup
from services.feedback.repository.reads import (
    MongoDocumentReader,
    MongoItemReader,
    MongoWindowReader,
)
from services.feedback.repository.tx import binder
from services.feedback.settings import FeedbackSettings
from services.feedback.usecases.close_window import run_window_closer
from services.feedback.usecases.enquiries import run_enquiry_sweeps
from services.feedback.usecases.ingest import store_event_batch
from services.feedback.usecases.poll_comments import run_comment_poller
from services.feedback.usecases.poll_stats import run_stats_poller
from services.feedback.usecases.preview import warm_up_analysis
from services.feedback.usecases.send_document import run_document_sender
from services.feedback.usecases.send_reply import run_reply_sender
from shared.accounts import DEFAULT_ACCOUNT
from shared.batching import BatchWriter
from shared.clock import Clock
from shared.jobs import JOB_INDEXES, TimedJobs
from shared.outbox import BoundUnitOfWork
from shared.runtime import ServiceRuntime
from shared.service import Service

__all__ = ["build_service", "create_app"]


def build_service(
    settings: FeedbackSettings, *, clock: Clock | None = None
) -> Service[FeedbackDeps]:
    """Wire the runtime, repository, jobs, batcher, subscribers and background loops."""
    runtime = ServiceRuntime(settings, clock=clock, indexes=[*INDEXES, *JOB_INDEXES])
    metrics = FeedbackMetrics.create(runtime.registry)
    jobs = TimedJobs(runtime.db, lease=timedelta(seconds=settings.job_lease_seconds))
    windows = MongoWindowReader(runtime.db)

    async def write(batch: list[Incoming]) -> list[Outcome]:
        return await store_event_batch(batch, deps=deps)

    def observe(size: int, seconds: float) -> None:
        metrics.batch_size.observe(size)
        metrics.batch_seconds.observe(seconds)

    deps = FeedbackDeps(
        uow=BoundUnitOfWork(runtime.uow, binder(jobs)),
        items=MongoItemReader(runtime.db),
        windows=windows,
        documents=MongoDocumentReader(runtime.db),
        push_events=MongoPushEventRepository(runtime.db),
        jobs=jobs,
        clock=runtime.clock,
        settings=settings,
        metrics=metrics,
        window_lookup=WindowLookup(windows),
        batcher=BatchWriter(
            write,
            max_size=settings.ingest_batch_size,
            max_wait=settings.ingest_batch_max_wait_seconds,
            max_inflight=settings.ingest_max_inflight_batches,
            observe=observe,
        ),
    )
    gates = push_gates(deps)  # a bad account's push credentials stop start-up here
    register_consumers(runtime, deps)
    # Once, then ends: documents from before accounts (#12) become the default account's.
    runtime.adopts_default_account(*ACCOUNT_COLLECTIONS)  # at start-up: from before #12
    runtime.job("analysis-warm-up", lambda: warm_up_analysis(deps=deps))  # once, then ends
    runtime.job("window-closer", lambda: run_window_closer(deps=deps))
    runtime.job("enquiry-sweeps", lambda: run_enquiry_sweeps(deps=deps))
    # Each account with a WeChat app has its own loops: its WeChat never holds another's.
    for account in deps.wechat_accounts:
        suffix = "" if account == DEFAULT_ACCOUNT else f":{account}"
        runtime.job(f"comment-poller{suffix}", partial(run_comment_poller, account, deps=deps))
        if settings.stats_enabled:
            runtime.job(f"stats-poller{suffix}", partial(run_stats_poller, account, deps=deps))
        if settings.reply_send_enabled:
            runtime.job(f"reply-sender{suffix}", partial(run_reply_sender, account, deps=deps))
    if settings.delivery_channels:
        runtime.job("digest-delivery", lambda: run_document_sender(deps=deps))
    routers = [build_router(deps, runtime.tokens)]
    if gates:
        routers.append(build_push_router(deps, gates))
    return Service(
        runtime=runtime,
        deps=deps,
        routers=tuple(routers),
        title="Feedback service",
        description=SERVICE_DOC or "",
        problems=PROBLEMS,
    )


def create_app(settings: FeedbackSettings, *, clock: Clock | None = None) -> FastAPI:
    """The service's ASGI app: API, WeChat push, health, readiness, metrics, AsyncAPI docs."""
    return build_service(settings, clock=clock).app()
