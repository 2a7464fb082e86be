"""HTTP request and response models of the publisher: the calendar and its posts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.publisher.domain import Post, PostState
from services.publisher.domain.resolution import MAX_NOTE, MAX_URL, ResolveAction, ResolveOutcome
from shared.accounts import ACCOUNT_ID_PATTERN, DEFAULT_ACCOUNT
from shared.bounds import Instant
from shared.events import Category

__all__ = [
    "AccountHold",
    "CalendarHoldUpdate",
    "CalendarPublic",
    "HistoryEntry",
    "PostCancel",
    "PostDetail",
    "PostPublic",
    "PostResolve",
    "PostScheduleUpdate",
    "SlotPublic",
]


class PostPublic(BaseModel):
    """A post in the calendar."""

    post_id: str
    account: str = Field(
        default=DEFAULT_ACCOUNT,
        description="The official account (公众号) the post goes out on.",
        examples=["default", "talent"],
    )
    draft_id: str
    revision: int
    title: str
    category: Category
    state: PostState
    slot_key: str = Field(examples=["publish:2026-11-23T11:30+08:00"])
    slot_at: AwareDatetime
    channel: str | None = None
    publish_id: str | None = None
    channel_ids: dict[str, str] = Field(default_factory=dict)
    url: str | None = None
    published_at: AwareDatetime | None = None
    lateness_seconds: float | None = None
    failure: dict[str, Any] | None = None
    attempts: int = 0
    updated_at: AwareDatetime

    @classmethod
    def of(cls, post: Post) -> PostPublic:
        return cls.model_validate(post.model_dump(by_alias=False))


class HistoryEntry(BaseModel):
    """One step of a post's publishing history."""

    at: AwareDatetime
    action: str = Field(examples=["submitting"])
    actor: str
    from_state: str | None = None
    to_state: str | None = None
    details: dict[str, Any] = Field(default_factory=dict)


class PostDetail(PostPublic):
    """A post with its approval and its full publishing history."""

    review_id: str
    reviewer: str
    approved_at: AwareDatetime
    content_hash: str
    created_at: AwareDatetime
    history: list[HistoryEntry]

    @classmethod
    def of(cls, post: Post) -> PostDetail:
        data = post.model_dump(by_alias=False)
        data["history"] = [_history(entry) for entry in post.history]
        return cls.model_validate(data)


def _history(entry: dict[str, Any]) -> HistoryEntry:
    known = {"at", "action", "actor", "from", "to"}
    return HistoryEntry(
        at=entry["at"],
        action=entry["action"],
        actor=entry.get("actor", ""),
        from_state=entry.get("from"),
        to_state=entry.get("to"),
        details={k: v for k, v in entry.items() if k not in known},
    )


class SlotPublic(BaseModel):
    """A publishing slot and the posts in it."""

    account: str = Field(
        default=DEFAULT_ACCOUNT,
        description="The account whose calendar has this slot: two accounts may have a "
        "slot at the same instant, each with its own capacity and posts.",
        examples=["default", "talent"],
    )
    key: str = Field(examples=["publish:2026-11-23T11:30+08:00"])
    at: AwareDatetime = Field(description="The slot instant (UTC).")
    local: datetime = Field(description="The slot in the account calendar's zone.")
    capacity: int
    free: int
    posts: list[PostPublic]


class PostScheduleUpdate(BaseModel):
    """Move a post to another slot."""

    slot: Instant = Field(
        description="The new slot instant; must be a slot of the calendar and ahead of now "
        "(years 2000-2100).",
        examples=["2026-11-25T03:30:00Z"],
    )


class PostCancel(BaseModel):
    """Cancel a post: it will never go out."""

    reason: str = Field(min_length=1, max_length=500, examples=["topic no longer relevant"])


class PostResolve(BaseModel):
    """What a person found on the channel about a post whose outcome is unknown."""

    model_config = ConfigDict(extra="forbid")

    outcome: ResolveOutcome = Field(description="Whether the post went out.")
    url: str | None = Field(
        default=None,
        max_length=MAX_URL,
        description="Published only (required): the article's http(s) address.",
        examples=["https://mp.weixin.qq.com/s/AbCdEf"],
    )
    published_at: Instant | None = Field(
        default=None,
        description="Published only: when it went out (default now; years 2000-2100).",
    )
    msg_data_id: str | None = Field(
        default=None,
        max_length=32,
        description="Published on WeChat only (optional): the publication's msg_data_id, "
        "as the account shows it, so feedback can collect the article's comments.",
        examples=["2247490098"],
    )
    action: ResolveAction | None = Field(
        default=None, description="Not published only (required): retry now, or cancel."
    )
    note: str = Field(
        min_length=1,
        max_length=MAX_NOTE,
        description="What was checked, and where: kept in the history and the audit.",
        examples=["checked the account's publish history: article is live"],
    )


class CalendarHoldUpdate(BaseModel):
    """Hold or release an account's whole calendar."""

    reason: str = Field(default="", max_length=500, examples=["account under maintenance"])
    account: str = Field(
        default=DEFAULT_ACCOUNT,
        pattern=ACCOUNT_ID_PATTERN,
        description="The account whose calendar is held or released (needs the reviewer "
        "role on it).",
        examples=["default", "talent"],
    )


class AccountHold(BaseModel):
    """Whether one account's calendar is held."""

    account: str = Field(examples=["default", "talent"])
    held: bool
    by: str | None = None
    reason: str | None = None
    at: AwareDatetime | None = None


class CalendarPublic(BaseModel):
    """Whether the calendar is held, and posts already beyond reach of a hold.

    ``held``, ``by``, ``reason`` and ``at`` are those of ``account`` (the first account
    read); ``accounts`` lists the hold of every account read, ``in_flight`` their posts.
    """

    account: str = Field(
        default=DEFAULT_ACCOUNT, description="The account the top-level hold fields describe."
    )
    held: bool
    by: str | None = None
    reason: str | None = None
    at: AwareDatetime | None = None
    accounts: list[AccountHold] = Field(
        default_factory=list, description="The hold of every account read."
    )
    in_flight: list[PostPublic] = Field(
        default_factory=list,
        description="Posts already submitting (or awaiting the channel's answer): "
        "a hold cannot call them back.",
    )
