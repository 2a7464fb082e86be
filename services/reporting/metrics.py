"""Domain metrics of the reporting service (in the runtime's registry, at ``/metrics``).

``reporting_last_report_timestamp_seconds`` and ``reporting_read_model_documents`` are
read from the database by every replica, so they are right whichever replica produced
the report; alert on them, for example::

    time() - max by (kind) (reporting_last_report_timestamp_seconds{kind="weekly"})
      > 8 * 86400

(no weekly report for eight days). The timestamp is business time: with the
accelerated demo clock it runs ahead of the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["ReportingMetrics"]

_BUILD_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60)


@dataclass(frozen=True)
class ReportingMetrics:
    """Reports produced or skipped, their last time per kind, build time, read-model sizes."""

    produced: Counter
    skipped: Counter
    last_report: Gauge
    build_seconds: Histogram
    read_model: Gauge
    feedback_skipped: Counter
    scheduled: Counter
    scheduler_tick: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry) -> ReportingMetrics:
        return cls(
            produced=Counter(
                "reporting_reports_produced_total",
                "Reports stored and announced by this replica, by kind and trigger.",
                ["kind", "trigger"],
                registry=registry,
            ),
            skipped=Counter(
                "reporting_reports_skipped_total",
                "Due periods this replica completed without a report, by kind and reason "
                "(no_data: the period ends before the earliest data).",
                ["kind", "reason"],
                registry=registry,
            ),
            last_report=Gauge(
                "reporting_last_report_timestamp_seconds",
                "When the newest stored report of each kind was generated (unix seconds).",
                ["kind"],
                registry=registry,
            ),
            build_seconds=Histogram(
                "reporting_report_build_seconds",
                "Real seconds to read, build and render one report.",
                ["kind"],
                buckets=_BUILD_BUCKETS,
                registry=registry,
            ),
            read_model=Gauge(
                "reporting_read_model_documents",
                "Documents in each read-model collection.",
                ["collection"],
                registry=registry,
            ),
            feedback_skipped=Counter(
                "reporting_feedback_skipped_total",
                "feedback.received events that changed nothing, by reason.",
                ["reason"],
                registry=registry,
            ),
            scheduled=Counter(
                "reporting_jobs_scheduled_total",
                "Report jobs created for due periods (by any replica's first call), by kind.",
                ["kind"],
                registry=registry,
            ),
            scheduler_tick=Gauge(
                "reporting_scheduler_tick_timestamp_seconds",
                "Business time of this replica's last look for due report periods.",
                registry=registry,
            ),
        )
