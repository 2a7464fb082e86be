"""Events cross the real broker from a producer's outbox to every consumer queue."""

from __future__ import annotations

import contextlib
import json

import aio_pika
import pytest

from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings
from shared.topology import CONSUMERS, PRODUCERS, Topology
from tests.support.backbone import emit, publish_raw, recording_runtime, wait_for
from tests.support.events import sample
from tests.support.metrics import metric_value
from tests.support.recording import CONSUMED, EFFECTS
from tests.support.servers import RABBIT_URL
from tests.support.services import settings_kwargs

pytestmark = pytest.mark.integration


async def test_every_event_reaches_every_consumer_queue_named_in_the_table(
    namespace: str, mongo_url: str
) -> None:
    def runtime(service: str) -> ServiceRuntime:
        """A recorder of what the service consumes; a producer that consumes nothing
        (the audience service) only publishes from its outbox."""
        if service in CONSUMERS:
            return recording_runtime(service, namespace, mongo_url)
        settings = ServiceSettings(service_name=service, **settings_kwargs(namespace, mongo_url))
        return ServiceRuntime(settings)

    runtimes = {s: runtime(s) for s in sorted(set(CONSUMERS) | set(PRODUCERS))}
    async with contextlib.AsyncExitStack() as stack:
        for rt in runtimes.values():
            await rt.start()
            stack.push_async_callback(rt.stop)
        sent: dict[str, str] = {}
        for producer, events in PRODUCERS.items():
            for event_type in events:
                event = sample(event_type)
                sent[event_type] = str(event.event_id)
                await emit(runtimes[producer], event)

        expected = {
            (service, event_type) for service, evs in CONSUMERS.items() for event_type in evs
        }

        async def all_arrived() -> bool:
            for service, event_type in expected:
                doc = (
                    await runtimes[service]
                    .db[CONSUMED]
                    .find_one({"_id": f"{service}:{sent[event_type]}"})
                )
                if doc is None:
                    return False
            return True

        await wait_for(all_arrived, timeout=30)
        for service, event_type in expected:
            doc = (
                await runtimes[service]
                .db[CONSUMED]
                .find_one({"_id": f"{service}:{sent[event_type]}"})
            )
            assert doc is not None
            assert doc["event_type"] == event_type
        # every outbox entry was marked sent after its confirm
        for producer in PRODUCERS:
            pending = await runtimes[producer].db["outbox"].count_documents({"status": "pending"})
            assert pending == 0


async def _get_dlq(
    namespace: str, service: str, event: str
) -> aio_pika.abc.AbstractIncomingMessage | None:
    names = Topology(namespace=namespace).names(service, event)
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(names.dlq, ensure=False)
        msg = await queue.get(fail=False, no_ack=True)
        return msg


async def test_malformed_message_goes_to_the_dlq_with_its_reason_and_consuming_goes_on(
    namespace: str, mongo_url: str
) -> None:
    rt = recording_runtime("review", namespace, mongo_url)
    async with contextlib.AsyncExitStack() as stack:
        await rt.start()
        stack.push_async_callback(rt.stop)
        bad = sample("draft.submitted").model_dump(mode="json")
        bad["payload"]["content"]["category"] = "gossip"
        await publish_raw(namespace, json.dumps(bad).encode(), "draft.submitted", "bad-1")
        await publish_raw(namespace, b"{not json", "draft.submitted", "bad-2")
        good = sample("draft.submitted")
        await publish_raw(
            namespace, good.model_dump_json().encode(), "draft.submitted", str(good.event_id)
        )

        async def good_consumed() -> bool:
            return await rt.db[CONSUMED].count_documents({}) == 1

        await wait_for(good_consumed)
        reasons = []
        for _ in range(2):
            msg = None

            async def dlq_has() -> bool:
                nonlocal msg
                msg = await _get_dlq(namespace, "review", "draft.submitted")
                return msg is not None

            await wait_for(dlq_has)
            assert msg is not None
            reasons.append(
                (msg.message_id, msg.headers["x-dlq-reason"], msg.headers["x-dlq-detail"])
            )
        by_id = {m: (r, d) for m, r, d in reasons}
        assert by_id["bad-1"][0] == "validation_failed"
        assert "payload.content.category" in str(by_id["bad-1"][1])
        assert by_id["bad-2"][0] == "malformed_body"
        assert "Expecting property name" in str(by_id["bad-2"][1])
        queue = f"{namespace}review.draft.submitted"
        assert (
            metric_value(
                rt.registry,
                "contentops_dead_lettered_total",
                queue=queue,
                reason="validation_failed",
            )
            == 1
        )
        assert metric_value(rt.registry, "contentops_retried_total", queue=queue) == 0


async def test_a_redelivered_event_has_one_effect(namespace: str, mongo_url: str) -> None:
    rt = recording_runtime("review", namespace, mongo_url)
    async with contextlib.AsyncExitStack() as stack:
        await rt.start()
        stack.push_async_callback(rt.stop)
        event = sample("draft.submitted")
        body = event.model_dump_json().encode()
        for _ in range(3):
            await publish_raw(namespace, body, "draft.submitted", str(event.event_id))

        async def duplicates_seen() -> bool:
            return (
                metric_value(
                    rt.registry,
                    "contentops_duplicate_events_total",
                    queue=f"{namespace}review.draft.submitted",
                )
                == 2
            )

        await wait_for(duplicates_seen)
        effect = await rt.db[EFFECTS].find_one({"_id": f"draft.submitted:{event.correlation_id}"})
        assert effect is not None
        assert effect["n"] == 1
        assert await rt.db[CONSUMED].count_documents({}) == 1


async def test_a_transient_failure_is_retried_after_a_delay(namespace: str, mongo_url: str) -> None:
    from shared.errors import TransientError
    from shared.events import DraftSubmitted
    from shared.runtime import ServiceRuntime
    from shared.settings import ServiceSettings
    from tests.support.services import settings_kwargs

    rt = ServiceRuntime(
        ServiceSettings(service_name="review", **settings_kwargs(namespace, mongo_url))
    )
    attempts: list[str] = []

    @rt.subscriber("draft.submitted")
    async def flaky(body: DraftSubmitted) -> None:
        attempts.append(str(body.event_id))
        if len(attempts) < 2:
            raise TransientError("store busy")

    async with contextlib.AsyncExitStack() as stack:
        await rt.start()
        stack.push_async_callback(rt.stop)
        event = sample("draft.submitted")
        await publish_raw(
            namespace, event.model_dump_json().encode(), "draft.submitted", str(event.event_id)
        )

        async def twice() -> bool:
            return len(attempts) == 2

        await wait_for(twice)
        assert attempts == [str(event.event_id)] * 2
        queue = f"{namespace}review.draft.submitted"
        assert metric_value(rt.registry, "contentops_retried_total", queue=queue) == 1
