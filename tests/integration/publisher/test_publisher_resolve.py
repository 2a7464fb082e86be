"""A person resolves a post whose outcome the channel cannot tell (``/posts/{id}/resolve``).

Real RabbitMQ and SecantusDB; the channel is the test double (its ``status`` is blind to
the posts in ``blind``, as WeChat is after a lost ``publish_id``) or the WeChat channel on
the fake WeChat server.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from publisher_support import (
    MONDAY,
    Publisher,
    WeChatPublisher,
    approval,
    jobs_caught_up,
    running_publisher,
    wechat_publisher,
)

from services.publisher.domain import Post, PostState
from services.publisher.usecases.schedule import schedule_approved_post
from shared.runtime import ServiceRuntime
from tests.support.backbone import recording_runtime, wait_for
from tests.support.metrics import metric_value
from tests.support.recording import CONSUMED
from tests.support.services import auth, running
from tests.support.timing import LOST_ANSWER_DELAY_SECONDS

pytestmark = pytest.mark.integration

REVIEWER = auth("reviewer-token-0000000001")
DIRECTOR = auth("director-token-0000000001")
EDITOR = auth("editor-token-000000000001")
URL = "https://mp.weixin.qq.com/s/AbCdEf"
SUBMIT = "/cgi-bin/freepublish/submit"
LIVE = {"outcome": "published", "url": URL, "note": "article is in the publish history"}
RETRY = {"outcome": "not_published", "action": "retry", "note": "not in the publish history"}
CANCEL = {"outcome": "not_published", "action": "cancel", "note": "not out; topic dropped"}


async def unknown_post(pub: Publisher, draft_id: str, *steps: str) -> Post:
    """A post whose answer was lost and whose channel cannot tell: escalated, unknown."""
    [post] = await pub.approve(approval(draft_id))
    pub.channel.blind.add(post.post_id)
    pub.channel.script[post.post_id] = list(steps)
    pub.clock.set(MONDAY)
    await pub.wait_state(post.post_id, PostState.UNKNOWN)

    async def escalated() -> bool:
        pub.clock.advance(timedelta(seconds=1))  # reconcile rounds come due
        return (await pub.post(post.post_id)).escalated_at is not None

    await wait_for(escalated, timeout=10, interval=0.05)
    return await pub.post(post.post_id)


async def resolve(
    http: httpx.AsyncClient, post_id: str, body: dict[str, Any], who: dict[str, str] = REVIEWER
) -> httpx.Response:
    return await http.post(f"/posts/{post_id}/resolve", json=body, headers=who)


async def failed_codes(pub: Publisher) -> list[str]:
    return [e["payload"]["code"] for e in await pub.events("post.failed")]


@contextlib.asynccontextmanager
async def consumer(namespace: str, mongo_url: str) -> AsyncIterator[ServiceRuntime]:
    """Reporting's queues, recorded: what reaches the consumers through the broker."""
    reporting = recording_runtime("reporting", namespace, mongo_url)
    async with running(reporting):
        yield reporting


async def received(runtime: ServiceRuntime, event_type: str, n: int = 1) -> list[dict[str, Any]]:
    async def arrived() -> bool:
        return await runtime.db[CONSUMED].count_documents({"event_type": event_type}) >= n

    await wait_for(arrived, timeout=15, interval=0.05)
    docs = await runtime.db[CONSUMED].find({"event_type": event_type}).to_list(None)
    return [d["payload"] for d in docs]


async def test_resolved_published_is_recorded_as_the_channel_would_and_announced(
    namespace: str, mongo_url: str
) -> None:
    async with (
        running_publisher(namespace, mongo_url) as pub,
        consumer(namespace, mongo_url) as reporting,
    ):
        post = await unknown_post(pub, "d-seen-live", "unknown_after_send")
        assert await failed_codes(pub) == ["outcome_unknown"]
        pub.clock.advance(timedelta(minutes=20))
        late = (pub.clock.now() - MONDAY).total_seconds()

        answer = await resolve(pub.http, post.post_id, LIVE, who=DIRECTOR)

        assert answer.status_code == 200, answer.text
        assert (answer.json()["state"], answer.json()["url"]) == ("published", URL)
        [event] = await received(reporting, "post.published")
        assert event["post_id"] == post.post_id
        assert event["url"] == URL
        assert event["channel"] == "fake"
        assert event["lateness_seconds"] == pytest.approx(late)
        done = await pub.post(post.post_id)
        assert done.state is PostState.PUBLISHED
        assert done.url == URL
        last = done.history[-1]
        assert (last["action"], last["actor"], last["from"]) == ("published", "liu", "unknown")
        assert last["note"] == LIVE["note"]
        [audit] = await pub.runtime.db["audit"].find({"action": "post.resolve"}).to_list(None)
        assert audit["actor"] == "liu"
        assert audit["target"] == post.post_id
        assert audit["details"]["outcome"] == "published"
        assert audit["details"]["note"] == LIVE["note"]
        assert audit["details"]["url"] == URL
        assert (
            metric_value(pub.runtime.registry, "publisher_posts_published_total", channel="fake")
            == 1
        )

        # the reconcile round still due finds the post settled and leaves it alone
        asked = pub.channel.status_calls[post.post_id]
        pub.channel.blind.discard(post.post_id)  # it would now even say "published"
        await pub.advance(timedelta(seconds=30), times=6)  # every round due runs
        assert pub.channel.status_calls[post.post_id] == asked
        assert len(await pub.events("post.published")) == 1
        assert (await pub.post(post.post_id)).state is PostState.PUBLISHED
        assert pub.channel.sent[post.post_id] == 1
        again = await resolve(pub.http, post.post_id, LIVE)
        assert again.status_code == 409
        assert "it is published" in again.json()["detail"]


async def test_resolved_not_published_with_retry_is_published_once_by_the_job(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        post = await unknown_post(pub, "d-not-out", "unknown_before_send", "ok")
        assert pub.channel.sent[post.post_id] == 0

        answer = await resolve(pub.http, post.post_id, RETRY)

        assert answer.status_code == 200, answer.text
        assert answer.json()["state"] == "scheduled"
        done = await pub.wait_state(post.post_id, PostState.PUBLISHED)
        assert pub.channel.calls[post.post_id] == 2
        assert pub.channel.sent[post.post_id] == 1
        assert pub.channel.requests[post.post_id][-1].confirmed_unsent_at is not None
        [event] = await pub.events("post.published")
        assert event["payload"]["url"] == f"https://example.test/{post.post_id}"
        actions = [(h["action"], h["actor"]) for h in done.history]
        assert actions[-3:] == [
            ("not_published", "rita"),
            ("submitting", "publisher"),
            ("published", "publisher"),
        ]
        assert done.escalated_at is None
        [audit] = await pub.runtime.db["audit"].find({"action": "post.resolve"}).to_list(None)
        assert audit["details"]["action"] == "retry"
        await pub.advance(timedelta(seconds=30), times=4)  # every round due runs
        assert pub.channel.sent[post.post_id] == 1
        assert len(await pub.events("post.published")) == 1


async def test_resolved_not_published_with_cancel_frees_the_seat_and_says_so(
    namespace: str, mongo_url: str
) -> None:
    async with (
        running_publisher(namespace, mongo_url) as pub,
        consumer(namespace, mongo_url) as reporting,
    ):
        post = await unknown_post(pub, "d-dropped", "unknown_before_send")

        answer = await resolve(pub.http, post.post_id, CANCEL)

        assert answer.status_code == 200, answer.text
        assert answer.json()["state"] == "cancelled"
        failed = await received(reporting, "post.failed", n=2)
        [cancelled] = [f for f in failed if f["code"] == "cancelled"]
        assert cancelled["post_id"] == post.post_id
        assert cancelled["needs_person"] is False
        assert CANCEL["note"] in cancelled["reason"]
        assert await pub.runtime.db["slot_assignments"].count_documents({}) == 0
        await pub.advance(timedelta(seconds=30), times=4)  # every round due runs
        assert (await pub.post(post.post_id)).state is PostState.CANCELLED
        assert pub.channel.calls[post.post_id] == 1
        assert (
            metric_value(pub.runtime.registry, "publisher_posts_failed_total", code="cancelled")
            == 1
        )


async def test_only_an_open_outcome_can_be_resolved_and_only_by_an_operator(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        [post] = await pub.approve(approval("d-still-scheduled"))

        scheduled = await resolve(pub.http, post.post_id, LIVE)
        by_editor = await resolve(pub.http, post.post_id, LIVE, who=EDITOR)
        missing = await resolve(pub.http, "p-nope", LIVE)

        assert scheduled.status_code == 409
        assert scheduled.headers["content-type"].startswith("application/problem+json")
        assert "it is scheduled" in scheduled.json()["detail"]
        assert by_editor.status_code == 403
        assert missing.status_code == 404
        assert (await pub.post(post.post_id)).state is PostState.SCHEDULED
        assert await pub.runtime.db["audit"].count_documents({"action": "post.resolve"}) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "maybe", "note": "n"}, "outcome"),
        ({"outcome": "published", "note": "n"}, "url"),
        ({"outcome": "published", "url": "ftp://mp.weixin.qq.com/s/x", "note": "n"}, "url"),
        ({"outcome": "published", "url": "mp.weixin.qq.com/s/x", "note": "n"}, "url"),
        (
            {"outcome": "published", "url": URL, "published_at": "2026-11-23T11:31", "note": "n"},
            "published_at",
        ),
        ({"outcome": "published", "url": URL}, "note"),
        ({"outcome": "published", "url": URL, "note": ""}, "note"),
        ({"outcome": "published", "url": URL, "note": "   "}, "note"),
        ({"outcome": "published", "url": URL, "action": "retry", "note": "n"}, "action"),
        ({"outcome": "not_published", "note": "n"}, "action"),
        ({"outcome": "not_published", "action": "later", "note": "n"}, "action"),
        ({"outcome": "not_published", "action": "retry", "url": URL, "note": "n"}, "url"),
        ({"outcome": "published", "url": URL, "msg_data_id": "12ab", "note": "n"}, "msg_data_id"),
    ],
)
async def test_a_malformed_resolution_is_refused_naming_the_field(
    namespace: str, mongo_url: str, body: dict[str, Any], field: str
) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        [post] = await pub.approve(approval("d-malformed"))
        await pub.runtime.db["posts"].update_one(
            {"_id": post.post_id}, {"$set": {"state": "unknown"}}
        )

        answer = await resolve(pub.http, post.post_id, body)

        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        problem = answer.json()
        assert field in problem["detail"]
        assert field in {e["field"] for e in problem["errors"]}
        assert (await pub.post(post.post_id)).state is PostState.UNKNOWN


@pytest.mark.parametrize(
    ("first", "second"), [(LIVE, LIVE), (LIVE, CANCEL), (RETRY, CANCEL), (RETRY, RETRY)]
)
async def test_two_resolutions_at_once_one_wins_the_other_is_refused(
    namespace: str, mongo_url: str, first: dict[str, Any], second: dict[str, Any]
) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        post = await unknown_post(pub, "d-twice", "unknown_before_send", "ok")

        answers = await asyncio.gather(
            resolve(pub.http, post.post_id, first),
            resolve(pub.http, post.post_id, second, who=DIRECTOR),
        )

        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        [won] = [body for a, body in zip(answers, (first, second), strict=True) if a.is_success]
        [lost] = [a for a in answers if a.status_code == 409]
        assert "cannot resolve" in lost.json()["detail"]
        assert await pub.runtime.db["audit"].count_documents({"action": "post.resolve"}) == 1
        if won is CANCEL:
            assert (await pub.post(post.post_id)).state is PostState.CANCELLED
            assert (await failed_codes(pub)).count("cancelled") == 1
        else:  # by the person or, after a retry, by the job: once
            await pub.wait_state(post.post_id, PostState.PUBLISHED)
            assert len(await pub.events("post.published")) == 1
        assert pub.channel.sent[post.post_id] <= 1


async def test_a_resolution_racing_the_reconcile_job_finding_it_published_emits_once(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        post = await unknown_post(pub, "d-both-see-it", "unknown_after_send")
        pub.channel.status_gate = asyncio.Event()
        pub.channel.status_entered.clear()

        async def asking() -> bool:
            pub.clock.advance(timedelta(seconds=1))  # the next reconcile round comes due
            return pub.channel.status_entered.is_set()

        await wait_for(asking, timeout=10, interval=0.05)
        # the reconcile job is now asking; when it hears back, the channel says published
        pub.channel.blind.discard(post.post_id)

        answer = await resolve(pub.http, post.post_id, LIVE)
        pub.channel.status_gate.set()

        assert answer.status_code == 200, answer.text
        await pub.advance(timedelta(seconds=30), times=6)  # every round due runs
        [event] = await pub.events("post.published")
        assert event["payload"]["url"] == URL  # the person's record, not the job's
        done = await pub.post(post.post_id)
        assert done.url == URL
        assert [h["action"] for h in done.history].count("published") == 1
        assert (
            metric_value(pub.runtime.registry, "publisher_posts_published_total", channel="fake")
            == 1
        )


# -- on the WeChat channel (fake WeChat server) ----------------------------------------
async def wechat_unknown_post(wx: WeChatPublisher, draft_id: str) -> Post:
    post = await schedule_approved_post(approval(draft_id), deps=wx.deps)
    wx.clock.set(MONDAY)

    async def escalated() -> bool:
        wx.clock.advance(timedelta(seconds=1))
        now = await wx.deps.posts.get(post.post_id)
        return now is not None and now.state is PostState.UNKNOWN and bool(now.escalated_at)

    await wait_for(escalated, timeout=15, interval=0.05)
    return post


async def test_on_wechat_a_lost_submit_confirmed_unsent_is_submitted_once_more(
    namespace: str, mongo_url: str
) -> None:
    async with wechat_publisher(namespace, mongo_url) as wx:
        wx.fake.state.inject(SUBMIT, "timeout", delay=LOST_ANSWER_DELAY_SECONDS, apply_effect=False)
        post = await wechat_unknown_post(wx, "d-wx-retry")
        [media_id] = wx.fake.state.drafts
        assert wx.fake.state.published_count(media_id) == 0

        answer = await resolve(wx.http, post.post_id, RETRY)

        assert answer.status_code == 200, answer.text

        async def published() -> bool:
            wx.clock.advance(timedelta(seconds=1))
            now = await wx.deps.posts.get(post.post_id)
            return now is not None and now.state is PostState.PUBLISHED

        await wait_for(published, timeout=15, interval=0.05)
        assert wx.fake.state.calls[SUBMIT] == 2
        assert wx.fake.state.published_count(media_id) == 1
        assert list(wx.fake.state.drafts) == [media_id]
        docs = await wx.runtime.db["outbox"].find({"event_type": "post.published"}).to_list(None)
        assert len(docs) == 1


async def test_on_wechat_a_lost_submit_seen_live_is_recorded_published(
    namespace: str, mongo_url: str
) -> None:
    async with wechat_publisher(namespace, mongo_url) as wx:
        # WeChat took it; the answer is lost
        wx.fake.state.inject(SUBMIT, "timeout", delay=LOST_ANSWER_DELAY_SECONDS)
        post = await wechat_unknown_post(wx, "d-wx-live")

        answer = await resolve(wx.http, post.post_id, LIVE)

        assert answer.status_code == 200, answer.text
        for _ in range(5):  # every reconcile round due runs
            wx.clock.advance(timedelta(seconds=30))
            await jobs_caught_up(wx.runtime, wx.clock)
        done = await wx.deps.posts.get(post.post_id)
        assert done is not None
        assert (done.state, done.url) == (PostState.PUBLISHED, URL)
        [media_id] = wx.fake.state.drafts
        assert wx.fake.state.published_count(media_id) == 1
        assert wx.fake.state.calls[SUBMIT] == 1
        docs = await wx.runtime.db["outbox"].find({"event_type": "post.published"}).to_list(None)
        assert len(docs) == 1
