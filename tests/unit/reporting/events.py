"""Events the reporting service consumes, as its unit tests build them."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.events import (
    Category,
    FailureCode,
    FeedbackDigestReady,
    FeedbackDigestReadyPayload,
    FeedbackKind,
    FeedbackMetrics,
    FeedbackReceived,
    FeedbackReceivedPayload,
    PostFailed,
    PostFailedPayload,
    PostPublished,
    PostPublishedPayload,
)

__all__ = ["digest", "failed", "feedback", "published"]


def published(post_id: str, category: str, at: datetime) -> PostPublished:
    return PostPublished(
        occurred_at=at,
        producer="publisher",
        correlation_id=post_id,
        payload=PostPublishedPayload(
            post_id=post_id,
            draft_id=f"d-{post_id}",
            title=f"文章 {post_id}",
            category=Category(category),
            channel="wechat",
            published_at=at,
            slot_key=f"publish:{at.isoformat()}",
            slot_at=at,
            lateness_seconds=0.0,
            content_hash="0" * 64,
        ),
    )


def failed(
    post_id: str,
    at: datetime,
    *,
    category: str | None = None,
    code: FailureCode = FailureCode.CHANNEL_ERROR,
) -> PostFailed:
    return PostFailed(
        occurred_at=at,
        producer="publisher",
        correlation_id=post_id,
        payload=PostFailedPayload(
            post_id=post_id,
            draft_id=f"d-{post_id}",
            category=Category(category) if category else None,
            code=code,
            reason="the channel refused the article",
            failed_at=at,
        ),
    )


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
    fk = FeedbackKind(kind)
    return FeedbackReceived(
        occurred_at=at,
        producer="feedback",
        correlation_id=post_id or "no-post",
        payload=FeedbackReceivedPayload(
            source=source,
            source_id=source_id,
            kind=fk,
            post_id=post_id,
            text=text,
            received_at=at,
            in_reply_to=in_reply_to,
            metrics=FeedbackMetrics(reads=reads) if fk is FeedbackKind.METRIC else None,
        ),
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
