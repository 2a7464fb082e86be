"""Remove what a finished demo run left on the shared servers: its queues, exchanges and
databases.

Every demo run has its own namespace (``demo<timestamp>.``), so its quorum queues (a
consumer queue, DLQ and retry queue per binding) and five databases would otherwise pile
up run after run on the developer's broker and store.
``make demo`` calls this for the previous run after stopping its services; the run's
files (manifest, documents, reports) under ``var/demo/artifacts/`` are kept.

Only ``demo…`` namespaces are removed: the production namespace (``""``) and anything
else is refused, whatever the environment says.
"""

from __future__ import annotations

from dataclasses import dataclass

import aio_pika
from pymongo import AsyncMongoClient

from shared.settings import ServiceSettings
from shared.topology import CONSUMERS, PRODUCERS, Topology

__all__ = ["Removed", "remove_run"]

SERVICES = tuple(sorted(set(CONSUMERS) | set(PRODUCERS)))


@dataclass(frozen=True)
class Removed:
    queues: int
    exchanges: int
    databases: list[str]


def _check(namespace: str) -> None:
    if not (namespace.startswith("demo") and namespace.endswith(".")):
        raise ValueError(f"not a demo namespace: {namespace!r}; refusing to remove it")


async def remove_run(settings: ServiceSettings) -> Removed:
    """Delete the run's topology and drop its databases (named as the services name them)."""
    _check(settings.namespace)
    topology = Topology(namespace=settings.namespace)
    queues, exchanges = topology.queue_names(), topology.exchange_names()
    connection = await aio_pika.connect(settings.rabbit_url, timeout=10)
    try:
        channel = await connection.channel()
        for queue in queues:  # idempotent in RabbitMQ: absent is fine
            await channel.queue_delete(queue)
        for exchange in exchanges:
            await channel.exchange_delete(exchange)
    finally:
        await connection.close()
    names = [settings.model_copy(update={"service_name": service}).database for service in SERVICES]
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(
        settings.mongo_url, serverSelectionTimeoutMS=10_000
    )
    try:
        present = set(await client.list_database_names())
        dropped = [name for name in names if name in present]
        for name in dropped:
            await client.drop_database(name)
    finally:
        await client.close()
    return Removed(queues=len(queues), exchanges=len(exchanges), databases=dropped)
