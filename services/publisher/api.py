"""HTTP routes of the publisher: the slot calendar and the posts in it.

Reads: editor, reviewer, director (and admin). Changes — reschedule, cancel, pause,
resume, hold and release the calendar — need the reviewer role (or admin); each is
audited in the transaction that makes it. Conflicts with publishing (the post already
went to its channel) answer 409; an instant that is not a usable slot answers 422
naming ``slot``.

Resolving a post whose outcome the channel cannot tell (``/posts/{id}/resolve``, see
:mod:`services.publisher.domain.resolution`) is an operator's decision about what happened on
the account: the reviewers who run the calendar, or the director the escalation goes
to (or admin). A post not ``unknown``/``pending`` answers 409 naming its state; a
malformed resolution 422 naming the field.
"""

# No ``from __future__ import annotations``: the routes' dependency aliases are local to
# build_router (they bind this runtime's tokens) and FastAPI must see them evaluated.
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from services.publisher.deps import PublisherDeps
from services.publisher.domain import IN_FLIGHT, Post, PostState
from services.publisher.domain.resolution import resolution
from services.publisher.errors import PostNotFound
from services.publisher.schemas import (
    CalendarHoldUpdate,
    CalendarPublic,
    PostCancel,
    PostDetail,
    PostPublic,
    PostResolve,
    PostScheduleUpdate,
    SlotPublic,
)
from services.publisher.usecases.commands import (
    CancelPost,
    HoldChange,
    HoldResult,
    ReschedulePost,
    cancel_post,
    hold_calendar,
    pause_post,
    release_calendar,
    reschedule_post,
    resume_post,
)
from services.publisher.usecases.resolve import ResolvePost, resolve_post
from shared.bounds import MAX_OFFSET, Instant
from shared.calendar import slots_between
from shared.http import Page, require
from shared.settings import Principal, Role

__all__ = ["build_router"]

Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="Items to skip (at most 1,000,000).")
]
Limit = Annotated[int, Query(ge=1, le=200, description="Items per page (at most 200).")]
PostId = Annotated[str, Path(min_length=1, max_length=64, description="The post id.")]


def build_router(deps: PublisherDeps, tokens: Callable[[], Mapping[str, Principal]]) -> APIRouter:
    """The publisher's routes, bound to this runtime's tokens and the use cases' deps."""
    router = APIRouter(tags=["calendar"])
    readers = require(tokens, Role.EDITOR, Role.REVIEWER, Role.DIRECTOR)
    reviewers = require(tokens, Role.REVIEWER)
    operators = require(tokens, Role.REVIEWER, Role.DIRECTOR)
    Reader = Annotated[Principal, Depends(readers)]
    Reviewer = Annotated[Principal, Depends(reviewers)]
    Operator = Annotated[Principal, Depends(operators)]

    @router.get("/slots", summary="Upcoming slots with their posts")
    async def list_slots(
        _: Reader,
        start: Annotated[
            Instant | None, Query(description="From (default now; years 2000-2100).")
        ] = None,
        days: Annotated[int, Query(ge=1, le=366)] = 14,
        offset: Offset = 0,
        limit: Limit = 20,
    ) -> Page[SlotPublic]:
        begin = start or deps.clock.now()
        slots = slots_between(deps.policy, begin, begin + timedelta(days=days))
        page = slots[offset : offset + limit]
        posts = await deps.posts.in_slots([s.key for s in page])
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
        offset: Offset = 0,
        limit: Limit = 50,
    ) -> Page[PostPublic]:
        posts, total = await deps.posts.page(states=state or [], offset=offset, limit=limit)
        return Page[PostPublic](
            items=[PostPublic.of(p) for p in posts], total=total, offset=offset, limit=limit
        )

    @router.get("/posts/{post_id}", summary="A post with its publishing history")
    async def get_post(post_id: PostId, _: Reader) -> PostDetail:
        post = await deps.posts.get(post_id)
        if post is None:
            raise PostNotFound(post_id)
        return PostDetail.of(post)

    @router.post("/posts/{post_id}/reschedule", summary="Move a post to another slot")
    async def reschedule(post_id: PostId, body: PostScheduleUpdate, who: Reviewer) -> PostPublic:
        return PostPublic.of(
            await reschedule_post(ReschedulePost(post_id, body.slot), actor=who, deps=deps)
        )

    @router.post("/posts/{post_id}/cancel", summary="Cancel a post before it goes out")
    async def cancel(post_id: PostId, body: PostCancel, who: Reviewer) -> PostPublic:
        return PostPublic.of(
            await cancel_post(CancelPost(post_id, body.reason), actor=who, deps=deps)
        )

    @router.post("/posts/{post_id}/pause", summary="Keep a post from going out until resumed")
    async def pause(post_id: PostId, who: Reviewer) -> PostPublic:
        return PostPublic.of(await pause_post(post_id, actor=who, deps=deps))

    @router.post("/posts/{post_id}/resume", summary="Re-arm a paused post")
    async def resume(post_id: PostId, who: Reviewer) -> PostPublic:
        return PostPublic.of(await resume_post(post_id, actor=who, deps=deps))

    @router.post(
        "/posts/{post_id}/resolve",
        summary="Settle a post whose outcome the channel cannot tell (unknown or pending)",
    )
    async def resolve(post_id: PostId, body: PostResolve, who: Operator) -> PostPublic:
        checked = resolution(
            body.outcome,
            note=body.note,
            now=deps.clock.now(),
            action=body.action,
            url=body.url,
            published_at=body.published_at,
            msg_data_id=body.msg_data_id,
        )
        return PostPublic.of(
            await resolve_post(ResolvePost(post_id, checked), actor=who, deps=deps)
        )

    @router.get("/calendar", summary="Whether the calendar is held")
    async def calendar(_: Reader) -> CalendarPublic:
        hold = await deps.calendar.hold()
        in_flight = await deps.posts.in_states(sorted(IN_FLIGHT))
        return _calendar(hold, in_flight)

    @router.post("/calendar/hold", summary="Hold every post that has not started publishing")
    async def hold(body: CalendarHoldUpdate, who: Reviewer) -> CalendarPublic:
        return await _hold_answer(hold_calendar(HoldChange(body.reason), actor=who, deps=deps))

    @router.post("/calendar/release", summary="Release the hold")
    async def release(body: CalendarHoldUpdate, who: Reviewer) -> CalendarPublic:
        return await _hold_answer(release_calendar(HoldChange(body.reason), actor=who, deps=deps))

    async def _hold_answer(call: Awaitable[HoldResult]) -> CalendarPublic:
        result = await call
        return _calendar(await deps.calendar.hold(), result.in_flight)

    return router


def _calendar(hold: Mapping[str, Any], in_flight: list[Post]) -> CalendarPublic:
    return CalendarPublic(
        held=bool(hold.get("held")),
        by=hold.get("by"),
        reason=hold.get("reason"),
        at=hold.get("at"),
        in_flight=[PostPublic.of(p) for p in in_flight],
    )
