"""The post's rules, pure: ids, allowed commands, what a due job does, content checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.publisher.channels import PublishOutcome, PublishState
from services.publisher.domain import (
    Command,
    DueAction,
    Post,
    PostState,
    decide_due,
    post_id_for,
    publish_request,
    verified_content,
)
from services.publisher.domain.events import published_event
from services.publisher.domain.slots import Due, free_seats
from services.publisher.errors import ContentMismatch, TransitionRefused
from shared.events import Category, ContentSnapshot, PictureOrigin, PictureRef

SLOT = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
GRACE = timedelta(hours=2)
TOLERANCE = timedelta(minutes=1)
SNAPSHOT = ContentSnapshot(
    title="标题",
    category=Category.HR,
    body_html="<p>正文</p>",
    author="erin",
    pictures=(
        PictureRef(
            material_id="m-1",
            url="https://img.example.test/cover.jpg",
            origin=PictureOrigin(
                library="视觉中国",
                url="https://img.example.test/",
                credit="someone",
                licence="licensed",
            ),
            is_cover=True,
        ),
    ),
)


def make_post(**overrides: Any) -> Post:
    fields: dict[str, Any] = {
        "post_id": "p-d-1-r1",
        "draft_id": "d-1",
        "revision": 1,
        "review_id": "r-1",
        "reviewer": "rita",
        "approved_at": SLOT - timedelta(hours=3),
        "approval_event_id": "e-1",
        "correlation_id": "d-1",
        "content": SNAPSHOT.model_dump(mode="json"),
        "content_hash": SNAPSHOT.content_hash(),
        "title": SNAPSHOT.title,
        "category": Category.HR,
        "state": PostState.SCHEDULED,
        "slot_key": "publish:2026-11-23T11:30+08:00",
        "slot_at": SLOT,
        "rev": 2,
        "created_at": SLOT - timedelta(hours=3),
        "updated_at": SLOT - timedelta(hours=3),
    }
    fields.update(overrides)
    return Post(**fields)


class TestPostIds:
    def test_readable_when_the_draft_id_is_safe(self) -> None:
        assert post_id_for("d-9c1f2b7a", 3) == "p-d-9c1f2b7a-r3"

    @pytest.mark.parametrize("draft_id", ["草稿/1", "../x", "d" * 64])
    def test_hashed_when_it_is_not_and_always_stable(self, draft_id: str) -> None:
        post_id = post_id_for(draft_id, 2)
        assert post_id == post_id_for(draft_id, 2)
        assert post_id != post_id_for(draft_id, 3)
        assert post_id.startswith("p-")
        assert post_id.endswith("-r2")
        assert len(post_id) <= 64
        assert "/" not in post_id


class TestCommands:
    @pytest.mark.parametrize(
        ("state", "command"),
        [
            (PostState.SCHEDULED, Command.CANCEL),
            (PostState.PAUSED, Command.CANCEL),
            (PostState.MISSED, Command.RESCHEDULE),
            (PostState.SCHEDULED, Command.PAUSE),
            (PostState.PAUSED, Command.RESUME),
        ],
    )
    def test_allowed_before_publishing_starts(self, state: PostState, command: Command) -> None:
        make_post(state=state).check(command)

    @pytest.mark.parametrize("state", [PostState.SUBMITTING, PostState.PENDING, PostState.UNKNOWN])
    def test_refused_once_publishing_has_started(self, state: PostState) -> None:
        with pytest.raises(TransitionRefused, match="publishing has started"):
            make_post(state=state).check(Command.CANCEL)

    def test_refused_for_a_finished_post(self) -> None:
        with pytest.raises(TransitionRefused, match="it is published"):
            make_post(state=PostState.PUBLISHED).check(Command.RESCHEDULE)


class TestDueJobs:
    def test_on_time_and_late_posts_are_published_and_old_ones_missed(self) -> None:
        post = make_post()
        on_time = decide_due(post, rev=2, fence=1, now=SLOT, grace=GRACE, tolerance=TOLERANCE)
        late = decide_due(
            post, rev=2, fence=1, now=SLOT + timedelta(hours=1), grace=GRACE, tolerance=TOLERANCE
        )
        missed = decide_due(
            post, rev=2, fence=1, now=SLOT + timedelta(hours=3), grace=GRACE, tolerance=TOLERANCE
        )
        assert on_time == (DueAction.PUBLISH, Due.ON_TIME)
        assert late == (DueAction.PUBLISH, Due.LATE_WITHIN_GRACE)
        assert missed == (DueAction.MISS, Due.MISSED)

    def test_a_job_of_an_older_schedule_or_a_gone_post_does_nothing(self) -> None:
        args: dict[str, Any] = {"fence": 1, "now": SLOT, "grace": GRACE, "tolerance": TOLERANCE}
        assert decide_due(make_post(), rev=1, **args)[0] is DueAction.SKIP
        assert decide_due(None, rev=2, **args)[0] is DueAction.SKIP
        paused = make_post(state=PostState.PAUSED)
        assert decide_due(paused, rev=2, **args)[0] is DueAction.SKIP

    def test_a_post_left_submitting_by_an_older_fence_is_taken_over(self) -> None:
        post = make_post(state=PostState.SUBMITTING, submit_fence=1)
        args: dict[str, Any] = {"now": SLOT, "grace": GRACE, "tolerance": TOLERANCE}
        assert decide_due(post, rev=2, fence=2, **args)[0] is DueAction.TAKE_OVER
        assert decide_due(post, rev=2, fence=1, **args)[0] is DueAction.SKIP


class TestContent:
    def test_the_request_is_exactly_the_approved_snapshot(self) -> None:
        post = make_post()
        snapshot = verified_content(post.content, post.content_hash)
        request = publish_request(post, snapshot)
        assert request.content_hash == SNAPSHOT.content_hash()
        assert request.cover_url == "https://img.example.test/cover.jpg"
        assert request.picture_urls == ()
        assert (request.title, request.body_html) == (SNAPSHOT.title, SNAPSHOT.body_html)

    def test_changed_content_is_refused(self) -> None:
        post = make_post()
        changed = {**post.content, "body_html": "<p>别的</p>"}
        with pytest.raises(ContentMismatch, match="hashes to"):
            verified_content(changed, post.content_hash)
        with pytest.raises(ContentMismatch, match="no longer a valid snapshot"):
            verified_content({"title": ""}, post.content_hash)


def test_a_slot_offers_the_seats_not_yet_taken() -> None:
    assert free_seats(set(), 2) == [0, 1]
    assert free_seats({0}, 2) == [1]
    assert free_seats({1}, 3) == [0, 2]
    assert free_seats({0, 1}, 2) == []


def test_the_published_event_keeps_every_channel_id_and_the_lateness() -> None:
    post = make_post(channel_ids={"msg_data_id": "2247490001"})
    outcome = PublishOutcome(
        state=PublishState.PUBLISHED,
        channel="wechat",
        post_id=post.post_id,
        publish_id="2247480001",
        article_id="a-1",
        url="https://mp.weixin.qq.com/s?x",
    )
    event = published_event(post, outcome, published_at=SLOT + timedelta(seconds=0.4))
    assert event.payload.channel_ids == {
        "msg_data_id": "2247490001",
        "publish_id": "2247480001",
        "article_id": "a-1",
    }
    assert event.payload.lateness_seconds == pytest.approx(0.4)
    assert event.correlation_id == "d-1"
