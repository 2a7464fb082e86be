"""The one wiring place of the drafting service."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from services.drafting import __doc__ as SERVICE_DOC
from services.drafting.api import build_router, install_error_handlers
from services.drafting.consumers import register_consumers
from services.drafting.handlers import DraftingDeps
from services.drafting.metrics import DraftingMetrics, refresh_state_gauge
from services.drafting.repository import (
    INDEXES,
    MongoDraftRepository,
    MongoMaterialRepository,
    MongoTopicIdeaRepository,
)
from services.drafting.settings import DraftingSettings
from shared.clock import Clock
from shared.runtime import ServiceRuntime

__all__ = ["build_runtime", "create_app"]


def _wire(settings: DraftingSettings, clock: Clock | None) -> tuple[ServiceRuntime, DraftingDeps]:
    runtime = ServiceRuntime(settings, clock=clock, indexes=INDEXES)
    drafts = MongoDraftRepository(runtime.db)
    deps = DraftingDeps(
        drafts=drafts,
        materials=MongoMaterialRepository(runtime.db),
        ideas=MongoTopicIdeaRepository(runtime.db),
        uow=runtime.uow,
        clock=runtime.clock,
        metrics=DraftingMetrics.create(runtime.registry),
        topic_half_life=timedelta(days=settings.topic_half_life_days),
        topic_window=timedelta(days=settings.topic_window_days),
    )
    register_consumers(runtime, deps)

    async def drafts_by_state() -> None:
        await refresh_state_gauge(
            deps.metrics, drafts.count_by_state, every_seconds=settings.state_gauge_seconds
        )

    runtime.job("drafts-by-state", drafts_by_state)
    return runtime, deps


def build_runtime(settings: DraftingSettings, *, clock: Clock | None = None) -> ServiceRuntime:
    """Runtime with this service's subscribers and background jobs registered."""
    runtime, _ = _wire(settings, clock)
    return runtime


def create_app(settings: DraftingSettings, *, clock: Clock | None = None) -> FastAPI:
    """The service's ASGI app: API, health, readiness, metrics, AsyncAPI docs.

    ``app.state.runtime`` is the runtime, ``app.state.drafting`` the use cases' deps.
    """
    runtime, deps = _wire(settings, clock)
    app = runtime.asgi(
        build_router(deps, runtime.tokens),
        title="Drafting service",
        description=(SERVICE_DOC or "").strip(),
    )
    install_error_handlers(app, deps)
    app.state.drafting = deps
    return app
