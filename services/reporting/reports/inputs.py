"""Read-model rows the report builder consumes.

The reporting service keeps these rows up to date from events (``post.published``,
``post.failed``, ``feedback.received``, ``feedback.digest.ready``); the builder only reads
them. All instants are aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.events.common import CATEGORY_LABELS

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "Category",
    "DigestQuestion",
    "DigestRow",
    "DigestTheme",
    "PostFeedbackAgg",
    "PostRow",
]

Category = Literal["industry", "management", "hr", "finance", "services"]

CATEGORIES: tuple[Category, ...] = ("industry", "management", "hr", "finance", "services")
"""The plan's five categories, in the plan's order (used for stable ordering and ties)."""


def _as_utc(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class PostRow(_Row):
    """One post from the publisher: published (``published_at``) or failed (``failed_at``)."""

    post_id: str = Field(min_length=1, description="Post id (publisher's).")
    draft_id: str = Field(min_length=1, description="Draft the post was made from.")
    title: str = Field(description="Post title as published.")
    category: Category = Field(description="One of the plan's five categories.")
    published_at: AwareDatetime | None = Field(
        default=None, description="When the post went live; None when it failed."
    )
    failed_at: AwareDatetime | None = Field(
        default=None, description="When publishing failed or became unknown; None if published."
    )
    slot_key: str = Field(description="Publishing slot, e.g. publish:2026-11-23T11:30+08:00.")
    lateness_seconds: float = Field(
        default=0.0, description="Seconds after the planned slot time the post went out."
    )
    account: str = Field(default="default", description="The official account of the post.")

    @field_validator("published_at", "failed_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return _as_utc(value)

    @model_validator(mode="after")
    def _one_outcome(self) -> Self:
        if (self.published_at is None) == (self.failed_at is None):
            raise ValueError("exactly one of published_at and failed_at must be set")
        return self

    @property
    def failed(self) -> bool:
        """True when the post did not go out."""
        return self.published_at is None

    @property
    def occurred_at(self) -> datetime:
        """The instant that places the post in a period (publish or failure time)."""
        at = self.published_at or self.failed_at
        assert at is not None  # guaranteed by the validator
        return at


class PostFeedbackAgg(_Row):
    """Feedback figures of one post, aggregated from ``feedback.received`` events."""

    post_id: str = Field(min_length=1)
    comments: int = Field(default=0, ge=0, description="Public comments under the post.")
    messages: int = Field(default=0, ge=0, description="Private messages about the post.")
    enquiries: int = Field(default=0, ge=0, description="Enquiries (business questions).")
    replies: int = Field(default=0, ge=0, description="Our replies, to anything.")
    replies_within_12h: int = Field(
        default=0, ge=0, description="Messages and enquiries answered within 12 hours."
    )
    enquiries_breached: int = Field(
        default=0, ge=0, description="Enquiries not answered within 12 hours."
    )
    reads: int = Field(default=0, ge=0, description="Latest metric snapshot: reads.")
    likes: int = Field(default=0, ge=0, description="Latest metric snapshot: likes.")
    shares: int = Field(default=0, ge=0, description="Latest metric snapshot: shares.")
    positive: int = Field(default=0, ge=0, description="Feedback items judged positive.")
    neutral: int = Field(default=0, ge=0, description="Feedback items judged neutral.")
    negative: int = Field(default=0, ge=0, description="Feedback items judged negative.")


class DigestTheme(_Row):
    """One theme of a 24-hour core-issues document."""

    label: str = Field(min_length=1, description="Short theme label.")
    terms: list[str] = Field(default_factory=list, description="Top terms, most telling first.")
    count: int = Field(ge=0, description="Feedback items in the theme.")
    sample_quotes: list[str] = Field(default_factory=list)
    stance: Literal["ask", "praise", "complaint", "other"] | None = Field(
        default=None, description="What the group's people do; None from older digests."
    )
    intent: str | None = Field(default=None, description="Taxonomy intent, e.g. 开通与账号.")
    about_form: bool = Field(
        default=False, description="About the pushes' form (length, timing, layout)."
    )


class DigestQuestion(_Row):
    """One customer question of a core-issues document, with our reply if any."""

    text: str = Field(min_length=1)
    asked_at: AwareDatetime
    answered: bool = False
    reply_text: str | None = None
    reply_at: AwareDatetime | None = None
    intent: str | None = None

    @field_validator("asked_at", "reply_at")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return _as_utc(value)


class DigestRow(_Row):
    """The feedback service's 24-hour core-issues document of one post."""

    post_id: str = Field(min_length=1)
    category: Category
    themes: list[DigestTheme] = Field(default_factory=list)
    questions: list[DigestQuestion] = Field(default_factory=list)
