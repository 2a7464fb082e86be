"""The messaging topology, in one place.

::

    producers ──► <ns>contentops.events (topic, durable)
                    │ routing key = event name
                    ▼
                  <ns><service>.<event>            quorum queue, x-delivery-limit
                    │ poison / too many retries / delivery limit
                    ▼
    <ns>contentops.dlx (direct) ──► <ns><service>.<event>.dlq     quorum, kept
    <ns>contentops.retry (direct) ─► <ns><service>.<event>.retry   quorum, x-message-ttl,
                                       └─ expires ─► default exchange ─► the main queue

Dead-lettering on the main queue uses ``at-least-once`` so a message is never dropped
between the queue and its DLQ. Transient failures are re-published by the consumer to
the retry queue (with an attempt header) and come back after the TTL: no reliance on
``nack`` counting, which changed in RabbitMQ 4.3, and no delayed-message plugin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue
from faststream.rabbit.schemas.queue import QuorumQueueArgs

__all__ = ["CONSUMERS", "PRODUCERS", "QueueNames", "Topology"]

CONSUMERS: dict[str, tuple[str, ...]] = {
    "review": ("draft.submitted",),
    "publisher": ("draft.approved",),
    "drafting": (
        "draft.approved",
        "draft.rejected",
        "post.published",
        "post.failed",
        "feedback.digest.ready",
        "report.ready",
    ),
    "feedback": ("post.published", "feedback.received"),
    "reporting": (
        "post.published",
        "post.failed",
        "feedback.received",
        "feedback.digest.ready",
        "follower.subscribed",
        "follower.unsubscribed",
        "branch.saved",
    ),
}
"""Consumer service -> the events it subscribes to (one queue each)."""

PRODUCERS: dict[str, tuple[str, ...]] = {
    "drafting": ("draft.submitted",),
    "review": ("draft.approved", "draft.rejected"),
    "publisher": ("post.published", "post.failed"),
    "feedback": ("feedback.received", "feedback.digest.ready"),
    "reporting": ("report.ready",),
    "audience": (
        "follower.subscribed",
        "follower.unsubscribed",
        "branch.saved",
        "feedback.received",
    ),
}
"""Producer service -> the events it publishes."""


@dataclass(frozen=True)
class QueueNames:
    main: str
    dlq: str
    retry: str


@dataclass(frozen=True)
class Topology:
    """Names and declarations for one namespace (``""`` in production)."""

    namespace: str = ""
    delivery_limit: int = 10
    retry_delay_ms: int = 5_000

    @property
    def exchange(self) -> RabbitExchange:
        return RabbitExchange(
            f"{self.namespace}contentops.events", type=ExchangeType.TOPIC, durable=True
        )

    @property
    def dead_letter_exchange(self) -> RabbitExchange:
        return RabbitExchange(
            f"{self.namespace}contentops.dlx", type=ExchangeType.DIRECT, durable=True
        )

    @property
    def retry_exchange(self) -> RabbitExchange:
        return RabbitExchange(
            f"{self.namespace}contentops.retry", type=ExchangeType.DIRECT, durable=True
        )

    def names(self, service: str, event: str) -> QueueNames:
        main = f"{self.namespace}{service}.{event}"
        return QueueNames(main=main, dlq=f"{main}.dlq", retry=f"{main}.retry")

    def queue_names(self) -> list[str]:
        """Every queue of this namespace: each consumer queue, its DLQ and retry queue."""
        names = [self.names(s, e) for s, events in CONSUMERS.items() for e in events]
        return [name for n in names for name in (n.main, n.dlq, n.retry)]

    def exchange_names(self) -> list[str]:
        return [
            self.exchange.name,
            self.dead_letter_exchange.name,
            self.retry_exchange.name,
        ]

    def queue(self, service: str, event: str) -> RabbitQueue:
        """The consumer queue ``<service>.<event>``, bound to the event routing key."""
        names = self.names(service, event)
        arguments: dict[str, Any] = {
            "x-dead-letter-exchange": self.dead_letter_exchange.name,
            "x-dead-letter-routing-key": names.dlq,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
            "x-delivery-limit": self.delivery_limit,
        }
        return RabbitQueue(
            names.main,
            queue_type=QueueType.QUORUM,
            routing_key=event,
            arguments=cast(QuorumQueueArgs, arguments),
        )

    def dlq(self, service: str, event: str) -> RabbitQueue:
        names = self.names(service, event)
        return RabbitQueue(names.dlq, queue_type=QueueType.QUORUM, routing_key=names.dlq)

    def retry_queue(self, service: str, event: str) -> RabbitQueue:
        names = self.names(service, event)
        arguments: dict[str, Any] = {
            "x-message-ttl": self.retry_delay_ms,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": names.main,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }
        return RabbitQueue(
            names.retry,
            queue_type=QueueType.QUORUM,
            routing_key=names.retry,
            arguments=cast(QuorumQueueArgs, arguments),
        )
