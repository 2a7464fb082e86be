"""Events the reporting service consumes, as its unit tests build them."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.events import (
    FeedbackDigestReady,
    FeedbackDigestReadyPayload,
    FeedbackReceived,
    PostPublished,
)
from tests.support import reporting_events
from tests.support.reporting_events import failed

__all__ = ["digest", "failed", "feedback", "published"]


def published(post_id: str, category: str, at: datetime) -> PostPublished:
    return reporting_events.published(post_id, category, at, channel="wechat")


def feedback(
    post_id: str | None,
    kind: str,
    at: datetime,
    *,
    source_id: str,
    source: str = "wechat",
    text: str = "",
    in_reply_to: str | None = None,
    reads: int = 0,
) -> FeedbackReceived:
    return reporting_events.feedback(
        post_id,
        kind,
        at,
        source_id=source_id,
        source=source,
        text=text,
        in_reply_to=in_reply_to,
        reads=reads,
    )


def digest(post_id: str, window_end: datetime, *, negative: int = 0) -> FeedbackDigestReady:
    return FeedbackDigestReady(
        occurred_at=window_end,
        producer="feedback",
        correlation_id=post_id,
        payload=FeedbackDigestReadyPayload(
            digest_id=f"dg-{post_id}-{window_end:%H%M}",
            post_id=post_id,
            window_start=window_end - timedelta(hours=24),
            window_end=window_end,
            sentiment={"positive": 1, "neutral": 0, "negative": negative},
        ),
    )
