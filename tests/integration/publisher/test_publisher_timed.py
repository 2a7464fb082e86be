"""Timed publishing in one process: on time, late within grace, missed, unclear answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from publisher_support import MONDAY, approval, running_publisher

from services.publisher.domain import PostState
from tests.support.metrics import metric_value

pytestmark = pytest.mark.integration


async def test_a_due_post_is_published_once_at_its_slot_with_its_event(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        [post] = await pub.approve(approval("d-on-time"))
        assert post.state is PostState.SCHEDULED
        assert post.slot_key == "publish:2026-11-23T11:30+08:00"

        pub.clock.set(MONDAY + timedelta(seconds=0.3))
        done = await pub.wait_state(post.post_id, PostState.PUBLISHED)

        assert pub.channel.sent[post.post_id] == 1
        assert done.url == f"https://example.test/{post.post_id}"
        assert done.lateness_seconds == pytest.approx(0.3)
        [event] = await pub.events("post.published")
        payload = event["payload"]
        assert payload["post_id"] == post.post_id
        assert payload["slot_key"] == post.slot_key
        assert payload["lateness_seconds"] == pytest.approx(0.3)
        assert payload["channel_ids"] == {"publish_id": f"pub-{post.post_id}"}
        assert [h["action"] for h in done.history] == ["scheduled", "submitting", "published"]
        assert (
            metric_value(pub.runtime.registry, "publisher_posts_published_total", channel="fake")
            == 1
        )


async def test_a_slot_missed_within_grace_is_published_late_and_beyond_grace_is_missed(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url, grace_seconds=3600) as pub:
        late, lost = await pub.approve(approval("d-late"), approval("d-lost", slot=None))
        # the second took the next free slot after Monday's: Wednesday
        assert lost.slot_at == MONDAY.astimezone(lost.slot_at.tzinfo) + timedelta(days=2)

        pub.clock.set(MONDAY + timedelta(minutes=30))  # replicas were down at 11:30
        published = await pub.wait_state(late.post_id, PostState.PUBLISHED)
        assert published.lateness_seconds == pytest.approx(1800)

        pub.clock.set(lost.slot_at + timedelta(hours=3))
        missed = await pub.wait_state(lost.post_id, PostState.MISSED)
        assert pub.channel.calls[lost.post_id] == 0
        assert missed.failure is not None
        assert missed.failure["code"] == "missed"
        [failed] = await pub.events("post.failed")
        assert failed["payload"]["code"] == "missed"
        assert failed["payload"]["needs_person"] is True
        assert metric_value(pub.runtime.registry, "publisher_slots_missed_total") == 1


async def test_content_that_no_longer_matches_its_approval_is_never_sent(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        [post] = await pub.approve(approval("d-tampered"))
        await pub.runtime.db["posts"].update_one(
            {"_id": post.post_id}, {"$set": {"content.body_html": "<p>改过的内容</p>"}}
        )
        pub.clock.set(MONDAY)
        failed = await pub.wait_state(post.post_id, PostState.FAILED)
        assert pub.channel.calls[post.post_id] == 0
        assert failed.failure is not None
        assert failed.failure["code"] == "hash_mismatch"
        [event] = await pub.events("post.failed")
        assert event["payload"]["code"] == "hash_mismatch"


async def test_an_unclear_answer_is_reconciled_not_resubmitted(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        [post] = await pub.approve(approval("d-unclear"))
        pub.channel.script[post.post_id] = ["unknown_after_send"]
        pub.clock.set(MONDAY + timedelta(seconds=1))
        unknown = await pub.wait_state(post.post_id, PostState.UNKNOWN)
        assert unknown.last_error == "answer lost"

        done = await pub.wait_state(post.post_id, PostState.PUBLISHED, tick=timedelta(seconds=1))

        assert pub.channel.calls[post.post_id] == 1
        assert pub.channel.sent[post.post_id] == 1
        assert pub.channel.status_calls[post.post_id] >= 1
        assert [h["action"] for h in done.history][-2:] == ["unknown", "published"]
        assert len(await pub.events("post.published")) == 1
        assert (
            metric_value(pub.runtime.registry, "publisher_unknown_outcomes_total", channel="fake")
            == 1
        )


async def test_a_confirmed_non_publication_is_tried_again(namespace: str, mongo_url: str) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        [post] = await pub.approve(approval("d-not-sent"))
        pub.channel.script[post.post_id] = ["unknown_before_send", "ok"]
        pub.clock.set(MONDAY)

        await pub.wait_state(post.post_id, PostState.PUBLISHED, tick=timedelta(seconds=1))

        assert pub.channel.calls[post.post_id] == 2
        assert pub.channel.sent[post.post_id] == 1


async def test_transient_failures_are_retried_and_permanent_ones_reported(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url, posts_per_slot=2) as pub:
        flaky, refused = await pub.approve(approval("d-flaky"), approval("d-refused"))
        pub.channel.script[flaky.post_id] = ["transient", "transient", "ok"]
        pub.channel.script[refused.post_id] = ["permanent"]
        pub.clock.set(MONDAY)

        await pub.wait_state(flaky.post_id, PostState.PUBLISHED, tick=timedelta(seconds=1))
        failed = await pub.wait_state(refused.post_id, PostState.FAILED)

        assert pub.channel.calls[flaky.post_id] == 3
        assert pub.channel.sent[flaky.post_id] == 1
        assert failed.failure is not None
        assert failed.failure["code"] == "channel_error"
        [event] = await pub.events("post.failed")
        assert event["payload"]["post_id"] == refused.post_id
