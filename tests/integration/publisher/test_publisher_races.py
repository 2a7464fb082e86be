"""Reschedule and cancel racing the publishing job: exactly one wins, every time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from publisher_support import (
    MONDAY,
    WEDNESDAY,
    Publisher,
    approval,
    jobs_caught_up,
    running_publisher,
)

from services.publisher.domain import PostState
from tests.support.services import auth

pytestmark = pytest.mark.integration

REVIEWER = auth("reviewer-token-0000000001")
POSTS = 8


async def _settled(pub: Publisher, post_id: str) -> PostState:
    post = await pub.wait_state(
        post_id, PostState.PUBLISHED, PostState.CANCELLED, PostState.SCHEDULED
    )
    return post.state


async def _race(pub: Publisher, command: str, body: dict[str, str]) -> list[httpx.Response]:
    posts = await pub.approve(*(approval(f"d-{command}-{i}") for i in range(POSTS)))
    assert {p.slot_key for p in posts} == {"publish:2026-11-23T11:30+08:00"}
    pub.clock.set(MONDAY)  # every job is due now; the commands go in at the same moment

    async def command_after(delay: float, post_id: str) -> httpx.Response:
        # Pacing, not a wait for nothing to happen: the commands are spread over the
        # moment the job claims its posts, so some land before and some after; the checks
        # below hold whichever side each one lands on, and fail if both sides win.
        await asyncio.sleep(delay)
        return await pub.http.post(f"/posts/{post_id}/{command}", json=body, headers=REVIEWER)

    return await asyncio.gather(*(command_after(0.025 * i, p.post_id) for i, p in enumerate(posts)))


async def test_cancel_racing_the_job_either_stops_the_post_or_is_refused(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url, posts_per_slot=POSTS) as pub:
        answers = await _race(pub, "cancel", {"reason": "race"})
        for answer in answers:
            post_id = answer.request.url.path.split("/")[2]
            if answer.status_code == 200:  # the cancel won: never published, now or later
                assert await _settled(pub, post_id) is PostState.CANCELLED
                assert pub.channel.calls[post_id] == 0
            else:  # the job won: published exactly once
                assert answer.status_code == 409, answer.text
                assert await _settled(pub, post_id) is PostState.PUBLISHED
                assert pub.channel.sent[post_id] == 1
        # a wrongly surviving job would run now: every job due in the next hour has run
        await pub.advance(timedelta(hours=1))
        assert sum(pub.channel.sent.values()) == sum(a.status_code == 409 for a in answers)
        published = await pub.events("post.published")
        assert len(published) == sum(pub.channel.sent.values())


async def test_reschedule_racing_the_job_either_moves_the_post_or_is_refused(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url, posts_per_slot=POSTS) as pub:
        answers = await _race(pub, "reschedule", {"slot": WEDNESDAY.isoformat()})
        moved = []
        for answer in answers:
            post_id = answer.request.url.path.split("/")[2]
            if answer.status_code == 200:
                moved.append(post_id)
                post = await pub.post(post_id)
                assert post.state is PostState.SCHEDULED
                assert post.slot_key == "publish:2026-11-25T11:30+08:00"
            else:
                assert answer.status_code == 409, answer.text
                assert await _settled(pub, post_id) is PostState.PUBLISHED
        await jobs_caught_up(pub.runtime, pub.clock)  # every job due on Monday has run
        assert all(pub.channel.calls[p] == 0 for p in moved)  # not at Monday's slot

        pub.clock.set(WEDNESDAY)
        for post_id in moved:
            await pub.wait_state(post_id, PostState.PUBLISHED)
        assert all(n == 1 for n in pub.channel.sent.values())
        assert len(pub.channel.sent) == POSTS


async def test_a_post_already_submitting_can_be_neither_cancelled_nor_moved(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        [post] = await pub.approve(approval("d-in-flight"))
        pub.channel.gate = asyncio.Event()  # the channel is slow to answer
        pub.clock.set(MONDAY)
        await pub.wait_state(post.post_id, PostState.SUBMITTING)

        cancel = await pub.http.post(
            f"/posts/{post.post_id}/cancel", json={"reason": "too late"}, headers=REVIEWER
        )
        move = await pub.http.post(
            f"/posts/{post.post_id}/reschedule",
            json={"slot": WEDNESDAY.isoformat()},
            headers=REVIEWER,
        )
        hold = await pub.http.post("/calendar/hold", json={"reason": "stop"}, headers=REVIEWER)
        pub.channel.gate.set()

        assert cancel.status_code == 409
        assert "publishing has started" in cancel.json()["detail"]
        assert move.status_code == 409
        assert [p["post_id"] for p in hold.json()["in_flight"]] == [post.post_id]
        await pub.wait_state(post.post_id, PostState.PUBLISHED)
        assert pub.channel.sent[post.post_id] == 1
