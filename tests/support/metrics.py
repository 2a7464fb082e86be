"""Metric values as Prometheus would scrape them: through the registry's public API."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

__all__ = ["metric_value"]


def metric_value(registry: CollectorRegistry, name: str, **labels: str) -> float:
    """The value of sample ``name`` with ``labels``; 0 when it was never recorded (a
    labelled child that was never incremented is not exported at all)."""
    return registry.get_sample_value(name, labels) or 0.0
