"""The one wiring place of the publisher service.

Builds the runtime (indexes of posts, seats and jobs), each account's channel chosen by
settings (``local`` by default, ``wechat`` with the account's app credentials), the use
cases' dependencies, the one-time adoption of older documents by the default account
(before the subscriber and the jobs act), the ``draft.approved`` subscriber, the two
timed-job loops (publishing, reconciliation; each serves every account, with a cap per
account), the HTTP routes and the answers to domain errors (``errors.PROBLEMS``).
Tests may pass their own ``clock`` and ``channel`` (or ``channels`` per account).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import timedelta
from functools import partial

import httpx
from fastapi import FastAPI
from pymongo.asynchronous.database import AsyncDatabase

from services.publisher import __doc__ as SERVICE_DOC
from services.publisher.api import build_router
from services.publisher.channels import (
    Channel,
    LocalChannel,
    SlowAnswerChannel,
    WeChatChannel,
)
from services.publisher.consumers import register_consumers
from services.publisher.deps import PUBLISH_JOB, RECONCILE_JOB, PublisherDeps
from services.publisher.domain import job_kind
from services.publisher.errors import PROBLEMS
from services.publisher.metrics import PublisherMetrics
from services.publisher.repository import (
    ACCOUNT_COLLECTIONS,
    PUBLISHER_INDEXES,
    MongoCalendar,
    MongoChannelProgress,
    MongoPostRepository,
    binder,
)
from services.publisher.settings import PublisherSettings
from services.publisher.usecases.publish import publish_due_post
from services.publisher.usecases.reconcile import reconcile_post
from shared.clock import Clock
from shared.jobs import JOB_INDEXES, JobLoop, TimedJobs
from shared.mongo import MongoDoc
from shared.outbox import BoundUnitOfWork
from shared.runtime import ServiceRuntime
from shared.service import Service
from shared.wechat import WeChatClient

__all__ = ["build_service", "create_app"]


def _channel(
    settings: PublisherSettings,
    account: str,
    *,
    clock: Clock,
    db: AsyncDatabase[MongoDoc],
    http: httpx.AsyncClient,
) -> Channel:
    """The channel the settings select for ``account``: its own WeChat app (its access
    token cached by its own client), or the local channel in its own directory."""
    channel: Channel
    if settings.channel_for(account) == "wechat":
        app_id, secret = settings.wechat_credentials(account)  # checked at start-up
        client = WeChatClient(
            app_id,
            secret.get_secret_value(),
            base_url=settings.wechat_base_url,
            timeout=settings.wechat_timeout_seconds,
        )
        # progress records are keyed by post id, unique across accounts (draft ids are)
        channel = WeChatChannel(
            client,
            progress=MongoChannelProgress(db, channel="wechat"),
            clock=clock.now,
            default_thumb_media_id=settings.wechat_default_thumb_media_id,
        )
    else:
        secret_ = settings.local_webhook_secret
        channel = LocalChannel(
            clock=clock.now,
            directory=settings.local_dir_for(account),
            webhook_url=settings.local_webhook_url,
            webhook_secret=secret_.get_secret_value() if secret_ else None,
            http=http,  # one client for all accounts: made once, not at the slot instant
            zone=settings.slot_policy_for(account).zone,
            public_base_url=settings.local_public_base_url_for(account),
        )
        if settings.local_delay_seconds > 0:
            channel = SlowAnswerChannel(channel, delay=settings.local_delay_seconds)
    return channel


def build_service(
    settings: PublisherSettings,
    *,
    clock: Clock | None = None,
    channel: Channel | None = None,
    channels: Mapping[str, Channel] | None = None,
) -> Service[PublisherDeps]:
    """Wire the runtime, channels, repositories, subscriber, job loops and routes.

    Each account (#12) gets its channel and its own job kinds (``publish``/``reconcile``
    for the default account, ``publish:<account>`` … for another). One publishing loop
    and one reconcile loop serve every account, asking the store once per turn for all
    of them, and run at most ``publish_concurrency`` jobs of each account at once: one
    account's slow or failing channel occupies its own share, never another account's.
    The publishing loop leaves the jobs of a held account alone.

    Channels given by the caller (``channels`` per account, else ``channel`` for every
    account) are the caller's to close; those the settings select are closed when the
    runtime stops.
    """
    runtime = ServiceRuntime(settings, clock=clock, indexes=[*JOB_INDEXES, *PUBLISHER_INDEXES])
    given = dict(channels or {})
    own: dict[str, Channel] = {}
    webhooks = httpx.AsyncClient()
    for account in settings.accounts.ids:
        if account not in given and channel is not None:
            given[account] = channel
        elif account not in given:
            own[account] = _channel(
                settings, account, clock=runtime.clock, db=runtime.db, http=webhooks
            )
    jobs = TimedJobs(runtime.db, lease=timedelta(seconds=settings.job_lease_seconds))
    calendar = MongoCalendar(runtime.db)
    deps = PublisherDeps(
        uow=BoundUnitOfWork(runtime.uow, binder(jobs)),
        posts=MongoPostRepository(runtime.db),
        calendar=calendar,
        jobs=jobs,
        clock=runtime.clock,
        channels={account: given.get(account) or own[account] for account in settings.accounts},
        settings=settings,
        policies={account: settings.slot_policy_for(account) for account in settings.accounts},
        metrics=PublisherMetrics.create(runtime.registry),
    )
    # documents from before accounts belong to the default one: the runtime adopts them
    # at start-up, before the subscriber and the loops, so nothing waits after that
    runtime.adopts_default_account(*ACCOUNT_COLLECTIONS)
    register_consumers(runtime, deps)
    accounts = list(settings.accounts.ids)
    publish_kinds = {job_kind(PUBLISH_JOB, account): account for account in accounts}

    async def held_kinds() -> set[str]:
        held = await calendar.held(accounts)
        return {kind for kind, account in publish_kinds.items() if account in held}

    loops: list[JobLoop] = []
    for kind, handler in ((PUBLISH_JOB, publish_due_post), (RECONCILE_JOB, reconcile_post)):
        loop = JobLoop(
            jobs=jobs,
            kinds=[job_kind(kind, account) for account in accounts],
            handler=partial(handler, deps=deps),
            clock=deps.clock,
            capacity=settings.publish_concurrency * len(accounts),
            kind_capacity=settings.publish_concurrency,  # each account's share
            batch=settings.claim_batch,
            max_sleep=settings.poll_max_seconds,
            retry_real=settings.retry_seconds,
            shutdown_grace=settings.shutdown_grace_seconds,
            lead_real=settings.prepare_ahead_seconds if kind == PUBLISH_JOB else 0.0,
            paused_kinds=held_kinds if kind == PUBLISH_JOB else None,
        )
        runtime.job(f"{kind}-loop", loop.run)
        loops.append(loop)
    grace = settings.shutdown_grace_seconds
    runtime.on_stop(partial(_close_channels, [*own.values(), webhooks], loops, grace))
    return Service(
        runtime=runtime,
        deps=deps,
        routers=(build_router(deps, runtime.tokens),),
        title="Publisher service",
        description=SERVICE_DOC or "",
        problems=PROBLEMS,
    )


async def _close_channels(
    channels: list[Channel | httpx.AsyncClient], loops: list[JobLoop], grace: float
) -> None:
    """Close the channels' HTTP clients once the loops have let their running jobs finish."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(
            asyncio.gather(*(loop.stopped.wait() for loop in loops)), timeout=grace
        )
    for channel in channels:
        close = getattr(channel, "aclose", None)
        if close is not None:
            with contextlib.suppress(Exception):
                await close()


def create_app(
    settings: PublisherSettings,
    *,
    clock: Clock | None = None,
    channel: Channel | None = None,
    channels: Mapping[str, Channel] | None = None,
) -> FastAPI:
    """The service's ASGI app: API, health, readiness, metrics, AsyncAPI docs."""
    return build_service(settings, clock=clock, channel=channel, channels=channels).app()
