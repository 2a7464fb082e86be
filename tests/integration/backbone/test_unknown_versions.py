"""An event whose ``schema_version`` no consumer knows is dead-lettered with its reason,
on every consumer queue, and has no effect; consuming goes on."""

from __future__ import annotations

import contextlib
import json

import aio_pika
import pytest

from shared.outbox import INBOX
from shared.topology import CONSUMERS, PRODUCERS, Topology
from tests.support.backbone import publish_raw, recording_runtime, wait_for
from tests.support.events import sample
from tests.support.metrics import metric_value
from tests.support.recording import CONSUMED, EFFECTS
from tests.support.servers import RABBIT_URL

pytestmark = pytest.mark.integration


async def _dead_lettered(namespace: str, service: str, event: str) -> list[aio_pika.Message]:
    names = Topology(namespace=namespace).names(service, event)
    connection = await aio_pika.connect(RABBIT_URL)
    found: list[aio_pika.Message] = []
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(names.dlq, ensure=False)
        while (msg := await queue.get(fail=False, no_ack=True)) is not None:
            found.append(msg)
    return found


async def _wait_dead_lettered(namespace: str, service: str, event: str) -> list[aio_pika.Message]:
    letters: list[aio_pika.Message] = []

    async def arrived() -> bool:
        letters.extend(await _dead_lettered(namespace, service, event))
        return bool(letters)

    await wait_for(arrived)
    return letters


async def test_schema_version_99_lands_in_every_consumers_dlq_with_its_reason(
    namespace: str, mongo_url: str
) -> None:
    runtimes = {s: recording_runtime(s, namespace, mongo_url) for s in CONSUMERS}
    async with contextlib.AsyncExitStack() as stack:
        for rt in runtimes.values():
            await rt.start()
            stack.push_async_callback(rt.stop)
        produced = sorted({e for events in PRODUCERS.values() for e in events})
        unknown: dict[str, tuple[str, str]] = {}  # event type -> (event_id, correlation_id)
        known: dict[str, str] = {}
        for event_type in produced:
            future = sample(event_type).model_dump(mode="json")
            future["schema_version"] = 99
            unknown[event_type] = (future["event_id"], future["correlation_id"])
            await publish_raw(
                namespace, json.dumps(future).encode(), event_type, future["event_id"]
            )
            # then a version-1 event of the same type: consuming goes on behind the refusal
            current = sample(event_type)
            known[event_type] = str(current.event_id)
            await publish_raw(
                namespace, current.model_dump_json().encode(), event_type, known[event_type]
            )
        expected = [(s, e) for s, events in CONSUMERS.items() for e in events]

        async def all_current_consumed() -> bool:
            for service, event_type in expected:
                key = f"{service}:{known[event_type]}"
                if await runtimes[service].db[CONSUMED].find_one({"_id": key}) is None:
                    return False
            return True

        await wait_for(all_current_consumed, timeout=30)
        for service, event_type in expected:
            letters = await _wait_dead_lettered(namespace, service, event_type)
            [letter] = letters
            event_id, correlation_id = unknown[event_type]
            assert letter.message_id == event_id
            headers = letter.headers
            assert headers["x-dlq-reason"] == "unknown_schema_version", (service, event_type)
            assert headers["x-dlq-detail"] == (
                f"schema_version 99 of {event_type} is unknown here (known: 1, 2)"
            )
            assert headers["x-original-queue"] == f"{namespace}{service}.{event_type}"
            assert json.loads(letter.body)["schema_version"] == 99  # the body is kept as sent
            # nothing of it was stored: neither its inbox record nor its effect
            db = runtimes[service].db
            assert await db[INBOX].find_one({"_id": f"{service}:{event_id}"}) is None
            assert await db[CONSUMED].find_one({"_id": f"{service}:{event_id}"}) is None
            effect = await db[EFFECTS].find_one({"_id": f"{event_type}:{correlation_id}"})
            assert effect is None
            assert (
                metric_value(
                    runtimes[service].registry,
                    "contentops_dead_lettered_total",
                    queue=f"{namespace}{service}.{event_type}",
                    reason="unknown_schema_version",
                )
                == 1
            )
        for service, rt in runtimes.items():
            consumed = await rt.db[CONSUMED].count_documents({})
            assert consumed == len(CONSUMERS[service])  # only the version-1 events
