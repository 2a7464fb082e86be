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

Accounts (#12): every change authorises on the post's (or the held calendar's) account —
a reviewer of one account gets 403 on another's post, and nothing changes; lists read
``account_scope`` (``?account=``, or every account the caller holds a role on) and each
item names its ``account``; a post of an account the caller holds no role on is 404.
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
    AccountHold,
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
from shared.accounts import DEFAULT_ACCOUNT
from shared.bounds import MAX_OFFSET, Instant
from shared.calendar import slots_between
from shared.http import Page, account_scope, authorize, require
from shared.settings import Principal, Role

__all__ = ["build_router"]

Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="Items to skip (at most 1,000,000).")
]
Limit = Annotated[int, Query(ge=1, le=200, description="Items per page (at most 200).")]
PostId = Annotated[str, Path(min_length=1, max_length=64, description="The post id.")]
AccountQuery = Annotated[
    str | None,
    Query(
        max_length=32,
        description="Only this account (default: every account you hold a role on).",
        examples=["talent"],
    ),
]


def build_router(deps: PublisherDeps, tokens: Callable[[], Mapping[str, Principal]]) -> APIRouter:
    """The publisher's routes, bound to this runtime's tokens and the use cases' deps."""
    router = APIRouter(tags=["calendar"])
    readers = require(tokens, Role.EDITOR, Role.REVIEWER, Role.DIRECTOR)
    reviewers = require(tokens, Role.REVIEWER)
    operators = require(tokens, Role.REVIEWER, Role.DIRECTOR)
    Reader = Annotated[Principal, Depends(readers)]
    Reviewer = Annotated[Principal, Depends(reviewers)]
    Operator = Annotated[Principal, Depends(operators)]
    accounts = deps.settings.accounts

    async def owned(post_id: str, who: Principal, *roles: Role) -> None:
        """403 unless ``who`` holds one of ``roles`` on the post's account (404: no post)."""
        post = await deps.posts.get(post_id)
        if post is None:
            raise PostNotFound(post_id)
        authorize(who, post.account, *roles)

    @router.get("/slots", summary="Upcoming slots with their posts, per account")
    async def list_slots(
        who: Reader,
        start: Annotated[
            Instant | None, Query(description="From (default now; years 2000-2100).")
        ] = None,
        days: Annotated[int, Query(ge=1, le=366)] = 14,
        offset: Offset = 0,
        limit: Limit = 20,
        account: AccountQuery = None,
    ) -> Page[SlotPublic]:
        scope = account_scope(who, accounts, account)
        begin = start or deps.clock.now()
        end = begin + timedelta(days=days)
        order = {name: i for i, name in enumerate(scope)}
        slots = sorted(
            (
                (name, slot)
                for name in scope
                for slot in slots_between(deps.policy_for(name), begin, end)
            ),
            key=lambda item: (item[1].at, order[item[0]]),
        )
        page = slots[offset : offset + limit]
        names = sorted({name for name, _ in page})
        posts = await deps.posts.in_slots(names, sorted({s.key for _, s in page}))
        by_slot: dict[tuple[str, str], list[PostPublic]] = {}
        for post in posts:
            if post.state is not PostState.CANCELLED:
                by_slot.setdefault((post.account, post.slot_key), []).append(PostPublic.of(post))
        items = []
        for name, s in page:
            capacity = deps.policy_for(name).posts_per_slot
            taken = by_slot.get((name, s.key), [])
            items.append(
                SlotPublic(
                    account=name,
                    key=s.key,
                    at=s.at,
                    local=s.local,
                    capacity=capacity,
                    free=max(0, capacity - len(taken)),
                    posts=taken,
                )
            )
        return Page[SlotPublic](items=items, total=len(slots), offset=offset, limit=limit)

    @router.get("/posts", summary="Posts, newest slot first, optionally by state and account")
    async def list_posts(
        who: Reader,
        state: Annotated[list[PostState] | None, Query()] = None,
        offset: Offset = 0,
        limit: Limit = 50,
        account: AccountQuery = None,
    ) -> Page[PostPublic]:
        scope = account_scope(who, accounts, account)
        posts, total = await deps.posts.page(
            accounts=scope, states=state or [], offset=offset, limit=limit
        )
        return Page[PostPublic](
            items=[PostPublic.of(p) for p in posts], total=total, offset=offset, limit=limit
        )

    @router.get("/posts/{post_id}", summary="A post with its publishing history")
    async def get_post(post_id: PostId, who: Reader) -> PostDetail:
        post = await deps.posts.get(post_id)
        if post is None or not who.roles_on(post.account):  # not revealed to outsiders
            raise PostNotFound(post_id)
        return PostDetail.of(post)

    @router.post("/posts/{post_id}/reschedule", summary="Move a post to another slot")
    async def reschedule(post_id: PostId, body: PostScheduleUpdate, who: Reviewer) -> PostPublic:
        await owned(post_id, who, Role.REVIEWER)
        return PostPublic.of(
            await reschedule_post(ReschedulePost(post_id, body.slot), actor=who, deps=deps)
        )

    @router.post("/posts/{post_id}/cancel", summary="Cancel a post before it goes out")
    async def cancel(post_id: PostId, body: PostCancel, who: Reviewer) -> PostPublic:
        await owned(post_id, who, Role.REVIEWER)
        return PostPublic.of(
            await cancel_post(CancelPost(post_id, body.reason), actor=who, deps=deps)
        )

    @router.post("/posts/{post_id}/pause", summary="Keep a post from going out until resumed")
    async def pause(post_id: PostId, who: Reviewer) -> PostPublic:
        await owned(post_id, who, Role.REVIEWER)
        return PostPublic.of(await pause_post(post_id, actor=who, deps=deps))

    @router.post("/posts/{post_id}/resume", summary="Re-arm a paused post")
    async def resume(post_id: PostId, who: Reviewer) -> PostPublic:
        await owned(post_id, who, Role.REVIEWER)
        return PostPublic.of(await resume_post(post_id, actor=who, deps=deps))

    @router.post(
        "/posts/{post_id}/resolve",
        summary="Settle a post whose outcome the channel cannot tell (unknown or pending)",
    )
    async def resolve(post_id: PostId, body: PostResolve, who: Operator) -> PostPublic:
        await owned(post_id, who, Role.REVIEWER, Role.DIRECTOR)
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

    @router.get("/calendar", summary="Whether each account's calendar is held")
    async def calendar(who: Reader, account: AccountQuery = None) -> CalendarPublic:
        scope = account_scope(who, accounts, account)
        in_flight = await deps.posts.in_states(scope, sorted(IN_FLIGHT))
        return await _calendar(scope, in_flight)

    @router.post(
        "/calendar/hold", summary="Hold every post of an account that has not started publishing"
    )
    async def hold(body: CalendarHoldUpdate, who: Reviewer) -> CalendarPublic:
        accounts.require(body.account)
        authorize(who, body.account, Role.REVIEWER)
        change = HoldChange(body.reason, account=body.account)
        return await _hold_answer(body.account, hold_calendar(change, actor=who, deps=deps))

    @router.post("/calendar/release", summary="Release an account's hold")
    async def release(body: CalendarHoldUpdate, who: Reviewer) -> CalendarPublic:
        accounts.require(body.account)
        authorize(who, body.account, Role.REVIEWER)
        change = HoldChange(body.reason, account=body.account)
        return await _hold_answer(body.account, release_calendar(change, actor=who, deps=deps))

    async def _hold_answer(account: str, call: Awaitable[HoldResult]) -> CalendarPublic:
        result = await call
        return await _calendar([account], result.in_flight)

    async def _calendar(scope: list[str], in_flight: list[Post]) -> CalendarPublic:
        holds = [_hold(name, await deps.calendar.hold(name)) for name in scope]
        first = holds[0] if holds else AccountHold(account=DEFAULT_ACCOUNT, held=False)
        return CalendarPublic(
            account=first.account,
            held=first.held,
            by=first.by,
            reason=first.reason,
            at=first.at,
            accounts=holds,
            in_flight=[PostPublic.of(p) for p in in_flight],
        )

    return router


def _hold(account: str, hold: Mapping[str, Any]) -> AccountHold:
    return AccountHold(
        account=account,
        held=bool(hold.get("held")),
        by=hold.get("by"),
        reason=hold.get("reason"),
        at=hold.get("at"),
    )
