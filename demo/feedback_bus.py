"""Publishing ``feedback.received`` like another internal system (a CRM) would.

Straight to RabbitMQ with aio-pika, not through any service: persistent messages with
publisher confirms, ``mandatory`` so an unroutable event raises, on the platform's
``<namespace>contentops.events`` exchange with the routing key ``feedback.received`` and
the AMQP ``message_id`` set to the event id.

The connection is robust (it reconnects after a broker restart) and a publish that fails
on a lost connection or channel is retried with the **same** event id for a while: the
consumers drop the duplicate if the first attempt did arrive.
"""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

import aio_pika
import aiormq.exceptions
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection

from demo.audience import PlannedItem
from shared.events import (
    FeedbackKind,
    FeedbackMetrics,
    FeedbackReceived,
    FeedbackReceivedPayload,
)

__all__ = ["FeedbackBus", "feedback_event"]

PRODUCER = "crm-demo"
_RETRYABLE = (
    aiormq.exceptions.AMQPConnectionError,
    aiormq.exceptions.ChannelInvalidStateError,
    aiormq.exceptions.ChannelClosed,
    ConnectionError,
    asyncio.TimeoutError,
)


def feedback_event(
    item: PlannedItem, *, post_id: str, at: datetime, account: str = "default"
) -> FeedbackReceived:
    """The ``feedback.received`` event of one planned item, said at ``at``, about a post
    of ``account``."""
    return FeedbackReceived(
        account=account,
        occurred_at=at,
        producer=PRODUCER,
        correlation_id=post_id,
        payload=FeedbackReceivedPayload(
            source=item.source,
            source_id=item.source_id,
            kind=FeedbackKind(item.kind),
            post_id=post_id,
            author=item.author,
            text=item.text,
            received_at=at,
            metrics=FeedbackMetrics(**item.metrics) if item.metrics else None,
        ),
    )


class FeedbackBus:
    """A confirmed, persistent publisher of ``feedback.received`` events."""

    def __init__(self, rabbit_url: str, namespace: str, *, retry_for: float = 120.0) -> None:
        self._url = rabbit_url
        self._exchange_name = f"{namespace}contentops.events"
        self._retry_for = retry_for
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None
        self.published = 0
        self.retries = 0

    async def connect(self) -> None:
        self._connection = await aio_pika.connect_robust(self._url)
        self._channel = await self._connection.channel(
            publisher_confirms=True, on_return_raises=True
        )
        # passive: the exchange belongs to the platform; a missing one is an error
        self._exchange = await self._channel.get_exchange(self._exchange_name, ensure=True)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    async def publish(self, event: FeedbackReceived) -> None:
        """Publish one event; returns once the broker confirmed it."""
        if self._exchange is None:
            raise RuntimeError("connect() first")
        message = aio_pika.Message(
            body=event.model_dump_json().encode(),
            message_id=str(event.event_id),
            correlation_id=event.correlation_id,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers=event.headers(),
        )
        deadline = time.monotonic() + self._retry_for
        while True:
            try:
                await self._exchange.publish(
                    message, routing_key=event.EVENT_TYPE, mandatory=True, timeout=10.0
                )
                break
            except _RETRYABLE:
                if time.monotonic() > deadline:
                    raise
                self.retries += 1
                await asyncio.sleep(0.5)
        self.published += 1
