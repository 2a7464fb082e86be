"""The post and its life, as pure rules: states, allowed commands, events to emit.

::

    scheduled ──pause──► paused ──resume──► scheduled        (reschedule: scheduled,
        │  └──────────cancel / reschedule──────┘                paused or missed)
        │ job due: on time or late within grace
        ▼
    submitting ──answer──► published | pending | failed
        │ unclear answer, or the replica died (a newer fence finds it)
        ▼
    unknown ──reconcile (channel.status)──► published | pending | failed
                                         └► scheduled again, only when the channel
                                            says nothing went out
    unknown / pending ──resolve (a person's word)──► published | scheduled | cancelled
    scheduled ──job due beyond grace──► missed
    scheduled / paused / missed ──cancel──► cancelled

Only a job holding the current fence moves a post out of ``scheduled`` and only while
``rev`` (bumped by every schedule change) is the one it was scheduled with, so a cancel,
pause or reschedule and the publishing job race on one document and exactly one wins.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from services.publisher.channels.models import PublishOutcome, PublishRequest
from services.publisher.errors import ContentMismatch, TransitionRefused
from services.publisher.slots import Due, classify_due
from shared.events import (
    Category,
    ContentSnapshot,
    FailureCode,
    PostFailed,
    PostFailedPayload,
    PostPublished,
    PostPublishedPayload,
)

__all__ = [
    "IN_FLIGHT",
    "Command",
    "DueAction",
    "Post",
    "PostState",
    "channel_ids",
    "check_command",
    "decide_due",
    "failed_event",
    "free_seats",
    "history_entry",
    "lateness_seconds",
    "post_id_for",
    "publish_request",
    "refused",
    "published_event",
    "retry_due_at",
    "verified_content",
]

PRODUCER = "publisher"
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class PostState(StrEnum):
    """Where a post stands (see the module diagram)."""

    SCHEDULED = "scheduled"
    PAUSED = "paused"
    SUBMITTING = "submitting"
    PENDING = "pending"
    UNKNOWN = "unknown"
    PUBLISHED = "published"
    FAILED = "failed"
    MISSED = "missed"
    CANCELLED = "cancelled"


IN_FLIGHT = frozenset({PostState.SUBMITTING, PostState.PENDING, PostState.UNKNOWN})


class Command(StrEnum):
    """What a person may ask of a post."""

    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    PAUSE = "pause"
    RESUME = "resume"
    RESOLVE = "resolve"  # settle an outcome the channel cannot tell (see resolution.py)


_ALLOWED: dict[Command, frozenset[PostState]] = {
    Command.RESCHEDULE: frozenset({PostState.SCHEDULED, PostState.PAUSED, PostState.MISSED}),
    Command.CANCEL: frozenset({PostState.SCHEDULED, PostState.PAUSED, PostState.MISSED}),
    Command.PAUSE: frozenset({PostState.SCHEDULED}),
    Command.RESUME: frozenset({PostState.PAUSED}),
    Command.RESOLVE: frozenset({PostState.PENDING, PostState.UNKNOWN}),
}


def refused(post_id: str, state: PostState, command: Command) -> TransitionRefused:
    """The refusal of ``command`` for a post found in ``state``."""
    return TransitionRefused(
        post_id, state, command, allowed=_ALLOWED[command], started=state in IN_FLIGHT
    )


class Post(BaseModel):
    """A post as the publisher keeps it (one document in ``posts``)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    post_id: str = Field(alias="_id")
    draft_id: str
    revision: int
    review_id: str
    reviewer: str
    approved_at: AwareDatetime
    approval_event_id: str
    correlation_id: str
    content: dict[str, Any]
    content_hash: str
    title: str
    category: Category
    state: PostState
    slot_key: str
    slot_at: AwareDatetime
    seat: int | None = None
    rev: int = 1
    job_key: str | None = None
    channel: str | None = None
    submit_fence: int | None = None
    submit_started_at: AwareDatetime | None = None
    attempts: int = 0
    publish_id: str | None = None
    channel_ids: dict[str, str] = Field(default_factory=dict)
    url: str | None = None
    published_at: AwareDatetime | None = None
    lateness_seconds: float | None = None
    failure: dict[str, Any] | None = None
    last_error: str | None = None
    unknown_since: AwareDatetime | None = None
    escalated_at: AwareDatetime | None = None
    confirmed_unsent_at: AwareDatetime | None = None
    reconcile_round: int = 0
    history: list[dict[str, Any]] = Field(default_factory=list)
    created_at: AwareDatetime
    updated_at: AwareDatetime


def check_command(post: Post, command: Command) -> None:
    """Raise :class:`TransitionRefused` unless ``command`` applies to ``post`` now."""
    if post.state not in _ALLOWED[command]:
        raise refused(post.post_id, post.state, command)


def free_seats(taken: set[int], capacity: int) -> list[int]:
    """The seat numbers of a slot not yet taken (none when it is full)."""
    return [seat for seat in range(capacity) if seat not in taken]


def post_id_for(draft_id: str, revision: int) -> str:
    """The post id of an approved draft revision: readable when it can be, stable always.

    Channels use it as their idempotency key and file name, so it must be short and safe.
    """
    readable = f"p-{draft_id}-r{revision}"
    if _SAFE_ID.fullmatch(draft_id) and len(readable) <= 64:
        return readable
    digest = hashlib.sha256(f"{draft_id}\x00{revision}".encode()).hexdigest()[:20]
    return f"p-{digest}-r{revision}"


def verified_content(content: Mapping[str, Any], approved_hash: str) -> ContentSnapshot:
    """The stored snapshot, re-validated and re-hashed; raises :class:`ContentMismatch`."""
    try:
        snapshot = ContentSnapshot.model_validate(content)
    except ValidationError as exc:
        raise ContentMismatch(f"stored content is no longer a valid snapshot: {exc}") from exc
    actual = snapshot.content_hash()
    if actual != approved_hash:
        raise ContentMismatch(f"content hashes to {actual}, the approval says {approved_hash}")
    return snapshot


def publish_request(post: Post, snapshot: ContentSnapshot) -> PublishRequest:
    """What a channel receives: exactly the approved snapshot, keyed by the post id."""
    cover = next((p for p in snapshot.pictures if p.is_cover), None)
    return PublishRequest(
        post_id=post.post_id,
        draft_id=post.draft_id,
        title=snapshot.title,
        digest=snapshot.digest,
        body_html=snapshot.body_html,
        author=snapshot.author,
        cover_url=str(cover.url) if cover else None,
        picture_urls=tuple(str(p.url) for p in snapshot.pictures if not p.is_cover),
        content_hash=post.content_hash,
        slot_key=post.slot_key,
        confirmed_unsent_at=post.confirmed_unsent_at,
    )


class DueAction(StrEnum):
    """What a claimed publishing job must do with its post."""

    PUBLISH = "publish"  # scheduled, on time or late within grace
    MISS = "miss"  # scheduled, beyond grace
    TAKE_OVER = "take_over"  # submitting under an older fence: its holder died
    SKIP = "skip"  # cancelled, paused, rescheduled or already handled


def decide_due(
    post: Post | None,
    *,
    rev: int,
    fence: int,
    now: datetime,
    grace: timedelta,
    tolerance: timedelta,
) -> tuple[DueAction, Due | None]:
    """Decide what a job (scheduled for ``rev``, holding ``fence``) does at ``now``."""
    if post is None or post.rev != rev:
        return DueAction.SKIP, None
    if post.state is PostState.SUBMITTING and (post.submit_fence or 0) < fence:
        return DueAction.TAKE_OVER, None
    if post.state is not PostState.SCHEDULED:
        return DueAction.SKIP, None
    due = classify_due(post.slot_at, now, grace, tolerance=tolerance)
    return (DueAction.MISS if due is Due.MISSED else DueAction.PUBLISH), due


def lateness_seconds(slot_at: datetime, published_at: datetime) -> float:
    """Seconds after the slot instant (never negative)."""
    return max(0.0, (published_at - slot_at).total_seconds())


def retry_due_at(slot_at: datetime, now: datetime) -> datetime:
    """When a post found not to have gone out is tried again: now, never before its slot."""
    return max(now, slot_at)


def history_entry(
    action: str,
    *,
    at: datetime,
    actor: str,
    from_state: PostState | None,
    to_state: PostState | None,
    **detail: Any,
) -> dict[str, Any]:
    """One line of a post's publish history."""
    return {
        "at": at,
        "action": action,
        "actor": actor,
        "from": str(from_state) if from_state else None,
        "to": str(to_state) if to_state else None,
        **{k: v for k, v in detail.items() if v is not None},
    }


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
