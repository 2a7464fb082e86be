"""The one wiring place of the audience service."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI

from services.audience import __doc__ as SERVICE_DOC
from services.audience.api import build_router
from services.audience.consumers import register_consumers
from services.audience.deps import AudienceDeps
from services.audience.errors import PROBLEMS
from services.audience.metrics import AudienceMetrics
from services.audience.ports import WeChatAudience
from services.audience.push_api import build_push_router, push_accounts
from services.audience.queues import declare_follower_queues
from services.audience.repository.branches import MongoBranches, MongoCampaigns
from services.audience.repository.followers import MongoFollowers, MongoPushes
from services.audience.repository.indexes import ACCOUNT_COLLECTIONS, INDEXES
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


def _wechat(settings: AudienceSettings, runtime: ServiceRuntime) -> dict[str, WeChatAudience]:
    """WeChat's API for each account with app credentials: one client (and so one cached
    access token) per account, with that account's app id and secret."""
    apis: dict[str, WeChatAudience] = {}
    for account in settings.accounts.ids:
        credentials = settings.app_credentials(account)
        if credentials is None:
            continue
        client = WeChatClient(
            credentials.app_id,
            credentials.app_secret.get_secret_value(),
            base_url=settings.wechat_base_url,
            timeout=settings.wechat_timeout_seconds,
        )
        runtime.on_stop(client.aclose)
        apis[account] = AudienceApi(client, qrcode_base_url=settings.wechat_qrcode_base_url)
    return apis


def build_service(
    settings: AudienceSettings, *, clock: Clock | None = None
) -> Service[AudienceDeps]:
    """Wire the runtime, repositories, WeChat, the push endpoint and background loops."""
    # documents from before accounts (#12) become the default account's when the runtime
    # starts, before the push route, consumers and loops: nothing waits for it after that
    runtime = ServiceRuntime(
        settings, clock=clock, indexes=INDEXES, account_collections=ACCOUNT_COLLECTIONS
    )
    db = runtime.db
    rules = MongoRules(db)
    adopted = asyncio.Event()
    adopted.set()
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
        replies=ReplyBook(rules, refresh_seconds=settings.rules_refresh_seconds, ready=adopted),
        wechat=_wechat(settings, runtime),
        clock=runtime.clock,
        settings=settings,
        metrics=AudienceMetrics.create(runtime.registry),
        adopted=adopted,
    )
    register_consumers(runtime, deps)
    consumers = settings.follower_event_consumers
    if consumers:
        runtime.job("follower-queues", lambda: declare_follower_queues(runtime, consumers))
    if deps.wechat:
        runtime.job("follower-backfill", lambda: run_backfill_loop(deps=deps))
        if settings.reconcile_enabled:
            runtime.job("daily-reconciliation", lambda: run_reconcile_loop(deps=deps))
    routers = [build_router(deps, runtime.tokens)]
    pushes = push_accounts(deps)
    if pushes:
        routers.append(build_push_router(deps, pushes))
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
