"""The one wiring place of the audience service."""

from __future__ import annotations

from fastapi import FastAPI

from services.audience import __doc__ as SERVICE_DOC
from services.audience.api import build_router
from services.audience.consumers import register_consumers
from services.audience.deps import AudienceDeps
from services.audience.errors import PROBLEMS
from services.audience.metrics import AudienceMetrics
from services.audience.push_api import build_push_router
from services.audience.queues import declare_follower_queues
from services.audience.repository.branches import MongoBranches, MongoCampaigns
from services.audience.repository.followers import MongoFollowers, MongoPushes
from services.audience.repository.indexes import INDEXES
from services.audience.repository.menus import MongoMenus
from services.audience.repository.ops import MongoBackfill, MongoReconciliations
from services.audience.repository.replies import MongoRules
from services.audience.repository.tx import bind
from services.audience.settings import AudienceSettings
from services.audience.usecases.backfill import run_backfill_loop
from services.audience.usecases.reconcile import run_reconcile_loop
from services.audience.usecases.reply_book import ReplyBook
from shared.clock import Clock
from shared.outbox import BoundUnitOfWork
from shared.runtime import ServiceRuntime
from shared.service import Service
from shared.wechat import WeChatClient
from shared.wechat.followers import AudienceApi

__all__ = ["build_service", "create_app"]


def _wechat(settings: AudienceSettings, runtime: ServiceRuntime) -> AudienceApi | None:
    if not settings.api_enabled:
        return None
    assert settings.wechat_app_id
    assert settings.wechat_app_secret
    client = WeChatClient(
        settings.wechat_app_id,
        settings.wechat_app_secret.get_secret_value(),
        base_url=settings.wechat_base_url,
        timeout=settings.wechat_timeout_seconds,
    )
    runtime.on_stop(client.aclose)
    return AudienceApi(client, qrcode_base_url=settings.wechat_qrcode_base_url)


def build_service(
    settings: AudienceSettings, *, clock: Clock | None = None
) -> Service[AudienceDeps]:
    """Wire the runtime, repositories, WeChat, the push endpoint and background loops."""
    runtime = ServiceRuntime(settings, clock=clock, indexes=INDEXES)
    db = runtime.db
    rules = MongoRules(db)
    deps = AudienceDeps(
        uow=BoundUnitOfWork(runtime.uow, bind),
        branches=MongoBranches(db),
        campaigns=MongoCampaigns(db),
        followers=MongoFollowers(db),
        pushes=MongoPushes(db),
        rules=rules,
        menus=MongoMenus(db),
        backfill=MongoBackfill(db),
        reconciliations=MongoReconciliations(db),
        replies=ReplyBook(rules, refresh_seconds=settings.rules_refresh_seconds),
        wechat=_wechat(settings, runtime),
        clock=runtime.clock,
        settings=settings,
        metrics=AudienceMetrics.create(runtime.registry),
    )
    register_consumers(runtime, deps)
    consumers = settings.follower_event_consumers
    if consumers:
        runtime.job("follower-queues", lambda: declare_follower_queues(runtime, consumers))
    if deps.wechat is not None:
        runtime.job("follower-backfill", lambda: run_backfill_loop(deps=deps))
        if settings.reconcile_enabled:
            runtime.job("daily-reconciliation", lambda: run_reconcile_loop(deps=deps))
    routers = [build_router(deps, runtime.tokens)]
    if settings.push_enabled:
        routers.append(build_push_router(deps))
    return Service(
        runtime=runtime,
        deps=deps,
        routers=tuple(routers),
        title="Audience service",
        description=SERVICE_DOC or "",
        problems=PROBLEMS,
    )


def create_app(settings: AudienceSettings, *, clock: Clock | None = None) -> FastAPI:
    """The service's ASGI app: API, WeChat push, health, readiness, metrics, AsyncAPI docs."""
    return build_service(settings, clock=clock).app()
