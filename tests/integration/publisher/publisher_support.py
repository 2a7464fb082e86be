"""Helpers of the publisher's integration tests (unique module name: tests are rootless)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI

from services.publisher.bootstrap import build_service
from services.publisher.channels import (
    OutcomeUnknown,
    PermanentChannelError,
    PublishOutcome,
    PublishRequest,
    PublishState,
    TransientChannelError,
)
from services.publisher.deps import PublisherDeps
from services.publisher.domain import Post, PostState
from services.publisher.settings import PublisherSettings
from services.publisher.usecases.schedule import schedule_approved_post
from shared.clock import FixedClock
from shared.events import Category, ContentSnapshot, DraftApproved
from shared.runtime import ServiceRuntime
from shared.wechat import WeChatClient
from tests.fakes.wechat_server import FakeWeChat, running_fake_wechat
from tests.support.backbone import wait_for
from tests.support.events import draft_approved
from tests.support.services import make_settings, running
from tests.support.timing import WECHAT_TIMEOUT_SECONDS

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 11, 30, tzinfo=SHANGHAI)  # a slot of the default calendar
WEDNESDAY = MONDAY + timedelta(days=2)
FRIDAY = MONDAY + timedelta(days=4)
BEFORE_MONDAY = MONDAY - timedelta(hours=2)


def snapshot(title: str = "2026年个税汇算清缴要点") -> ContentSnapshot:
    return ContentSnapshot(
        title=title,
        category=Category.FINANCE,
        digest="三分钟看懂今年的汇算清缴。",
        body_html="<p>今年的个人所得税汇算清缴将于3月1日开始。</p>",
        author="erin",
    )


def approval(
    draft_id: str,
    *,
    slot: datetime | None = MONDAY,
    revision: int = 1,
    content: ContentSnapshot | None = None,
    content_hash: str | None = None,
    account: str | None = None,
) -> DraftApproved:
    """``draft.approved`` (schema version 2) of ``account`` (default: the default one)."""
    event = draft_approved(
        content or snapshot(f"标题 {draft_id}"),
        draft_id=draft_id,
        revision=revision,
        slot=slot,
        content_hash=content_hash,
    )
    return event if account is None else event.model_copy(update={"account": account})


def version_1(event: DraftApproved) -> DraftApproved:
    """``event`` as a producer from before accounts wrote it (read as the default's)."""
    data = event.model_dump(mode="json")
    data.pop("account")
    return DraftApproved.model_validate({**data, "schema_version": 1})


class FakeChannel:
    """A channel double: counts what really went out and follows a per-post script.

    Script steps: ``ok``; ``transient`` / ``permanent`` / ``unknown_before_send`` (raise,
    nothing sent); ``unknown_after_send`` (sent, then the answer is lost); ``pending``.
    Post ids in ``blind`` get ``status`` answers ``unknown`` with ``needs_person`` (like
    WeChat after a lost ``publish_id``); ``status_gate`` holds ``status`` calls until set.
    """

    name = "fake"

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.sent: Counter[str] = Counter()
        self.calls: Counter[str] = Counter()
        self.status_calls: Counter[str] = Counter()
        self.outcomes: dict[str, PublishOutcome] = {}
        self.script: dict[str, list[str]] = {}
        self.gate: asyncio.Event | None = None
        self.entered: asyncio.Event = asyncio.Event()
        self.requests: dict[str, list[PublishRequest]] = {}
        self.blind: set[str] = set()
        self.status_gate: asyncio.Event | None = None
        self.status_entered: asyncio.Event = asyncio.Event()

    async def publish(self, post: PublishRequest) -> PublishOutcome:
        self.calls[post.post_id] += 1
        self.requests.setdefault(post.post_id, []).append(post)
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        steps = self.script.get(post.post_id) or ["ok"]
        step = steps.pop(0) if len(steps) > 1 else steps[0]
        if post.post_id in self.outcomes:
            return self.outcomes[post.post_id].model_copy(update={"replayed": True})
        if step == "transient":
            raise TransientChannelError("busy", channel=self.name)
        if step == "permanent":
            raise PermanentChannelError("refused", channel=self.name)
        if step == "unknown_before_send":
            raise OutcomeUnknown("timeout before sending", channel=self.name)
        self.sent[post.post_id] += 1
        outcome = PublishOutcome(
            state=PublishState.PUBLISHED,
            channel=self.name,
            post_id=post.post_id,
            publish_id=f"pub-{post.post_id}",
            url=f"https://example.test/{post.post_id}",
            published_at=self.clock.now(),
        )
        self.outcomes[post.post_id] = outcome
        if step == "unknown_after_send":
            raise OutcomeUnknown("answer lost", channel=self.name)
        if step == "pending":
            return outcome.model_copy(update={"state": PublishState.PENDING, "url": None})
        return outcome

    async def status(self, publish_id: str) -> PublishOutcome:
        post_id = publish_id.removeprefix("pub-")
        self.status_calls[post_id] += 1
        self.status_entered.set()
        if self.status_gate is not None:
            await self.status_gate.wait()
        if post_id in self.blind:
            return PublishOutcome(
                state=PublishState.UNKNOWN,
                channel=self.name,
                post_id=post_id,
                reason="cannot look the post up",
                needs_person=True,
            )
        if post_id in self.outcomes:
            return self.outcomes[post_id]
        return PublishOutcome(
            state=PublishState.FAILED, channel=self.name, post_id=post_id, reason="never sent"
        )


async def jobs_caught_up(runtime: ServiceRuntime, clock: FixedClock) -> None:
    """Wait until every job due by the clock's now has been claimed and has finished.

    The positive signal that the job loops have had their chance: a test that then finds
    nothing happened knows nothing was going to (a job is due again only once the clock
    is moved on). A loop that stopped claiming makes this time out.
    """

    async def caught_up() -> bool:
        unfinished = {"state": {"$in": ["pending", "running"]}, "due_at": {"$lte": clock.now()}}
        return await runtime.db["jobs"].count_documents(unfinished) == 0

    await wait_for(caught_up, timeout=10, interval=0.05)


@dataclass
class Publisher:
    """One in-process publisher and what tests need to drive and inspect it."""

    app: FastAPI
    runtime: ServiceRuntime
    deps: PublisherDeps
    clock: FixedClock
    channel: FakeChannel
    http: httpx.AsyncClient
    channels: dict[str, FakeChannel] = field(default_factory=dict)

    async def approve(self, *events: DraftApproved) -> list[Post]:
        return [await schedule_approved_post(e, deps=self.deps) for e in events]

    async def post(self, post_id: str) -> Post:
        post = await self.deps.posts.get(post_id)
        assert post is not None, post_id
        return post

    async def wait_state(
        self,
        post_id: str,
        *states: PostState,
        timeout: float = 10,
        tick: timedelta | None = None,
    ) -> Post:
        """Wait for the post to reach one of ``states``; ``tick`` moves the clock meanwhile."""

        async def reached() -> bool:
            post = await self.deps.posts.get(post_id)
            if tick is not None:
                self.clock.advance(tick)
            return post is not None and post.state in states

        await wait_for(reached, timeout=timeout, interval=0.05)
        return await self.post(post_id)

    async def advance(self, step: timedelta, times: int = 1) -> None:
        """Move the clock on ``times`` times by ``step``, letting the job loops run every
        job that came due before the next move."""
        for _ in range(times):
            self.clock.advance(step)
            await jobs_caught_up(self.runtime, self.clock)

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        docs = await self.runtime.db["outbox"].find({"event_type": event_type}).to_list(None)
        import json

        return [json.loads(d["body"]) for d in docs]


@contextlib.asynccontextmanager
async def running_publisher(
    namespace: str,
    mongo_url: str,
    *,
    now: datetime = BEFORE_MONDAY,
    accounts: tuple[str, ...] = (),
    **extra: Any,
) -> AsyncIterator[Publisher]:
    """A publisher on :class:`FakeChannel`; ``accounts`` named get one each (``channels``),
    the others share ``channel`` (pass ``accounts_json=`` to have several accounts)."""
    clock = FixedClock(now)
    channel = FakeChannel(clock)
    channels = {account: FakeChannel(clock) for account in accounts}
    settings = make_settings(
        PublisherSettings,
        namespace,
        mongo_url,
        job_lease_seconds=2.0,
        prepare_ahead_seconds=0.5,
        poll_max_seconds=0.05,
        retry_seconds=0.2,
        reconcile_interval_seconds=0.1,
        reconcile_max_interval_seconds=0.2,
        **extra,
    )
    service = build_service(settings, clock=clock, channel=channel, channels=channels)
    app = service.app()
    async with (
        running(service.runtime),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        yield Publisher(app, service.runtime, service.deps, clock, channel, http, channels)


@dataclass
class WeChatPublisher:
    """One in-process publisher on its WeChat channel, against the fake WeChat server."""

    fake: FakeWeChat
    runtime: ServiceRuntime
    deps: PublisherDeps
    clock: FixedClock
    http: httpx.AsyncClient


@contextlib.asynccontextmanager
async def wechat_publisher(
    namespace: str,
    mongo_url: str,
    *,
    escalate_after: float = 1.0,
    apps: dict[str, str] | None = None,
    **extra: Any,
) -> AsyncIterator[WeChatPublisher]:
    """A publisher on the fake WeChat; ``apps`` (appid -> secret) are further apps the
    fake serves (other accounts'); ``extra`` overrides settings."""
    async with running_fake_wechat() as fake:
        for appid, secret in (apps or {}).items():
            fake.state.add_app(appid, secret)
        async with WeChatClient(fake.state.appid, fake.state.secret, base_url=fake.base_url) as c:
            cover = await c.add_permanent_image(JPEG, "default-cover.jpg")
        options: dict[str, Any] = {
            "channel": "wechat",
            "wechat_app_id": fake.state.appid,
            "wechat_app_secret": "fake-app-secret-for-tests",
            "wechat_base_url": fake.base_url,
            "wechat_timeout_seconds": WECHAT_TIMEOUT_SECONDS,
            "wechat_default_thumb_media_id": cover,
            "poll_max_seconds": 0.05,
            "reconcile_interval_seconds": 0.1,
            "reconcile_max_interval_seconds": 0.2,
            "escalate_unknown_after_seconds": escalate_after,
        }
        settings = make_settings(PublisherSettings, namespace, mongo_url, **(options | extra))
        fake.state.secret = "fake-app-secret-for-tests"
        clock = FixedClock(BEFORE_MONDAY)
        service = build_service(settings, clock=clock)
        transport = httpx.ASGITransport(app=service.app())
        async with (
            running(service.runtime),
            httpx.AsyncClient(transport=transport, base_url="http://t") as http,
        ):
            yield WeChatPublisher(fake, service.runtime, service.deps, clock, http)
