"""Events the reporting service consumes (``post.published``, ``post.failed``,
``feedback.received``, ``feedback.digest_ready``), as its tests build them."""

from __future__ import annotations

import uuid
from datetime import datetime

from shared.events import (
    Category,
    DigestQuestion,
    DigestTheme,
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

__all__ = ["HASH", "digest", "failed", "feedback", "published"]

HASH = "0" * 64


def published(
    post_id: str, category: str, at: datetime, title: str | None = None, *, channel: str = "local"
) -> PostPublished:
    return PostPublished(
        occurred_at=at,
        producer="publisher",
        correlation_id=post_id,
        payload=PostPublishedPayload(
            post_id=post_id,
            draft_id=f"d-{post_id}",
            title=title or f"文章 {post_id}",
            category=Category(category),
            channel=channel,
            published_at=at,
            slot_key=f"publish:{at.isoformat()}",
            slot_at=at,
            lateness_seconds=0.0,
            content_hash=HASH,
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
    text: str = "",
    source: str = "wechat_comment",
    source_id: str | None = None,
    in_reply_to: str | None = None,
    reads: int = 0,
    likes: int = 0,
    shares: int = 0,
) -> FeedbackReceived:
    fk = FeedbackKind(kind)
    return FeedbackReceived(
        occurred_at=at,
        producer="feedback",
        correlation_id=post_id or "no-post",
        payload=FeedbackReceivedPayload(
            source=source,
            source_id=source_id or uuid.uuid4().hex,
            kind=fk,
            post_id=post_id,
            text=text,
            received_at=at,
            in_reply_to=in_reply_to,
            metrics=(
                FeedbackMetrics(reads=reads, likes=likes, shares=shares)
                if fk is FeedbackKind.METRIC
                else None
            ),
        ),
    )


def digest(
    post_id: str,
    at: datetime,
    *,
    category: str | None = None,
    sentiment: dict[str, int] | None = None,
    themes: tuple[DigestTheme, ...] = (),
    questions: tuple[DigestQuestion, ...] = (),
) -> FeedbackDigestReady:
    return FeedbackDigestReady(
        occurred_at=at,
        producer="feedback",
        correlation_id=post_id,
        payload=FeedbackDigestReadyPayload(
            digest_id=f"dg-{post_id}",
            post_id=post_id,
            category=Category(category) if category else None,
            window_start=at,
            window_end=at,
            sentiment=sentiment or {},
            themes=themes,
            questions=questions,
        ),
    )
