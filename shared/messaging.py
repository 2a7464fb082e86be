"""Broker construction, subscribing, topology declaration and confirmed publishing.

Every subscriber gets the reliable-consume rules of :mod:`shared.consume` (ack,
dead-letter with a reason, retry queue), installed by :func:`build_broker`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from faststream import AckPolicy
from faststream.rabbit import Channel, RabbitBroker
from faststream.rabbit.prometheus import RabbitPrometheusMiddleware
from faststream.rabbit.publisher import RabbitPublisher
from prometheus_client import CollectorRegistry

from shared.consume import ConsumePolicy, middleware_for
from shared.events import (
    EVENT_TYPES,
    EventEnvelope,
)
from shared.topology import Topology

__all__ = [
    "EventPublisher",
    "build_broker",
    "declare_topology",
    "subscribe",
]


def build_broker(
    *,
    url: str,
    registry: CollectorRegistry,
    policy: ConsumePolicy,
    graceful_timeout: float,
) -> RabbitBroker:
    """A broker with confirms, mandatory-returns-raise, metrics and the consume rules."""
    broker = RabbitBroker(
        url,
        default_channel=Channel(publisher_confirms=True, on_return_raises=True),
        middlewares=[
            RabbitPrometheusMiddleware(registry=registry, app_name=policy.service),
            middleware_for(policy),
        ],
        graceful_timeout=graceful_timeout,
        # FastStream logs every message at INFO (≈20% of throughput); keep its own
        # per-message lines at DEBUG and let our structlog lines speak.
        log_level=logging.DEBUG,
        app_id=policy.service,
        description=f"contentops {policy.service} service",
    )
    policy.broker = broker
    return broker


def subscribe(
    broker: RabbitBroker,
    policy: ConsumePolicy,
    event: str,
    handler: Callable[..., Awaitable[Any]],
    *,
    prefetch: int,
) -> Any:
    """Register ``handler`` on the queue ``<service>.<event>`` with explicit prefetch."""
    queue = policy.topology.queue(policy.service, event)
    return broker.subscriber(
        queue,
        policy.topology.exchange,
        ack_policy=AckPolicy.MANUAL,
        channel=Channel(prefetch_count=prefetch),
        title=f"{queue.name}:consume",
        description=(handler.__doc__ or f"Consumes {event}").strip(),
    )(handler)


async def declare_topology(broker: RabbitBroker, topology: Topology, service: str) -> None:
    """Declare exchanges, and for each consumed event its DLQ and retry queue (idempotent).

    The main queues are declared and bound by their subscribers when the broker starts.
    """
    from shared.topology import CONSUMERS

    await broker.declare_exchange(topology.exchange)
    dlx = await broker.declare_exchange(topology.dead_letter_exchange)
    retry_ex = await broker.declare_exchange(topology.retry_exchange)
    for event in CONSUMERS.get(service, ()):
        names = topology.names(service, event)
        dlq = await broker.declare_queue(topology.dlq(service, event))
        await dlq.bind(dlx, routing_key=names.dlq)
        retry = await broker.declare_queue(topology.retry_queue(service, event))
        await retry.bind(retry_ex, routing_key=names.retry)


class EventPublisher:
    """Publishes envelopes with confirms; one documented publisher per produced event."""

    def __init__(self, broker: RabbitBroker, topology: Topology, events: tuple[str, ...]) -> None:
        self._publishers: dict[str, RabbitPublisher] = {
            event: broker.publisher(
                exchange=topology.exchange,
                routing_key=event,
                persist=True,
                mandatory=True,
                schema=EVENT_TYPES[event],
                title=f"{event}:publish",
                description=(EVENT_TYPES[event].__doc__ or event).strip(),
            )
            for event in events
        }

    async def publish_json(
        self,
        *,
        event_type: str,
        body: bytes,
        event_id: str,
        correlation_id: str,
        headers: dict[str, Any],
    ) -> None:
        """Publish a serialised envelope; raises if unconfirmed or unroutable."""
        publisher = self._publishers.get(event_type)
        if publisher is None:
            raise ValueError(f"this service does not produce {event_type!r}")
        await publisher.publish(
            body,
            message_id=event_id,
            correlation_id=correlation_id,
            headers=headers,
            content_type="application/json",
        )

    async def publish(self, event: EventEnvelope) -> None:
        await self.publish_json(
            event_type=event.EVENT_TYPE,
            body=event.model_dump_json().encode(),
            event_id=str(event.event_id),
            correlation_id=event.correlation_id,
            headers=event.headers(),
        )
