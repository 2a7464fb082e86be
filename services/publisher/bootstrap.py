"""The one wiring place of the publisher service.

Builds the runtime (indexes of posts, seats and jobs), the channel chosen by settings
(``local`` by default, ``wechat`` with the app's credentials), the use cases'
dependencies, the ``draft.approved`` subscriber, the two timed-job loops (publishing,
reconciliation), the HTTP routes and the answers to domain errors (``errors.PROBLEMS``).
Tests may pass their own ``clock`` and ``channel``.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from functools import partial

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
from services.publisher.errors import PROBLEMS
from services.publisher.metrics import PublisherMetrics
from services.publisher.repository import (
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


def _channel(settings: PublisherSettings, *, clock: Clock, db: AsyncDatabase[MongoDoc]) -> Channel:
    """The channel the settings select."""
    channel: Channel
    if settings.channel == "wechat":
        assert settings.wechat_app_id  # both checked by the settings validator
        assert settings.wechat_app_secret
        client = WeChatClient(
            settings.wechat_app_id,
            settings.wechat_app_secret.get_secret_value(),
            base_url=settings.wechat_base_url,
            timeout=settings.wechat_timeout_seconds,
        )
        channel = WeChatChannel(
            client,
            progress=MongoChannelProgress(db, channel="wechat"),
            clock=clock.now,
            default_thumb_media_id=settings.wechat_default_thumb_media_id,
        )
    else:
        secret = settings.local_webhook_secret
        channel = LocalChannel(
            clock=clock.now,
            directory=settings.local_dir,
            webhook_url=settings.local_webhook_url,
            webhook_secret=secret.get_secret_value() if secret else None,
            zone=settings.slot_zone,
            public_base_url=settings.local_public_base_url,
        )
    if settings.channel == "local" and settings.local_delay_seconds > 0:
        channel = SlowAnswerChannel(channel, delay=settings.local_delay_seconds)
    return channel


def build_service(
    settings: PublisherSettings, *, clock: Clock | None = None, channel: Channel | None = None
) -> Service[PublisherDeps]:
    """Wire the runtime, channel, repositories, subscriber, job loops and routes.

    A ``channel`` given by the caller is the caller's to close; the one the settings
    select is closed when the runtime stops.
    """
    runtime = ServiceRuntime(settings, clock=clock, indexes=[*JOB_INDEXES, *PUBLISHER_INDEXES])
    own_channel = channel is None
    chosen = channel or _channel(settings, clock=runtime.clock, db=runtime.db)
    jobs = TimedJobs(runtime.db, lease=timedelta(seconds=settings.job_lease_seconds))
    deps = PublisherDeps(
        uow=BoundUnitOfWork(runtime.uow, binder(jobs)),
        posts=MongoPostRepository(runtime.db),
        calendar=MongoCalendar(runtime.db),
        jobs=jobs,
        clock=runtime.clock,
        channel=chosen,
        settings=settings,
        policy=settings.slot_policy,
        metrics=PublisherMetrics.create(runtime.registry),
    )
    register_consumers(runtime, deps)
    loops: list[JobLoop] = []
    for kind, handler, gated in (
        (PUBLISH_JOB, publish_due_post, True),
        (RECONCILE_JOB, reconcile_post, False),
    ):
        loop = JobLoop(
            jobs=jobs,
            kind=kind,
            handler=partial(handler, deps=deps),
            clock=deps.clock,
            capacity=settings.publish_concurrency,
            batch=settings.claim_batch,
            max_sleep=settings.poll_max_seconds,
            retry_real=settings.retry_seconds,
            shutdown_grace=settings.shutdown_grace_seconds,
            lead_real=settings.prepare_ahead_seconds if kind == PUBLISH_JOB else 0.0,
            paused=deps.calendar.is_held if gated else None,
        )
        runtime.job(f"{kind}-loop", loop.run)
        loops.append(loop)
    if own_channel:
        grace = settings.shutdown_grace_seconds
        runtime.on_stop(partial(_close_channel, chosen, loops, grace))
    return Service(
        runtime=runtime,
        deps=deps,
        routers=(build_router(deps, runtime.tokens),),
        title="Publisher service",
        description=SERVICE_DOC or "",
        problems=PROBLEMS,
    )


async def _close_channel(channel: Channel, loops: list[JobLoop], grace: float) -> None:
    """Close the channel's HTTP clients once the loops have let their running jobs finish."""
    with contextlib.suppress(Exception):
        await asyncio.wait_for(
            asyncio.gather(*(loop.stopped.wait() for loop in loops)), timeout=grace
        )
    close = getattr(channel, "aclose", None)
    if close is not None:
        with contextlib.suppress(Exception):
            await close()


def create_app(
    settings: PublisherSettings, *, clock: Clock | None = None, channel: Channel | None = None
) -> FastAPI:
    """The service's ASGI app: API, health, readiness, metrics, AsyncAPI docs."""
    return build_service(settings, clock=clock, channel=channel).app()
