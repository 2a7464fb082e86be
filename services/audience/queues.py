"""Declare the follower events' queues (``follower.*``, ``branch.saved``) of their future
consumers.

The relay publishes with ``mandatory=True``: an event no queue is bound for is refused,
and the outbox would hold it (and every event after it) until one is. Until reporting
subscribes to ``follower.*`` (its followers section), this service declares reporting's
queues itself, exactly as :class:`shared.topology.Topology` names them, so the events
wait there for it instead of blocking ``feedback.received``.
"""

from __future__ import annotations

from collections.abc import Sequence

from shared.runtime import ServiceRuntime

__all__ = ["FOLLOWER_EVENTS", "declare_follower_queues"]

FOLLOWER_EVENTS = ("follower.subscribed", "follower.unsubscribed", "branch.saved")


async def declare_follower_queues(runtime: ServiceRuntime, consumers: Sequence[str]) -> None:
    """Declare and bind ``<consumer>.follower.*`` with their dead-letter and retry queues."""
    broker, topology = runtime.broker, runtime.topology
    events = await broker.declare_exchange(topology.exchange)
    dlx = await broker.declare_exchange(topology.dead_letter_exchange)
    retry = await broker.declare_exchange(topology.retry_exchange)
    for consumer in consumers:
        for event in FOLLOWER_EVENTS:
            names = topology.names(consumer, event)
            main = await broker.declare_queue(topology.queue(consumer, event))
            await main.bind(events, routing_key=event)
            dlq = await broker.declare_queue(topology.dlq(consumer, event))
            await dlq.bind(dlx, routing_key=names.dlq)
            retry_queue = await broker.declare_queue(topology.retry_queue(consumer, event))
            await retry_queue.bind(retry, routing_key=names.retry)
