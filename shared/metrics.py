"""Prometheus metrics: one registry per service process.

FastStream's ``RabbitPrometheusMiddleware`` writes the message counters into the same
registry; the shared domain metrics below are created per registry so tests can build
several services in one process.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["MessagingMetrics", "new_registry"]


def new_registry() -> CollectorRegistry:
    return CollectorRegistry(auto_describe=True)


@dataclass(frozen=True)
class MessagingMetrics:
    """Counters of the reliability plumbing every service shares."""

    dead_lettered: Counter
    retried: Counter
    duplicates: Counter
    outbox_published: Counter
    outbox_pending: Gauge
    outbox_publish_errors: Counter
    handler_seconds: Histogram

    @classmethod
    def create(cls, registry: CollectorRegistry, service: str) -> MessagingMetrics:
        labels = ["queue"]
        return cls(
            dead_lettered=Counter(
                "contentops_dead_lettered_total",
                "Messages sent to a dead-letter queue, by queue and reason.",
                [*labels, "reason"],
                registry=registry,
            ),
            retried=Counter(
                "contentops_retried_total",
                "Messages sent to a delayed retry queue after a transient failure.",
                labels,
                registry=registry,
            ),
            duplicates=Counter(
                "contentops_duplicate_events_total",
                "Redelivered events skipped by the idempotency record.",
                labels,
                registry=registry,
            ),
            outbox_published=Counter(
                "contentops_outbox_published_total",
                "Outbox events published with a broker confirm.",
                ["event_type"],
                registry=registry,
            ),
            outbox_pending=Gauge(
                "contentops_outbox_pending",
                "Outbox events not yet confirmed by the broker.",
                registry=registry,
            ),
            outbox_publish_errors=Counter(
                "contentops_outbox_publish_errors_total",
                "Failed outbox publish attempts (retried later).",
                registry=registry,
            ),
            handler_seconds=Histogram(
                "contentops_handler_seconds",
                "Time spent in use cases per queue.",
                labels,
                registry=registry,
            ),
        )
