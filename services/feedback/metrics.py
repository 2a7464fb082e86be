"""Domain metrics of the feedback service (in the runtime's registry, scraped at ``/metrics``).

Gauges read from the database (open windows, open and overdue enquiries) are set by
every replica from the same query: take ``max`` across replicas, not ``sum``. Counters
count what the replica itself did, so ``sum`` across replicas is right for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

__all__ = ["FeedbackMetrics"]

_BATCH_BUCKETS = (1, 5, 10, 25, 50, 100, 200, 400, 800, 1600)
_WINDOW_BUCKETS = (0, 10, 50, 100, 500, 1_000, 5_000, 10_000, 50_000)


@dataclass(frozen=True)
class FeedbackMetrics:
    """Items by door and outcome, batches, windows, documents, enquiries, deliveries,
    replies sent through WeChat, polls of WeChat's comments and statistics."""

    items: Counter
    batch_size: Histogram
    batch_seconds: Histogram
    windows_open: Gauge
    window_items: Histogram
    digests: Counter
    enquiries_open: Gauge
    enquiries_overdue: Gauge
    account_enquiries_open: Gauge
    account_enquiries_overdue: Gauge
    breaches: Counter
    deliveries: Counter
    reply_sends: Counter
    push_requests: Counter
    polls: Counter
    stats_polls: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> FeedbackMetrics:
        return cls(
            items=Counter(
                "feedback_items_total",
                "Feedback items offered, by door (amqp/http/push/poll/api) and outcome.",
                ["via", "outcome"],
                registry=registry,
            ),
            batch_size=Histogram(
                "feedback_ingest_batch_size",
                "Items per AMQP ingestion batch write.",
                buckets=_BATCH_BUCKETS,
                registry=registry,
            ),
            batch_seconds=Histogram(
                "feedback_ingest_batch_seconds",
                "Time to write one AMQP ingestion batch.",
                registry=registry,
            ),
            windows_open=Gauge(
                "feedback_windows_open", "Feedback windows still open.", registry=registry
            ),
            window_items=Histogram(
                "feedback_window_items",
                "Items of a window when it closed (window size).",
                buckets=_WINDOW_BUCKETS,
                registry=registry,
            ),
            digests=Counter(
                "feedback_digests_issued_total",
                "Core-issues documents issued at window close.",
                registry=registry,
            ),
            enquiries_open=Gauge(
                "feedback_enquiries_open", "Enquiries waiting for a reply.", registry=registry
            ),
            enquiries_overdue=Gauge(
                "feedback_enquiries_overdue",
                "Enquiries waiting for a reply past the 12-hour limit.",
                registry=registry,
            ),
            account_enquiries_open=Gauge(
                "feedback_account_enquiries_open",
                "Enquiries waiting for a reply, per official account.",
                ["account"],
                registry=registry,
            ),
            account_enquiries_overdue=Gauge(
                "feedback_account_enquiries_overdue",
                "Enquiries waiting for a reply past their account's limit, per account.",
                ["account"],
                registry=registry,
            ),
            breaches=Counter(
                "feedback_reply_breaches_total",
                "Enquiries flagged as past the reply limit.",
                registry=registry,
            ),
            deliveries=Counter(
                "feedback_digest_deliveries_total",
                "Document deliveries by channel (email/webhook) and outcome.",
                ["channel", "outcome"],
                registry=registry,
            ),
            reply_sends=Counter(
                "feedback_reply_sends_total",
                "Attempts to send a reply through WeChat, by channel (wechat_comment/"
                "wechat_message) and outcome (sent/retry/failed/unknown).",
                ["channel", "outcome"],
                registry=registry,
            ),
            push_requests=Counter(
                "feedback_wechat_push_total",
                "WeChat push requests by outcome.",
                ["outcome"],
                registry=registry,
            ),
            polls=Counter(
                "feedback_comment_polls_total",
                "WeChat comment polls by outcome.",
                ["outcome"],
                registry=registry,
            ),
            stats_polls=Counter(
                "feedback_stats_polls_total",
                "WeChat statistics polls by outcome (stored/duplicate/missing/delayed/error).",
                ["outcome"],
                registry=registry,
            ),
        )
