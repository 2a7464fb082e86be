"""Approvals arrive as ``draft.approved`` events; slots fill race-free across replicas."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections import Counter
from pathlib import Path

import aio_pika
import pytest
from publisher_support import BEFORE_MONDAY, approval, snapshot

from services.publisher.bootstrap import build_service
from services.publisher.deps import PublisherDeps
from services.publisher.domain import PostState
from services.publisher.settings import PublisherSettings
from shared.clock import FixedClock
from shared.events import DraftApproved
from shared.runtime import ServiceRuntime
from shared.topology import Topology
from tests.support.backbone import emit, recording_runtime, wait_for
from tests.support.metrics import metric_value
from tests.support.servers import RABBIT_URL
from tests.support.services import make_settings

pytestmark = pytest.mark.integration


def _replica(
    namespace: str, mongo_url: str, **extra: object
) -> tuple[ServiceRuntime, PublisherDeps]:
    extra.setdefault("local_dir", str(Path(tempfile.gettempdir()) / f"{namespace}published"))
    settings = make_settings(PublisherSettings, namespace, mongo_url, **extra)
    service = build_service(settings, clock=FixedClock(BEFORE_MONDAY))
    return service.runtime, service.deps


async def _redeliver(namespace: str, event: DraftApproved) -> None:
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(Topology(namespace=namespace).exchange.name)
        await exchange.publish(
            aio_pika.Message(
                event.model_dump_json().encode(),
                message_id=str(event.event_id),
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                content_type="application/json",
            ),
            routing_key="draft.approved",
            mandatory=True,
        )


async def _dlq_reason(namespace: str) -> str | None:
    names = Topology(namespace=namespace).names("publisher", "draft.approved")
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(names.dlq, ensure=False)
        msg = await queue.get(fail=False, no_ack=True)
        return None if msg is None else str((msg.headers or {})["x-dlq-reason"])


async def test_approvals_fill_slots_race_free_across_two_replicas(
    namespace: str, mongo_url: str, tmp_path: object
) -> None:
    one, deps_one = _replica(namespace, mongo_url, posts_per_slot=2, local_dir=str(tmp_path))
    two, deps_two = _replica(namespace, mongo_url, posts_per_slot=2, local_dir=str(tmp_path))
    review = recording_runtime("review", namespace, mongo_url)
    async with contextlib.AsyncExitStack() as stack:
        for runtime in (one, two, review):
            await runtime.start()
            stack.push_async_callback(runtime.stop)
        events = [approval(f"d-{i}") for i in range(6)]  # all wish Monday 11:30
        await emit(review, *events)
        await _redeliver(namespace, events[0])  # the broker delivers one event twice
        await emit(review, approval("d-0"))  # review approves the same revision again

        async def all_scheduled() -> bool:
            return await one.db["posts"].count_documents({}) == 6

        await wait_for(all_scheduled, timeout=20)
        posts = [p async for p in one.db["posts"].find({})]
        per_slot = Counter(p["slot_key"] for p in posts)
        assert per_slot == {
            "publish:2026-11-23T11:30+08:00": 2,
            "publish:2026-11-25T11:30+08:00": 2,
            "publish:2026-11-27T11:30+08:00": 2,
        }
        seats = [s async for s in one.db["slot_assignments"].find({})]
        assert sorted(s["_id"] for s in seats) == sorted(
            f"{p['slot_key']}#{p['seat']}" for p in posts
        )
        assert await one.db["jobs"].count_documents({"kind": "publish"}) == 6

        async def duplicates_seen() -> bool:
            both = [one, two]
            redelivered = sum(
                metric_value(
                    rt.registry,
                    "contentops_duplicate_events_total",
                    queue=f"{namespace}publisher.draft.approved",
                )
                for rt in both
            )
            return redelivered == 1 and await one.db["inbox"].count_documents({}) == 7

        await wait_for(duplicates_seen)
        assert all(p["state"] == PostState.SCHEDULED for p in posts)
        repeated = sum(
            metric_value(
                rt.registry, "publisher_duplicates_prevented_total", reason="approval_repeated"
            )
            for rt in (one, two)
        )
        assert repeated == 1


async def test_an_approval_whose_content_does_not_match_its_hash_goes_to_the_dlq(
    namespace: str, mongo_url: str
) -> None:
    publisher, _ = _replica(namespace, mongo_url)
    review = recording_runtime("review", namespace, mongo_url)
    async with contextlib.AsyncExitStack() as stack:
        for runtime in (publisher, review):
            await runtime.start()
            stack.push_async_callback(runtime.stop)
        other_hash = snapshot("另一篇").content_hash()
        await emit(review, approval("d-bad", content_hash=other_hash))

        reason = None

        async def dead_lettered() -> bool:
            nonlocal reason
            reason = await _dlq_reason(namespace)
            return reason is not None

        await wait_for(dead_lettered)
        assert reason == "hash_mismatch"
        assert await publisher.db["posts"].count_documents({}) == 0


async def test_a_newer_revision_replaces_the_scheduled_older_one(
    namespace: str, mongo_url: str
) -> None:
    publisher, deps = _replica(namespace, mongo_url)
    async with contextlib.AsyncExitStack() as stack:
        await publisher.start()
        stack.push_async_callback(publisher.stop)
        from services.publisher.usecases.schedule import schedule_approved_post

        first = await schedule_approved_post(approval("d-rev"), deps=deps)
        second = await schedule_approved_post(approval("d-rev", revision=2), deps=deps)
        again = await schedule_approved_post(approval("d-rev", revision=2), deps=deps)

        old = await deps.posts.get(first.post_id)
        assert old is not None
        assert old.state is PostState.CANCELLED
        assert second.slot_key == first.slot_key  # the seat was handed over
        assert again.post_id == second.post_id
        assert await publisher.db["posts"].count_documents({}) == 2
        failed = await publisher.db["outbox"].find_one({"event_type": "post.failed"})
        assert failed is not None
        assert "superseded" in failed["body"]


@pytest.mark.parametrize("state", ["published", "submitting", "unknown"])
async def test_a_newer_revision_of_an_article_already_out_is_never_pushed_again(
    namespace: str, mongo_url: str, state: str
) -> None:
    """r1 went out (or may have): r2's approval is recorded cancelled, needs a person."""
    publisher, deps = _replica(namespace, mongo_url)
    async with contextlib.AsyncExitStack() as stack:
        await publisher.start()
        stack.push_async_callback(publisher.stop)
        from services.publisher.usecases.schedule import schedule_approved_post

        first = await schedule_approved_post(approval("d-out"), deps=deps)
        await publisher.db["posts"].update_one({"_id": first.post_id}, {"$set": {"state": state}})
        second = await schedule_approved_post(approval("d-out", revision=2), deps=deps)
        again = await schedule_approved_post(approval("d-out", revision=2), deps=deps)

        assert second.state is PostState.CANCELLED
        assert second.job_key is None
        assert second.seat is None
        assert again.post_id == second.post_id
        assert await publisher.db["jobs"].count_documents({"payload.post_id": second.post_id}) == 0
        [failed] = await publisher.db["outbox"].find({"event_type": "post.failed"}).to_list(None)
        assert f"already {state}" in failed["body"]
        assert '"needs_person":true' in failed["body"].replace(" ", "")
        assert '"revision":2' in failed["body"].replace(" ", "")
        kept = await deps.posts.get(first.post_id)
        assert kept is not None
        assert kept.state.value == state  # the revision that went out is untouched


async def test_concurrent_approvals_on_two_replicas_never_overfill_a_slot(
    namespace: str, mongo_url: str
) -> None:
    from services.publisher.usecases.schedule import schedule_approved_post

    one, deps_one = _replica(namespace, mongo_url, posts_per_slot=3)
    two, deps_two = _replica(namespace, mongo_url, posts_per_slot=3)
    async with contextlib.AsyncExitStack() as stack:
        for runtime in (one, two):
            await runtime.start()
            stack.push_async_callback(runtime.stop)
        posts = await asyncio.gather(
            *(
                schedule_approved_post(approval(f"d-c{i}"), deps=(deps_one, deps_two)[i % 2])
                for i in range(10)
            )
        )
        per_slot = Counter(p.slot_key for p in posts)
        assert per_slot == {
            "publish:2026-11-23T11:30+08:00": 3,
            "publish:2026-11-25T11:30+08:00": 3,
            "publish:2026-11-27T11:30+08:00": 3,
            "publish:2026-11-30T11:30+08:00": 1,
        }
        assert len({(p.slot_key, p.seat) for p in posts}) == 10
