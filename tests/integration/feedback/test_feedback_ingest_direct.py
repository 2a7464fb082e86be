"""feedback.received on its direct aio-pika consumer (#15) keeps every consume guarantee:
bound when the service has started, a redelivered event stored once, poison dead-lettered
with its reason, a failed write retried (never acked as done), and a stop in the middle
of a stream loses nothing."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import aio_pika
import pytest
from feedback_support import (
    ShiftedClock,
    feedback_event,
    feedback_settings,
    post_published,
    publish,
    publish_raw,
    replicas,
    service,
    store,
)

from shared.errors import TransientError
from shared.topology import Topology
from tests.support.backbone import wait_for
from tests.support.servers import RABBIT_URL

pytestmark = pytest.mark.integration

WAIT = 90.0  # generous: the machine is shared


async def _dlq(namespace: str) -> list[tuple[str, str]]:
    """``(x-dlq-reason, message id)`` of every message in feedback.received's DLQ."""
    names = Topology(namespace=namespace).names("feedback", "feedback.received")
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(names.dlq, ensure=False)
        found = []
        while (msg := await queue.get(no_ack=True, fail=False)) is not None:
            found.append((str((msg.headers or {}).get("x-dlq-reason")), str(msg.message_id)))
        return found


def _dead_lettered(registry: Any, queue: str, reason: str) -> float:
    value = registry.get_sample_value(
        "contentops_dead_lettered_total", {"queue": queue, "reason": reason}
    )
    return float(value or 0.0)


async def test_redelivered_events_are_stored_once_and_poison_is_dead_lettered_with_its_reason(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    settings = feedback_settings(namespace, mongo_url)
    now = clock.now()
    post_id = f"p-{uuid.uuid4().hex[:8]}"
    async with replicas(settings, clock) as [app]:
        raw = store(app)
        registry = service(app).runtime.registry
        queue = f"{namespace}feedback.feedback.received"
        # published right after start: the queue is bound (mandatory publish succeeds)
        await publish(namespace, post_published(post_id, at=now, channel="local"))
        event = feedback_event("once-1", at=now, post_id=post_id)
        other = feedback_event("once-2", at=now, post_id=post_id)
        await publish(namespace, event, other, event)  # the same event delivered twice
        resent = feedback_event("once-1", at=now, post_id=post_id)  # new id, same item
        await publish(namespace, resent)
        not_json = b"{this is not json"
        empty = event.model_dump(mode="json")
        empty["payload"]["text"] = "   "  # a comment must say something
        future = {**event.model_dump(mode="json"), "schema_version": 99}
        await publish_raw(
            namespace,
            (not_json, "feedback.received", "poison-body"),
            (json.dumps(empty).encode(), "feedback.received", "poison-payload"),
            (json.dumps(future).encode(), "feedback.received", "poison-version"),
        )

        async def settled() -> bool:
            dead = sum(
                _dead_lettered(registry, queue, reason)
                for reason in ("malformed_body", "validation_failed", "unknown_schema_version")
            )
            duplicates = registry.get_sample_value(
                "feedback_items_total", {"via": "amqp", "outcome": "duplicate"}
            )
            return dead == 3 and (duplicates or 0) >= 2

        await wait_for(settled, timeout=WAIT)
        stored = await raw.items.count_documents({"source_id": {"$in": ["once-1", "once-2"]}})
        duplicates = registry.get_sample_value(
            "feedback_items_total", {"via": "amqp", "outcome": "duplicate"}
        )

    assert stored == 2
    assert duplicates == 2  # the redelivery and the re-send: acked, not stored again
    assert sorted(await _dlq(namespace)) == [
        ("malformed_body", "poison-body"),
        ("unknown_schema_version", "poison-version"),
        ("validation_failed", "poison-payload"),
    ]


async def test_a_failed_write_is_retried_not_acked_as_done(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = ShiftedClock()
    settings = feedback_settings(namespace, mongo_url, retry_delay_ms=200)
    now = clock.now()
    async with replicas(settings, clock) as [app]:
        deps = service(app).deps
        registry = service(app).runtime.registry
        real = deps.items.insert_unordered
        failures = 0

        async def failing_once(items: Any) -> list[bool]:
            nonlocal failures
            if failures == 0:
                failures += 1
                raise TransientError("the store is away")
            return await real(items)

        monkeypatch.setattr(deps.items, "insert_unordered", failing_once)
        await publish(namespace, feedback_event("retried-1", at=now, post_id="p-none"))

        async def stored() -> bool:
            return await store(app).items.count_documents({"source_id": "retried-1"}) == 1

        await wait_for(stored, timeout=WAIT)
        retried = registry.get_sample_value(
            "contentops_retried_total", {"queue": f"{namespace}feedback.feedback.received"}
        )

    assert failures == 1
    assert retried == 1


async def test_a_stop_in_the_middle_of_a_stream_loses_nothing_and_stores_nothing_twice(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    settings = feedback_settings(namespace, mongo_url)
    now = clock.now()
    post_id = f"p-{uuid.uuid4().hex[:8]}"
    count = 600
    events = [
        feedback_event(f"s-{i}", at=now + timedelta(seconds=i), post_id=post_id)
        for i in range(count)
    ]
    async with replicas(settings, clock) as [first]:
        raw = store(first)
        await publish(namespace, *events[:300])

        async def some_stored() -> bool:
            return await raw.items.count_documents({"post_id": post_id}) > 0

        await wait_for(some_stored, timeout=WAIT)
        await publish(namespace, *events[300:])
    # stopped while messages were in flight; the next process takes up the rest
    async with replicas(settings, clock) as [second]:
        raw = store(second)

        async def all_stored() -> bool:
            return await raw.items.count_documents({"post_id": post_id}) == count

        await wait_for(all_stored, timeout=WAIT)
        ids = await raw.items.distinct("source_id", {"post_id": post_id})

    assert len(ids) == count
    assert await _dlq(namespace) == []
