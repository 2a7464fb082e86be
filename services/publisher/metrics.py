"""Domain metrics of the publisher (in the runtime's registry, scraped at ``/metrics``)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram

__all__ = ["PublisherMetrics"]

# Seconds after the slot instant: sub-second punctuality matters, and so do late slots.
_LATENESS_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300, 1800, 3600, 7200)


@dataclass(frozen=True)
class PublisherMetrics:
    """Posts scheduled, published, failed, missed; lateness; unknown outcomes; duplicates."""

    scheduled: Counter
    published: Counter
    lateness: Histogram
    failed: Counter
    missed: Counter
    unknown: Counter
    duplicates_prevented: Counter
    published_by_account: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> PublisherMetrics:
        return cls(
            scheduled=Counter(
                "publisher_posts_scheduled_total",
                "Approved posts given a slot.",
                registry=registry,
            ),
            published=Counter(
                "publisher_posts_published_total",
                "Posts confirmed live, by channel.",
                ["channel"],
                registry=registry,
            ),
            lateness=Histogram(
                "publisher_publish_lateness_seconds",
                "Seconds between the slot instant and publication (business time).",
                buckets=_LATENESS_BUCKETS,
                registry=registry,
            ),
            failed=Counter(
                "publisher_posts_failed_total",
                "post.failed events emitted, by failure code.",
                ["code"],
                registry=registry,
            ),
            missed=Counter(
                "publisher_slots_missed_total",
                "Posts whose slot passed beyond the grace period before they went out.",
                registry=registry,
            ),
            unknown=Counter(
                "publisher_unknown_outcomes_total",
                "Publish attempts whose outcome was unclear (reconciled, never resubmitted).",
                ["channel"],
                registry=registry,
            ),
            duplicates_prevented=Counter(
                "publisher_duplicates_prevented_total",
                "Second publications refused or avoided, by where they were caught.",
                ["reason"],
                registry=registry,
            ),
            # A new metric rather than a label on the old ones (their rules and dashboards
            # keep working): posts confirmed live per official account (#12).
            published_by_account=Counter(
                "publisher_account_posts_published_total",
                "Posts confirmed live, by official account.",
                ["account"],
                registry=registry,
            ),
        )
