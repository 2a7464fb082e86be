"""Window closing survives a dead replica; late stragglers are flagged, documents unchanged."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from feedback_support import (
    ShiftedClock,
    feedback_event,
    feedback_settings,
    post_published,
    publish,
    replicas,
    service,
    store,
)

from services.feedback.domain.item import Incoming
from services.feedback.usecases.close_window import close_window
from services.feedback.usecases.storing import Prepared, prepare
from shared.jobs import FencedOut, TimedJobs
from tests.support.backbone import wait_for

pytestmark = pytest.mark.integration


async def test_a_close_taken_by_a_replica_that_died_is_finished_once_by_another(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    post_id = f"p-{uuid.uuid4().hex[:6]}"
    settings = feedback_settings(namespace, mongo_url, job_lease_seconds=1.0)
    async with replicas(settings, clock, 2) as apps:
        deps = service(apps[0]).deps
        raw = store(apps[0])
        await publish(namespace, post_published(post_id, at=clock.now(), channel="local"))

        async def opened() -> bool:
            return await raw.get_window(post_id) is not None

        await wait_for(opened)
        # A third replica claims the close (ahead of time, to be first) and dies.
        dead = TimedJobs(raw.db, lease=timedelta(seconds=1), owner="dead")
        [stale] = await dead.claim_due("window-close", now=clock.now() + timedelta(days=2))
        clock.advance(timedelta(hours=24, minutes=1))

        async def closed() -> bool:
            return await raw.documents.count_documents({}) == 1

        await wait_for(closed)
        # ... and wakes up later, still believing it holds the job.
        with pytest.raises(FencedOut):
            await close_window(stale, deps=deps)
        jobs = raw.db["jobs"]
        job = await jobs.find_one({"kind": "window-close"})
        assert job is not None
        assert (job["state"], job["attempts"], job["fence"]) == ("done", 2, 2)
        assert job["owner"] != "dead"
        assert await raw.documents.count_documents({}) == 1
        outbox = raw.db["outbox"]
        assert await outbox.count_documents({"event_type": "feedback.digest.ready"}) == 1


async def test_an_item_written_while_the_document_was_built_is_flagged_late(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    post_id = f"p-{uuid.uuid4().hex[:6]}"
    async with replicas(feedback_settings(namespace, mongo_url), clock) as [app]:
        deps = service(app).deps
        raw = store(app)
        await publish(namespace, post_published(post_id, at=clock.now(), channel="local"))
        await publish(namespace, feedback_event("on-time", at=clock.now(), post_id=post_id))

        async def stored() -> bool:
            return await raw.items.count_documents({}) == 1

        await wait_for(stored)
        # prepared in the window's last seconds ...
        clock.advance(timedelta(hours=24) - timedelta(seconds=5))
        said = feedback_event("in-flight", at=clock.now(), post_id=post_id)
        [straggler] = await prepare([Incoming(said.payload, str(uuid.uuid4()), "amqp")], deps)
        assert isinstance(straggler, Prepared)
        assert straggler.item.late is False
        clock.advance(timedelta(seconds=10))

        async def closed() -> bool:
            window = await raw.get_window(post_id)
            return bool(window and window["state"] == "closed")

        await wait_for(closed)
        # ... and written just after the close's snapshot
        await deps.items.insert_unordered([straggler.item])

        async def flagged() -> bool:
            doc = await raw.items.find_one({"source_id": "in-flight"})
            return bool(doc and doc["late"])

        await wait_for(flagged)
        on_time = await raw.items.find_one({"source_id": "on-time"})
        assert on_time is not None
        assert on_time["late"] is False
        document = await raw.get_document(post_id)
        assert document is not None
        assert document["digest"]["headline"]["comments"] == 1
