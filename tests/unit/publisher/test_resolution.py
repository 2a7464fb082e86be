"""A person's resolution of an unknown outcome, pure: what is well-formed, when it applies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.publisher.channels import PublishState
from services.publisher.domain import Post, PostState, retry_due_at
from services.publisher.domain.events import published_event
from services.publisher.domain.resolution import (
    Resolution,
    ResolveAction,
    ResolveOutcome,
    check_resolution,
    resolution,
    vouched_outcome,
)
from services.publisher.errors import InvalidResolution, RetryRefused, TransitionRefused
from shared.events import Category, ContentSnapshot

SLOT = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
NOW = SLOT + timedelta(minutes=40)
URL = "https://mp.weixin.qq.com/s/AbCdEf"
PUBLISHED = ResolveOutcome.PUBLISHED
NOT_PUBLISHED = ResolveOutcome.NOT_PUBLISHED
SNAPSHOT = ContentSnapshot(title="标题", category=Category.HR, body_html="<p>正文</p>", author="e")


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
        "state": PostState.UNKNOWN,
        "slot_key": "publish:2026-11-23T11:30+08:00",
        "slot_at": SLOT,
        "channel": "wechat",
        "created_at": SLOT - timedelta(hours=3),
        "updated_at": SLOT,
    }
    fields.update(overrides)
    return Post(**fields)


def invalid_field(**kwargs: Any) -> str:
    outcome = kwargs.pop("outcome", PUBLISHED)
    kwargs.setdefault("note", "checked the back office")
    with pytest.raises(InvalidResolution) as caught:
        resolution(outcome, now=NOW, **kwargs)
    return caught.value.field


class TestWellFormed:
    def test_published_with_its_url_and_a_note(self) -> None:
        res = resolution(PUBLISHED, url=f" {URL} ", note="  seen live  ", now=NOW)
        assert res == Resolution(outcome=PUBLISHED, note="seen live", url=URL)

    def test_published_at_a_given_instant(self) -> None:
        at = SLOT + timedelta(minutes=5)
        res = resolution(PUBLISHED, url=URL, published_at=at, note="n", now=NOW)
        assert res.published_at == at

    @pytest.mark.parametrize("action", list(ResolveAction))
    def test_not_published_with_what_to_do(self, action: ResolveAction) -> None:
        res = resolution(NOT_PUBLISHED, action=action, note="nothing in history", now=NOW)
        assert (res.action, res.url, res.published_at) == (action, None, None)

    @pytest.mark.parametrize("note", ["", "   ", "x" * 501])
    def test_a_note_is_required(self, note: str) -> None:
        assert invalid_field(url=URL, note=note) == "note"

    def test_published_needs_a_url_and_no_action(self) -> None:
        assert invalid_field() == "url"
        assert invalid_field(url=URL, action=ResolveAction.RETRY) == "action"

    @pytest.mark.parametrize(
        "url",
        [
            "ftp://mp.weixin.qq.com/s/x",
            "javascript:alert(1)",
            "mp.weixin.qq.com/s/x",
            "/s/x",
            "https://",
            "https://mp.weixin.qq.com/s/a b",
            "http://[::1",
            "https://x.test/" + "a" * 2048,
        ],
    )
    def test_the_url_is_an_absolute_http_address(self, url: str) -> None:
        assert invalid_field(url=url) == "url"

    def test_published_at_is_aware_and_not_in_the_future(self) -> None:
        naive = datetime(2026, 11, 23, 11, 35)
        assert invalid_field(url=URL, published_at=naive) == "published_at"
        assert invalid_field(url=URL, published_at=NOW + timedelta(minutes=1)) == "published_at"

    def test_not_published_needs_an_action_and_nothing_of_a_publication(self) -> None:
        retry = ResolveAction.RETRY
        assert invalid_field(outcome=NOT_PUBLISHED) == "action"
        assert invalid_field(outcome=NOT_PUBLISHED, action=retry, url=URL) == "url"
        assert invalid_field(outcome=NOT_PUBLISHED, action=retry, published_at=SLOT) == (
            "published_at"
        )


class TestWhenItApplies:
    RETRY = Resolution(outcome=NOT_PUBLISHED, note="n", action=ResolveAction.RETRY)
    CANCEL = Resolution(outcome=NOT_PUBLISHED, note="n", action=ResolveAction.CANCEL)
    LIVE = Resolution(outcome=PUBLISHED, note="n", url=URL)

    @pytest.mark.parametrize("state", [PostState.UNKNOWN, PostState.PENDING])
    def test_a_post_whose_outcome_is_open(self, state: PostState) -> None:
        for res in (self.LIVE, self.CANCEL):
            check_resolution(make_post(state=state, publish_id="2247480001"), res)
        check_resolution(make_post(state=state), self.RETRY)

    @pytest.mark.parametrize(
        "state",
        [
            PostState.SCHEDULED,
            PostState.PAUSED,
            PostState.SUBMITTING,
            PostState.PUBLISHED,
            PostState.FAILED,
            PostState.MISSED,
            PostState.CANCELLED,
        ],
    )
    def test_refused_naming_the_state_otherwise(self, state: PostState) -> None:
        with pytest.raises(TransitionRefused, match=f"it is {state}") as caught:
            check_resolution(make_post(state=state), self.LIVE)
        assert "only when pending, unknown" in str(caught.value)

    def test_no_retry_while_the_channel_holds_a_job_for_the_post(self) -> None:
        post = make_post(state=PostState.PENDING, publish_id="2247480001")
        with pytest.raises(RetryRefused, match="2247480001"):
            check_resolution(post, self.RETRY)


class TestWhatItRecords:
    def test_the_vouched_outcome_makes_the_same_event_as_the_channel_would(self) -> None:
        post = make_post(publish_id="2247480001", channel_ids={"msg_data_id": "9"})
        res = Resolution(outcome=PUBLISHED, note="n", url=URL)
        outcome = vouched_outcome(post, res, channel="wechat", now=NOW)

        assert outcome.state is PublishState.PUBLISHED
        assert outcome.published_at == NOW
        event = published_event(post, outcome, published_at=NOW)
        assert event.payload.url == URL
        assert event.payload.channel == "wechat"
        assert event.payload.channel_ids == {"msg_data_id": "9", "publish_id": "2247480001"}
        assert event.payload.lateness_seconds == pytest.approx(2400)

    def test_a_msg_data_id_read_off_the_account_reaches_feedback(self) -> None:
        """Given by the person, it goes into post.published so comments can be polled."""
        res = resolution(PUBLISHED, url=URL, msg_data_id="2247490098", note="n", now=NOW)
        outcome = vouched_outcome(make_post(), res, channel="wechat", now=NOW)
        event = published_event(make_post(), outcome, published_at=NOW)
        assert event.payload.channel_ids == {"msg_data_id": "2247490098"}
        assert invalid_field(url=URL, msg_data_id="22474x") == "msg_data_id"
        retry = ResolveAction.RETRY
        assert invalid_field(outcome=NOT_PUBLISHED, action=retry, msg_data_id="1") == (
            "msg_data_id"
        )

    def test_a_given_publication_instant_is_kept(self) -> None:
        at = SLOT + timedelta(seconds=3)
        res = Resolution(outcome=PUBLISHED, note="n", url=URL, published_at=at)
        assert vouched_outcome(make_post(), res, channel="wechat", now=NOW).published_at == at

    def test_a_retry_is_due_now_but_never_before_its_slot(self) -> None:
        assert retry_due_at(SLOT, NOW) == NOW
        assert retry_due_at(NOW, SLOT) == NOW
