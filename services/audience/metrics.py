"""Domain metrics of the audience service (scraped at ``/metrics``)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram

__all__ = ["AudienceMetrics"]

_REPLY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


@dataclass(frozen=True)
class AudienceMetrics:
    """Pushes by outcome (and by account), follower changes, replies, menu clicks, the push
    answer time. Existing metrics keep their labels; only new ones carry ``account``."""

    push_requests: Counter
    follower_changes: Counter
    replies: Counter
    menu_clicks: Counter
    handed_to_feedback: Counter
    push_seconds: Histogram
    account_pushes: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry) -> AudienceMetrics:
        return cls(
            push_requests=Counter(
                "audience_push_requests_total",
                "WeChat pushes by outcome (recorded, duplicate, verified, refused ...).",
                ["outcome"],
                registry=registry,
            ),
            follower_changes=Counter(
                "audience_follower_changes_total",
                "Follower changes pushed by WeChat, by kind (subscribed, returned, unsubscribed).",
                ["change"],
                registry=registry,
            ),
            replies=Counter(
                "audience_replies_total",
                "Passive replies by what answered (rule, default, greeting, none).",
                ["by"],
                registry=registry,
            ),
            menu_clicks=Counter(
                "audience_menu_clicks_total", "Menu clicks recorded.", registry=registry
            ),
            handed_to_feedback=Counter(
                "audience_handed_to_feedback_total",
                "Messages handed to the feedback service as feedback.received.",
                registry=registry,
            ),
            push_seconds=Histogram(
                "audience_push_seconds",
                "Time to answer a WeChat push (WeChat gives up after 5 s).",
                buckets=_REPLY_BUCKETS,
                registry=registry,
            ),
            account_pushes=Counter(
                "audience_account_pushes_total",
                "WeChat pushes answered, by official account and outcome (#12).",
                ["account", "outcome"],
                registry=registry,
            ),
        )
