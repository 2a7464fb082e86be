"""HTTP routes of the publisher: the slot calendar and the posts in it.

Reads: editor, reviewer, director (and admin). Changes — reschedule, cancel, pause,
resume, hold and release the calendar — need the reviewer role (or admin); each is
audited in the transaction that makes it. Conflicts with publishing (the post already
went to its channel) answer 409; an instant that is not a usable slot answers 422
naming ``slot``.

Resolving a post whose outcome the channel cannot tell (``/posts/{id}/resolve``, see
:mod:`services.publisher.resolution`) is an operator's decision about what happened on
the account: the reviewers who run the calendar, or the director the escalation goes
to (or admin). A post not ``unknown``/``pending`` answers 409 naming its state; a
malformed resolution 422 naming the field.
"""

# No ``from __future__ import annotations``: the routes' dependency aliases are local to
# build_router (they bind this runtime's tokens) and FastAPI must see them evaluated.
from collections.abc import Awaitable
from datetime import datetime, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.publisher.commands import (
    HoldResult,
    cancel_post,
    hold_calendar,
    pause_post,
    release_calendar,
    reschedule_post,
    resume_post,
)
from services.publisher.deps import PublisherDeps
from services.publisher.domain import (
    IN_FLIGHT,
    Post,
    PostNotFound,
    PostState,
    SlotFull,
    SlotRefused,
    TransitionRefused,
)
from services.publisher.resolution import (
    MAX_NOTE,
    MAX_URL,
    InvalidResolution,
    ResolveAction,
    ResolveOutcome,
    RetryRefused,
    resolution,
)
from services.publisher.resolve import resolve_post
from shared.calendar import slots_between
from shared.events import Category
from shared.http import Page, ProblemError, require
from shared.runtime import ServiceRuntime
from shared.settings import Principal, Role

__all__ = [
    "CalendarHoldUpdate",
    "CalendarPublic",
    "HistoryEntry",
    "PostCancel",
    "PostDetail",
    "PostPublic",
    "PostResolve",
    "PostScheduleUpdate",
    "SlotPublic",
    "build_router",
]

T = TypeVar("T")
PostId = Annotated[str, Path(min_length=1, max_length=64, description="The post id.")]


class PostPublic(BaseModel):
    """A post in the calendar."""

    post_id: str
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
    def of(cls, post: Post) -> "PostPublic":
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
    def of(cls, post: Post) -> "PostDetail":
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

    key: str = Field(examples=["publish:2026-11-23T11:30+08:00"])
    at: AwareDatetime = Field(description="The slot instant (UTC).")
    local: datetime = Field(description="The slot in the calendar's zone.")
    capacity: int
    free: int
    posts: list[PostPublic]


class PostScheduleUpdate(BaseModel):
    """Move a post to another slot."""

    slot: AwareDatetime = Field(
        description="The new slot instant; must be a slot of the calendar and ahead of now.",
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
    published_at: AwareDatetime | None = Field(
        default=None, description="Published only: when it went out (default now)."
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
    """Hold or release the whole calendar."""

    reason: str = Field(default="", max_length=500, examples=["account under maintenance"])


class CalendarPublic(BaseModel):
    """Whether the calendar is held, and posts already beyond reach of a hold."""

    held: bool
    by: str | None = None
    reason: str | None = None
    at: AwareDatetime | None = None
    in_flight: list[PostPublic] = Field(
        default_factory=list,
        description="Posts already submitting (or awaiting the channel's answer): "
        "a hold cannot call them back.",
    )


async def _answer(call: Awaitable[T]) -> T:
    """Run a use case, turning its refusals into problem documents."""
    try:
        return await call
    except PostNotFound as exc:
        raise ProblemError(404, "Post not found", f"No post {exc}.") from exc
    except TransitionRefused as exc:
        raise ProblemError(409, "Not possible now", str(exc)) from exc
    except SlotFull as exc:
        raise ProblemError(409, "Slot full", str(exc)) from exc
    except RetryRefused as exc:
        raise ProblemError(409, "Not possible now", str(exc)) from exc
    except SlotRefused as exc:
        raise _invalid("slot", str(exc)) from exc
    except InvalidResolution as exc:
        raise _invalid(exc.field, exc.message) from exc


def _invalid(field: str, message: str) -> ProblemError:
    """422 naming ``field``, shaped as the request validation errors are."""
    return ProblemError(
        422,
        "Invalid request",
        f"Invalid value for: {field}. {message}",
        type_="urn:contentops:problem:validation",
        errors=[{"field": field, "message": message}],
    )


def build_router(runtime: ServiceRuntime, deps: PublisherDeps) -> APIRouter:
    """The publisher's routes, bound to this runtime's tokens and adapters."""
    router = APIRouter(tags=["calendar"])
    readers = require(runtime.tokens, Role.EDITOR, Role.REVIEWER, Role.DIRECTOR)
    reviewers = require(runtime.tokens, Role.REVIEWER)
    operators = require(runtime.tokens, Role.REVIEWER, Role.DIRECTOR)
    Reader = Annotated[Principal, Depends(readers)]
    Reviewer = Annotated[Principal, Depends(reviewers)]
    Operator = Annotated[Principal, Depends(operators)]

    @router.get("/slots", summary="Upcoming slots with their posts")
    async def list_slots(
        _: Reader,
        start: Annotated[AwareDatetime | None, Query(description="From (default now).")] = None,
        days: Annotated[int, Query(ge=1, le=366)] = 14,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=200)] = 20,
    ) -> Page[SlotPublic]:
        begin = start or deps.clock.now()
        slots = slots_between(deps.policy, begin, begin + timedelta(days=days))
        page = slots[offset : offset + limit]
        posts = await deps.repo.in_slots([s.key for s in page])
        by_slot: dict[str, list[PostPublic]] = {}
        for post in posts:
            if post.state is not PostState.CANCELLED:
                by_slot.setdefault(post.slot_key, []).append(PostPublic.of(post))
        capacity = deps.policy.posts_per_slot
        items = [
            SlotPublic(
                key=s.key,
                at=s.at,
                local=s.local,
                capacity=capacity,
                free=max(0, capacity - len(by_slot.get(s.key, []))),
                posts=by_slot.get(s.key, []),
            )
            for s in page
        ]
        return Page[SlotPublic](items=items, total=len(slots), offset=offset, limit=limit)

    @router.get("/posts", summary="Posts, newest slot first, optionally by state")
    async def list_posts(
        _: Reader,
        state: Annotated[list[PostState] | None, Query()] = None,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=200)] = 50,
    ) -> Page[PostPublic]:
        posts, total = await deps.repo.page(states=state or [], offset=offset, limit=limit)
        return Page[PostPublic](
            items=[PostPublic.of(p) for p in posts], total=total, offset=offset, limit=limit
        )

    @router.get("/posts/{post_id}", summary="A post with its publishing history")
    async def get_post(post_id: PostId, _: Reader) -> PostDetail:
        post = await deps.repo.get(post_id)
        if post is None:
            raise ProblemError(404, "Post not found", f"No post {post_id}.")
        return PostDetail.of(post)

    @router.post("/posts/{post_id}/reschedule", summary="Move a post to another slot")
    async def reschedule(post_id: PostId, body: PostScheduleUpdate, who: Reviewer) -> PostPublic:
        post = await _answer(reschedule_post(post_id, body.slot, actor=who, deps=deps))
        return PostPublic.of(post)

    @router.post("/posts/{post_id}/cancel", summary="Cancel a post before it goes out")
    async def cancel(post_id: PostId, body: PostCancel, who: Reviewer) -> PostPublic:
        return PostPublic.of(await _answer(cancel_post(post_id, body.reason, actor=who, deps=deps)))

    @router.post("/posts/{post_id}/pause", summary="Keep a post from going out until resumed")
    async def pause(post_id: PostId, who: Reviewer) -> PostPublic:
        return PostPublic.of(await _answer(pause_post(post_id, actor=who, deps=deps)))

    @router.post("/posts/{post_id}/resume", summary="Re-arm a paused post")
    async def resume(post_id: PostId, who: Reviewer) -> PostPublic:
        return PostPublic.of(await _answer(resume_post(post_id, actor=who, deps=deps)))

    @router.post(
        "/posts/{post_id}/resolve",
        summary="Settle a post whose outcome the channel cannot tell (unknown or pending)",
    )
    async def resolve(post_id: PostId, body: PostResolve, who: Operator) -> PostPublic:
        async def call() -> Post:
            checked = resolution(
                body.outcome,
                note=body.note,
                now=deps.clock.now(),
                action=body.action,
                url=body.url,
                published_at=body.published_at,
                msg_data_id=body.msg_data_id,
            )
            return await resolve_post(post_id, checked, actor=who, deps=deps)

        return PostPublic.of(await _answer(call()))

    @router.get("/calendar", summary="Whether the calendar is held")
    async def calendar(_: Reader) -> CalendarPublic:
        hold = await deps.repo.hold()
        in_flight = await deps.repo.in_states(sorted(IN_FLIGHT))
        return _calendar(hold, in_flight)

    @router.post("/calendar/hold", summary="Hold every post that has not started publishing")
    async def hold(body: CalendarHoldUpdate, who: Reviewer) -> CalendarPublic:
        return await _hold_answer(hold_calendar(body.reason, actor=who, deps=deps))

    @router.post("/calendar/release", summary="Release the hold")
    async def release(body: CalendarHoldUpdate, who: Reviewer) -> CalendarPublic:
        return await _hold_answer(release_calendar(body.reason, actor=who, deps=deps))

    async def _hold_answer(call: Awaitable[HoldResult]) -> CalendarPublic:
        result = await call
        return _calendar(await deps.repo.hold(), result.in_flight)

    return router


def _calendar(hold: dict[str, Any], in_flight: list[Post]) -> CalendarPublic:
    return CalendarPublic(
        held=bool(hold.get("held")),
        by=hold.get("by"),
        reason=hold.get("reason"),
        at=hold.get("at"),
        in_flight=[PostPublic.of(p) for p in in_flight],
    )
