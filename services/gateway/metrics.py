"""Prometheus metrics of the gateway: sign-ins, page renders, calls to the services."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram

__all__ = ["GatewayMetrics"]


@dataclass(frozen=True)
class GatewayMetrics:
    signins: Counter
    page_seconds: Histogram
    upstream_seconds: Histogram

    @classmethod
    def create(cls, registry: CollectorRegistry) -> GatewayMetrics:
        return cls(
            signins=Counter(
                "gateway_signins_total",
                "Sign-in attempts by outcome (ok, refused, throttled).",
                ["outcome"],
                registry=registry,
            ),
            page_seconds=Histogram(
                "gateway_page_seconds",
                "Time to render a console page, service calls included.",
                ["page"],
                registry=registry,
                buckets=(0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.2),
            ),
            upstream_seconds=Histogram(
                "gateway_upstream_seconds",
                "Time of a call to a service, by service and outcome class.",
                ["service", "status"],
                registry=registry,
                buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 5.0),
            ),
        )
