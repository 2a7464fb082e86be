"""The post decides its transitions, pure: what each is fenced by, sets, and emits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.publisher.channels import PublishOutcome, PublishState
from services.publisher.domain import Guard, Post, PostState
from services.publisher.domain.transition import HISTORY_LIMIT
from services.publisher.errors import TransitionRefused
from shared.calendar import Slot
from shared.events import Category, ContentSnapshot

SLOT = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
NOW = SLOT - timedelta(hours=1)
SNAPSHOT = ContentSnapshot(title="标题", category=Category.HR, body_html="<p>正文</p>", author="e")
FRIDAY = Slot(
    key="publish:2026-11-27T11:30+08:00",
    at=SLOT + timedelta(days=4),
    local=(SLOT + timedelta(days=4)).astimezone(),
)


def make_post(**overrides: Any) -> Post:
    fields: dict[str, Any] = {
        "post_id": "p-d-1-r1",
        "draft_id": "d-1",
        "revision": 1,
        "review_id": "r-1",
        "reviewer": "rita",
        "approved_at": SLOT - timedelta(days=1),
        "approval_event_id": "e-1",
        "correlation_id": "c-1",
        "content": SNAPSHOT.model_dump(mode="json"),
        "content_hash": SNAPSHOT.content_hash(),
        "title": SNAPSHOT.title,
        "category": SNAPSHOT.category,
        "state": PostState.SCHEDULED,
        "slot_key": "publish:2026-11-23T11:30+08:00",
        "slot_at": SLOT,
        "seat": 0,
        "rev": 3,
        "job_key": "publish-post:p-d-1-r1:3",
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Post(**(fields | overrides))


def test_a_command_is_fenced_by_the_state_and_revision_it_read() -> None:
    post = make_post()
    moved = post.reschedule(FRIDAY, 1, actor="rita", now=NOW)
    assert moved.guard == Guard((PostState.SCHEDULED,), rev=3)
    assert moved.guard.fields() == {"state": (PostState.SCHEDULED,), "rev": 3}
    after = moved.applied_to(post)
    assert (after.slot_key, after.seat, after.rev, after.job_key) == (
        FRIDAY.key,
        1,
        4,
        "publish-post:p-d-1-r1:4",
    )
    assert not moved.guard.admits(after)  # the same command a second time changes nothing
    assert after.history[-1]["previous_slot_key"] == post.slot_key


def test_a_paused_post_rescheduled_stays_paused_without_a_job() -> None:
    after = (
        make_post(state=PostState.PAUSED)
        .reschedule(FRIDAY, 1, actor="rita", now=NOW)
        .applied_to(make_post(state=PostState.PAUSED))
    )
    assert (after.state, after.job_key) == (PostState.PAUSED, None)


@pytest.mark.parametrize("state", [PostState.SUBMITTING, PostState.PUBLISHED])
def test_commands_are_refused_once_publishing_started(state: PostState) -> None:
    post = make_post(state=state)
    with pytest.raises(TransitionRefused):
        post.cancel(reason="r", actor="rita", now=NOW)
    with pytest.raises(TransitionRefused):
        post.pause(actor="rita", now=NOW)


def test_submitting_is_fenced_by_the_revision_and_counts_the_attempt() -> None:
    post = make_post()
    step = post.start_submitting(fence=7, channel="wechat", now=SLOT)
    assert step.guard == Guard((PostState.SCHEDULED,), rev=3)
    after = step.applied_to(post)
    assert (after.state, after.submit_fence, after.attempts) == (PostState.SUBMITTING, 7, 1)
    assert step.event is None


def test_an_answer_counts_only_under_the_fence_that_made_the_call() -> None:
    post = make_post(state=PostState.SUBMITTING, submit_fence=7)
    outcome = PublishOutcome(
        state=PublishState.PUBLISHED, channel="wechat", post_id=post.post_id, url="https://x.t/1"
    )
    published = post.publish(outcome, guard=Guard.open_under(7), actor="publisher", now=SLOT)
    assert published.guard.admits(post)
    assert published.guard.admits(post.model_copy(update={"state": PostState.UNKNOWN}))
    assert not published.guard.admits(post.model_copy(update={"submit_fence": 8}))
    assert not published.guard.admits(post.model_copy(update={"state": PostState.PUBLISHED}))
    assert published.event is not None
    assert published.event.EVENT_TYPE == "post.published"


def test_a_rearm_is_a_new_revision_and_clears_the_escalation() -> None:
    post = make_post(state=PostState.UNKNOWN, escalated_at=NOW, unknown_since=NOW)
    after = post.rearm(
        guard=Guard.as_read(post), actor="publisher", now=SLOT, reason="not sent"
    ).applied_to(post)
    assert (after.state, after.rev, after.escalated_at, after.unknown_since) == (
        PostState.SCHEDULED,
        4,
        None,
        None,
    )


def test_the_history_keeps_its_last_lines() -> None:
    post = make_post(history=[{"action": str(i)} for i in range(HISTORY_LIMIT)])
    after = post.pause(actor="rita", now=NOW).applied_to(post)
    assert len(after.history) == HISTORY_LIMIT
    assert after.history[-1]["action"] == "paused"
    assert after.history[0]["action"] == "1"
