"""The events a post's life causes: ``post.published`` and ``post.failed``."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from services.publisher.domain.channel import PublishOutcome
from shared.events import (
    FailureCode,
    PostFailed,
    PostFailedPayload,
    PostPublished,
    PostPublishedPayload,
)

if TYPE_CHECKING:
    from services.publisher.domain.record import PostRecord as Post

__all__ = ["PRODUCER", "channel_ids", "failed_event", "lateness_seconds", "published_event"]

PRODUCER = "publisher"


def lateness_seconds(slot_at: datetime, published_at: datetime) -> float:
    """Seconds after the slot instant (never negative)."""
    return max(0.0, (published_at - slot_at).total_seconds())


def channel_ids(post: Post, outcome: PublishOutcome) -> dict[str, str]:
    """Every channel id learnt so far (a reconcile answer may not repeat earlier ones)."""
    return {**post.channel_ids, **outcome.channel_ids}


def published_event(
    post: Post, outcome: PublishOutcome, *, published_at: datetime
) -> PostPublished:
    """``post.published`` for ``post`` as the channel reported it."""
    ids = channel_ids(post, outcome)
    return PostPublished(
        producer=PRODUCER,
        account=post.account,
        correlation_id=post.correlation_id,
        occurred_at=published_at,
        payload=PostPublishedPayload(
            post_id=post.post_id,
            draft_id=post.draft_id,
            title=post.title,
            category=post.category,
            channel=outcome.channel,
            channel_ids=ids,
            url=outcome.url,
            published_at=published_at,
            slot_key=post.slot_key,
            slot_at=post.slot_at,
            lateness_seconds=lateness_seconds(post.slot_at, published_at),
            content_hash=post.content_hash,
        ),
    )


def failed_event(
    post: Post,
    *,
    code: FailureCode,
    reason: str,
    needs_person: bool,
    at: datetime,
    channel: str | None = None,
) -> PostFailed:
    """``post.failed`` for ``post``."""
    return PostFailed(
        producer=PRODUCER,
        account=post.account,
        correlation_id=post.correlation_id,
        occurred_at=at,
        payload=PostFailedPayload(
            post_id=post.post_id,
            draft_id=post.draft_id,
            category=post.category,
            channel=channel,
            slot_key=post.slot_key,
            slot_at=post.slot_at,
            code=code,
            reason=reason[:2000] or str(code),
            needs_person=needs_person,
            failed_at=at,
            revision=post.revision,
            content_hash=post.content_hash,
        ),
    )
