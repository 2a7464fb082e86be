"""The publisher with its WeChat channel (settings ``channel=wechat``) on the fake WeChat."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from publisher_support import MONDAY, approval
from publisher_support import wechat_publisher as running_wechat_publisher

from services.publisher.deps import PublisherDeps
from services.publisher.domain import Post, PostState
from shared.clock import FixedClock
from shared.runtime import ServiceRuntime
from tests.fakes.wechat_server import FakeWeChat
from tests.support.backbone import wait_for
from tests.support.metrics import metric_value
from tests.support.timing import LOST_ANSWER_DELAY_SECONDS

pytestmark = pytest.mark.integration


@contextlib.asynccontextmanager
async def wechat_publisher(
    namespace: str, mongo_url: str, *, escalate_after: float = 1.0
) -> AsyncIterator[tuple[FakeWeChat, ServiceRuntime, PublisherDeps, FixedClock]]:
    async with running_wechat_publisher(namespace, mongo_url, escalate_after=escalate_after) as wx:
        yield wx.fake, wx.runtime, wx.deps, wx.clock


async def _wait(deps: PublisherDeps, clock: FixedClock, post_id: str, state: PostState) -> Post:
    async def reached() -> bool:
        clock.advance(timedelta(seconds=1))
        post = await deps.posts.get(post_id)
        return post is not None and post.state is state

    await wait_for(reached, timeout=15, interval=0.05)
    post = await deps.posts.get(post_id)
    assert post is not None
    return post


async def _events(runtime: ServiceRuntime, event_type: str) -> list[dict[str, Any]]:
    docs = await runtime.db["outbox"].find({"event_type": event_type}).to_list(None)
    return [json.loads(d["body"])["payload"] for d in docs]


async def test_a_post_goes_out_as_a_wechat_article_once_wechat_has_published_it(
    namespace: str, mongo_url: str
) -> None:
    async with wechat_publisher(namespace, mongo_url, escalate_after=600) as (
        fake,
        runtime,
        deps,
        clock,
    ):
        fake.state.set_publish_outcome(0, pending_polls=2)  # WeChat takes a while
        [post] = [await _schedule(deps, "d-wx")]
        clock.set(MONDAY)

        done = await _wait(deps, clock, post.post_id, PostState.PUBLISHED)

        [media_id] = fake.state.drafts
        assert fake.state.published_count(media_id) == 1
        assert [h["action"] for h in done.history] == [
            "scheduled",
            "submitting",
            "pending",
            "published",
        ]
        [event] = await _events(runtime, "post.published")
        assert event["channel"] == "wechat"
        assert set(event["channel_ids"]) == {"publish_id", "article_id", "msg_data_id"}
        assert event["url"].startswith("https://mp.weixin.qq.com/s?")


async def test_a_lost_submit_answer_is_escalated_and_never_resubmitted(
    namespace: str, mongo_url: str
) -> None:
    async with wechat_publisher(namespace, mongo_url) as (fake, runtime, deps, clock):
        fake.state.inject("/cgi-bin/freepublish/submit", "timeout", delay=LOST_ANSWER_DELAY_SECONDS)
        post = await _schedule(deps, "d-wx-lost")
        clock.set(MONDAY)

        await _wait(deps, clock, post.post_id, PostState.UNKNOWN)

        async def escalated() -> bool:
            clock.advance(timedelta(seconds=1))
            return bool(await _events(runtime, "post.failed"))

        await wait_for(escalated, timeout=15, interval=0.05)
        [failed] = await _events(runtime, "post.failed")
        assert failed["code"] == "outcome_unknown"
        assert failed["needs_person"] is True
        assert "never resubmitted" in failed["reason"]
        [media_id] = fake.state.drafts
        assert fake.state.published_count(media_id) == 1
        assert fake.state.calls["/cgi-bin/freepublish/submit"] == 1
        assert (
            metric_value(runtime.registry, "publisher_unknown_outcomes_total", channel="wechat")
            == 1
        )
        post_now = await deps.posts.get(post.post_id)
        assert post_now is not None
        assert post_now.state is PostState.UNKNOWN  # still reconciled, in case it turns up


async def _schedule(deps: PublisherDeps, draft_id: str) -> Post:
    from services.publisher.usecases.schedule import schedule_approved_post

    return await schedule_approved_post(approval(draft_id), deps=deps)
