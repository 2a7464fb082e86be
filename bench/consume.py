"""Consume throughput of one service process against raw aio-pika, on the same broker.

Prints events consumed, validated, idempotency-recorded and acked per second by a
``ServiceRuntime`` subscriber (the real middleware, validation and Mongo writes),
beside a raw aio-pika consume+ack of the same number of messages, and the ratios:

* ``transactional``: the default path, one transaction per event (inbox record + effect
  + outbox together), what every state-changing consumer uses;
* ``batched``: the high-volume path (:class:`bench.support.batched_inbox.BatchedInbox`), idempotency
  records written with one unordered ``insert_many`` per batch, acks after the write.

Usage: ``.venv/bin/python bench/consume.py [N]`` (default 4000). Uses RabbitMQ on
127.0.0.1:5672 and starts its own SecantusDB unless ``MONGO_URL`` is set.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aio_pika

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.support.batched_inbox import BatchedInbox  # noqa: E402
from shared.events import DraftSubmitted  # noqa: E402
from shared.logging import configure_logging  # noqa: E402
from shared.outbox import Tx  # noqa: E402
from shared.runtime import ServiceRuntime  # noqa: E402
from shared.settings import ServiceSettings  # noqa: E402
from tests.support.events import sample  # noqa: E402
from tests.support.servers import RABBIT_URL, SecantusServer  # noqa: E402
from tests.support.services import delete_namespace, settings_kwargs  # noqa: E402

PREFETCH = int(os.environ.get("BENCH_PREFETCH", "1024"))


async def prefill(
    queue_name: str, arguments: dict[str, Any], bodies: list[tuple[str, bytes]]
) -> None:
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.declare_queue(queue_name, durable=True, arguments=arguments)
        pending = []
        for message_id, body in bodies:
            pending.append(
                channel.default_exchange.publish(
                    aio_pika.Message(
                        body,
                        message_id=message_id,
                        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        content_type="application/json",
                    ),
                    routing_key=queue_name,
                )
            )
            if len(pending) >= 500:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)


def bodies(n: int) -> list[tuple[str, bytes]]:
    out = []
    for i in range(n):
        event = sample("draft.submitted", f"b-{i}")
        out.append((str(event.event_id), event.model_dump_json().encode()))
    return out


async def raw_rate(n: int) -> float:
    name = f"bench-raw-{uuid.uuid4().hex[:8]}"
    await prefill(name, {"x-queue-type": "quorum"}, bodies(n))
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=PREFETCH)
        queue = await channel.get_queue(name)
        done = asyncio.Event()
        count = 0
        started = 0.0

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal count, started
            if count == 0:
                started = time.perf_counter()
            await message.ack()
            count += 1
            if count == n:
                done.set()

        await queue.consume(on_message)
        await done.wait()
        elapsed = time.perf_counter() - started
        await queue.delete(if_unused=False, if_empty=False)
    return n / elapsed


async def service_rate(n: int, mongo_url: str, mode: str) -> float:
    namespace = f"bench{uuid.uuid4().hex[:8]}."
    settings = ServiceSettings(
        service_name="review",
        **settings_kwargs(namespace, mongo_url, prefetch=PREFETCH, max_retries=24),
    )
    runtime = ServiceRuntime(settings)
    inbox = BatchedInbox(
        runtime.db["inbox_batched"],
        max_size=int(os.environ.get("BENCH_BATCH", "500")),
        max_inflight=2,
    )
    processed = 0
    done = asyncio.Event()
    started = 0.0

    async def nothing(_: Tx) -> None:
        return None

    @runtime.subscriber("draft.submitted")
    async def on_draft_submitted(body: DraftSubmitted) -> None:
        nonlocal processed, started
        if processed == 0 and started == 0.0:
            started = time.perf_counter()
        if mode == "transactional":
            await runtime.uow.run(nothing, consumed=("bench", str(body.event_id)))
        elif mode == "no-store":
            pass
        else:
            await inbox.record(str(body.event_id))
        processed += 1
        if processed == n:
            done.set()

    queue = runtime.topology.queue("review", "draft.submitted")
    await prefill(queue.name, {"x-queue-type": "quorum", **(queue.arguments or {})}, bodies(n))
    try:
        await runtime.start()
        await asyncio.wait_for(done.wait(), timeout=600)
        elapsed = time.perf_counter() - started
        await asyncio.sleep(0.5)  # let the last acks go out before counting
        if mode != "no-store":
            coll = "inbox" if mode == "transactional" else "inbox_batched"
            stored = await runtime.db[coll].count_documents({})
            assert stored == n, f"{stored} idempotency records for {n} events"
    finally:
        await runtime.stop()
        await delete_namespace(namespace)
    return n / elapsed


async def main() -> None:
    logging.disable(logging.WARNING)
    configure_logging("bench", level="WARNING")  # as a service runs: JSON, no debug lines
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    server: SecantusServer | None = None
    mongo_url = os.environ.get("MONGO_URL")
    if not mongo_url:
        server = SecantusServer()
        server.start()
        mongo_url = server.url
    try:
        raw = await raw_rate(n)
        no_store = await service_rate(n, mongo_url, "no-store")
        batched = await service_rate(n, mongo_url, "batched")
        transactional = await service_rate(min(n, 1000), mongo_url, "transactional")
    finally:
        if server is not None:
            server.cleanup()
    print(f"events: {n} (transactional path: {min(n, 1000)}), prefetch {PREFETCH}")
    print(f"raw aio-pika consume+ack            : {raw:8.0f} msg/s")
    print(
        f"service, validate+ack, no store     : {no_store:8.0f} msg/s  ratio {no_store / raw:.2f}"
    )
    print(f"service, batched idempotency records: {batched:8.0f} msg/s  ratio {batched / raw:.2f}")
    print(
        f"service, one transaction per event  : {transactional:8.0f} msg/s  "
        f"ratio {transactional / raw:.2f}"
    )


if __name__ == "__main__":
    try:
        import uvloop

        uvloop.install()  # as the services run (uvicorn loop="uvloop")
    except ImportError:
        pass
    asyncio.run(main())
