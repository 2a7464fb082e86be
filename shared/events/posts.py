"""Events of the publisher: ``post.published`` and ``post.failed``."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from shared.events.common import Category
from shared.events.envelope import Contract, EventEnvelope

__all__ = [
    "FailureCode",
    "PostFailed",
    "PostFailedPayload",
    "PostPublished",
    "PostPublishedPayload",
]


class PostPublishedPayload(Contract):
    """A post is live on a channel."""

    post_id: str = Field(min_length=1, max_length=64, examples=["p-2026-11-23-1"])
    draft_id: str = Field(min_length=1, max_length=64)
    title: str = Field(min_length=1, max_length=64)
    category: Category
    channel: str = Field(description="Channel name: wechat or local.", examples=["wechat"])
    channel_ids: dict[str, str] = Field(
        default_factory=dict,
        description="Channel ids, e.g. publish_id, article_id, msg_data_id.",
    )
    url: str | None = Field(default=None, description="Public URL of the article.")
    published_at: AwareDatetime
    slot_key: str = Field(examples=["publish:2026-11-23T11:30+08:00"])
    slot_at: AwareDatetime
    lateness_seconds: float = Field(ge=0, description="Seconds after the slot instant.")
    content_hash: str = Field(min_length=64, max_length=64)


class PostPublished(EventEnvelope):
    """``post.published``: consumed by feedback, reporting and drafting."""

    EVENT_TYPE: ClassVar[str] = "post.published"
    event_type: Literal["post.published"] = "post.published"
    payload: PostPublishedPayload


class FailureCode(StrEnum):
    """Why a post did not go out."""

    MISSED = "missed"  # the slot passed beyond the grace period
    CHANNEL_ERROR = "channel_error"  # the channel refused it
    OUTCOME_UNKNOWN = "outcome_unknown"  # could not tell whether it went out
    HASH_MISMATCH = "hash_mismatch"  # content differs from the approved content
    NOT_APPROVED_IN_TIME = "not_approved_in_time"
    CANCELLED = "cancelled"


class PostFailedPayload(Contract):
    """Publishing failed or its outcome is unknown; ``needs_person`` says who must act."""

    post_id: str = Field(min_length=1, max_length=64)
    draft_id: str = Field(min_length=1, max_length=64)
    category: Category | None = None
    channel: str | None = None
    slot_key: str | None = None
    slot_at: AwareDatetime | None = None
    code: FailureCode
    reason: str = Field(min_length=1, max_length=2000)
    needs_person: bool = True
    failed_at: AwareDatetime
    revision: int | None = Field(
        default=None, ge=1, description="Draft revision of the post (added in v1.1)."
    )
    content_hash: str | None = Field(
        default=None,
        min_length=64,
        max_length=64,
        description="Hash of the approved content of the post (added in v1.1).",
    )


class PostFailed(EventEnvelope):
    """``post.failed``: consumed by drafting and reporting."""

    EVENT_TYPE: ClassVar[str] = "post.failed"
    event_type: Literal["post.failed"] = "post.failed"
    payload: PostFailedPayload
