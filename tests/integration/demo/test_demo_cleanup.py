"""``python -m demo cleanup``: a finished run's queues, exchanges and databases are removed
from the real broker and store; other namespaces are refused and left alone."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import aio_pika
import pytest
from aio_pika.exceptions import ChannelNotFoundEntity
from faststream.rabbit import RabbitBroker
from pymongo import AsyncMongoClient

from demo.cleanup import remove_run
from shared.messaging import declare_topology
from shared.settings import ServiceSettings
from shared.topology import CONSUMERS, Topology
from tests.support.services import RABBIT_URL, delete_namespace, make_settings

pytestmark = pytest.mark.integration


async def _declare(namespace: str) -> Topology:
    """Declare what the five services declare at start-up in ``namespace``."""
    topology = Topology(namespace=namespace)
    broker = RabbitBroker(RABBIT_URL)
    await broker.connect()
    try:
        for service, events in CONSUMERS.items():
            await declare_topology(broker, topology, service)
            for event in events:
                queue = await broker.declare_queue(topology.queue(service, event))
                await queue.bind(await broker.declare_exchange(topology.exchange), event)
    finally:
        await broker.stop()
    return topology


async def _existing_queues(names: list[str]) -> list[str]:
    connection = await aio_pika.connect(RABBIT_URL)
    found = []
    try:
        for name in names:
            channel = await connection.channel()
            try:
                await channel.declare_queue(name, passive=True)
                found.append(name)
            except ChannelNotFoundEntity:
                pass  # the broker closed this channel; the next name gets a new one
    finally:
        await connection.close()
    return found


@pytest.fixture
async def demo_namespace() -> AsyncIterator[str]:
    ns = f"demo{uuid.uuid4().hex[:10]}."
    yield ns
    await delete_namespace(ns)


async def test_cleanup_removes_the_runs_queues_exchanges_and_databases(
    demo_namespace: str, namespace: str, mongo_url: str
) -> None:
    topology = await _declare(demo_namespace)
    other = await _declare(namespace)  # another run (a test namespace) on the same servers
    settings: ServiceSettings = make_settings(
        ServiceSettings, demo_namespace, mongo_url, service_name="demo"
    )
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(mongo_url)
    try:
        for service in ("drafting", "feedback"):
            db = settings.model_copy(update={"service_name": service}).database
            await client[db]["things"].insert_one({"x": 1})
        # every consumer queue with its DLQ and retry queue (#14 added reporting's three)
        expected = 3 * sum(len(events) for events in CONSUMERS.values())
        assert len(topology.queue_names()) == expected == 51
        assert len(await _existing_queues(topology.queue_names())) == expected

        removed = await remove_run(settings)

        assert await _existing_queues(topology.queue_names()) == []
        assert sorted(removed.databases) == [
            f"{demo_namespace.rstrip('.')}_contentops_drafting",
            f"{demo_namespace.rstrip('.')}_contentops_feedback",
        ]
        left = set(await client.list_database_names())
        assert not any(name.startswith(demo_namespace.rstrip(".")) for name in left)
        assert len(await _existing_queues(other.queue_names())) == expected  # untouched
    finally:
        await client.close()


@pytest.mark.parametrize("namespace_", ["", "t123.", "prod."])
async def test_cleanup_refuses_a_namespace_that_is_not_a_demo_run(
    namespace_: str, mongo_url: str
) -> None:
    settings: ServiceSettings = make_settings(
        ServiceSettings, namespace_, mongo_url, service_name="demo"
    )
    with pytest.raises(ValueError, match="not a demo namespace"):
        await remove_run(settings)
