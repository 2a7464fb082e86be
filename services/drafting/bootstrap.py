"""The one wiring place of the drafting service."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from services.drafting import __doc__ as SERVICE_DOC
from services.drafting.api import build_router
from services.drafting.consumers import register_consumers
from services.drafting.deps import DraftingDeps
from services.drafting.errors import PROBLEMS
from services.drafting.metrics import DraftingMetrics, refresh_state_gauge
from services.drafting.repository import (
    ACCOUNT_COLLECTIONS,
    INDEXES,
    MongoDraftRepository,
    MongoMaterialRepository,
    MongoTopicIdeaRepository,
    bind,
)
from services.drafting.settings import DraftingSettings
from shared.clock import Clock
from shared.outbox import BoundUnitOfWork
from shared.runtime import ServiceRuntime
from shared.service import Service

__all__ = ["build_service", "create_app"]


def build_service(
    settings: DraftingSettings, *, clock: Clock | None = None
) -> Service[DraftingDeps]:
    """Wire the runtime, repositories, subscribers, routes and the state gauge's loop."""
    # documents from before accounts (#12) become the default account's at start-up,
    # before consumers and routes, so every list can filter on ``account`` alone
    runtime = ServiceRuntime(
        settings, clock=clock, indexes=INDEXES, account_collections=ACCOUNT_COLLECTIONS
    )
    drafts = MongoDraftRepository(runtime.db)
    deps = DraftingDeps(
        uow=BoundUnitOfWork(runtime.uow, bind),
        drafts=drafts,
        materials=MongoMaterialRepository(runtime.db),
        ideas=MongoTopicIdeaRepository(runtime.db),
        clock=runtime.clock,
        metrics=DraftingMetrics.create(runtime.registry),
        topic_half_life=timedelta(days=settings.topic_half_life_days),
        topic_window=timedelta(days=settings.topic_window_days),
        accounts=settings.accounts,
    )
    register_consumers(runtime, deps)

    async def drafts_by_state() -> None:
        await refresh_state_gauge(
            deps.metrics, drafts.count_by_state, every_seconds=settings.state_gauge_seconds
        )

    runtime.job("drafts-by-state", drafts_by_state)
    return Service(
        runtime=runtime,
        deps=deps,
        routers=(build_router(deps, runtime.tokens),),
        title="Drafting service",
        description=SERVICE_DOC or "",
        problems=PROBLEMS,
    )


def create_app(settings: DraftingSettings, *, clock: Clock | None = None) -> FastAPI:
    """The service's ASGI app: API, health, readiness, metrics, AsyncAPI docs."""
    return build_service(settings, clock=clock).app()
