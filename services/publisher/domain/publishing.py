"""The rules of publishing a post: its id, the approved content, what a due job does.

Also the post an approval creates: scheduled in its slot, or — when an earlier revision
of the draft already went out, or may have — recorded cancelled, never pushed twice.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import ValidationError

from services.publisher.domain.channel import PublishRequest
from services.publisher.domain.events import failed_event
from services.publisher.domain.keys import publish_job_key
from services.publisher.domain.post import Post
from services.publisher.domain.slots import Due, classify_due
from services.publisher.domain.states import PostState
from services.publisher.domain.steps import ACTOR
from services.publisher.domain.transition import history_entry
from services.publisher.errors import ContentMismatch
from shared.calendar import Slot
from shared.events import ContentSnapshot, DraftApproved, FailureCode, PostFailed

__all__ = [
    "DueAction",
    "decide_due",
    "post_id_for",
    "publish_request",
    "refused_post",
    "scheduled_post",
    "verified_content",
]

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def post_id_for(draft_id: str, revision: int) -> str:
    """The post id of an approved draft revision: readable when it can be, stable always.

    Channels use it as their idempotency key and file name, so it must be short and safe.
    """
    readable = f"p-{draft_id}-r{revision}"
    if _SAFE_ID.fullmatch(draft_id) and len(readable) <= 64:
        return readable
    digest = hashlib.sha256(f"{draft_id}\x00{revision}".encode()).hexdigest()[:20]
    return f"p-{digest}-r{revision}"


def _approved_post(
    event: DraftApproved,
    state: PostState,
    slot: Slot,
    *,
    account: str,
    now: datetime,
    history: dict[str, Any],
    **fields: Any,
) -> Post:
    """The post of an approved revision, in ``state`` at ``slot``, with its first step."""
    approval = event.payload
    return Post(
        post_id=post_id_for(approval.draft_id, approval.revision),
        account=account,
        draft_id=approval.draft_id,
        revision=approval.revision,
        review_id=approval.review_id,
        reviewer=approval.reviewer,
        approved_at=approval.approved_at,
        approval_event_id=str(event.event_id),
        correlation_id=event.correlation_id,
        content=approval.content.model_dump(mode="json"),
        content_hash=approval.content_hash,
        title=approval.content.title,
        category=approval.content.category,
        state=state,
        slot_key=slot.key,
        slot_at=slot.at,
        history=[history],
        created_at=now,
        updated_at=now,
        **fields,
    )


def scheduled_post(
    event: DraftApproved, slot: Slot, seat: int, *, now: datetime, account: str | None = None
) -> Post:
    """The approved revision scheduled at ``slot`` on ``seat``, with its first job's key.

    ``account``: the post's (default: the event's; a version-1 event's repeat of a draft
    already stored under another account keeps that account).
    """
    owner = account or event.account
    approval = event.payload
    post_id = post_id_for(approval.draft_id, approval.revision)
    return _approved_post(
        event,
        PostState.SCHEDULED,
        slot,
        account=owner,
        now=now,
        history=history_entry(
            "scheduled",
            at=now,
            actor=approval.reviewer,
            from_state=None,
            to_state=PostState.SCHEDULED,
            slot_key=slot.key,
            wished=approval.slot,
        ),
        seat=seat,
        job_key=publish_job_key(post_id, 1, owner),
    )


def refused_post(
    event: DraftApproved, out: Post, slot: Slot, *, now: datetime
) -> tuple[Post, PostFailed]:
    """A newer revision of a draft whose revision ``out`` went out (or may have): recorded
    cancelled, never scheduled, with the ``post.failed`` that tells the editor (in
    ``out``'s account: a draft's revisions are one account's)."""
    reason = (
        f"revision {out.revision} of this draft is already {out.state.value} "
        f"(post {out.post_id}); an article goes out once: write a new draft to publish again"
    )
    post = _approved_post(
        event,
        PostState.CANCELLED,
        slot,
        account=out.account,
        now=now,
        history=history_entry(
            "refused",
            at=now,
            actor=ACTOR,
            from_state=None,
            to_state=PostState.CANCELLED,
            reason=reason,
            earlier_post=out.post_id,
        ),
        failure={"code": FailureCode.CANCELLED.value, "reason": reason},
    )
    event_out = failed_event(
        post, code=FailureCode.CANCELLED, reason=reason, needs_person=True, at=now
    )
    return post, event_out


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
        account=post.account,
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
