"""Posts: each post's state, its lateness against its slot and the channel's answer; a
post's history; and, for an outcome the channel cannot tell (``unknown``/``pending``),
the form that settles it (``POST /posts/{id}/resolve`` of the publisher: reviewers and
the director)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from services.gateway.errors import InvalidInput
from services.gateway.pages._common import (
    POST_STATE_LABELS,
    READERS,
    common,
    lateness_text,
    reads,
    require,
)
from services.gateway.upstream_reads import problem_of
from services.gateway.web.console import Console, NavItem, Visit
from services.gateway.web.timefmt import local_time
from shared.settings import Role

NAV = NavItem(key="posts", path="/posts", label="Posts", roles=frozenset(READERS), order=45)
PostId = Annotated[str, Path(min_length=1, max_length=64)]
UNSETTLED = ("unknown", "pending")
PER_PAGE = 50
HISTORY_ACTIONS = {
    "scheduled": "Scheduled",
    "rescheduled": "Rescheduled",
    "paused": "Paused",
    "resumed": "Resumed",
    "cancelled": "Cancelled",
    "escalated": "Escalated to a person",
    "not_published": "Not published (a person said)",
    "refused": "Refused",
    "retry_later": "Retry later",
    "superseded": "Superseded by a newer revision",
}


def build(console: Console) -> APIRouter:
    router = APIRouter(route_class=console.route_class, include_in_schema=False)

    def lateness(seconds: float | None, lang: str) -> str:
        return lateness_text(seconds, lang)

    @router.get("/posts")
    async def posts_page(
        request: Request,
        state: Annotated[str, Query(max_length=16)] = "",
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> Response:
        visit = await console.visit(request)
        require(visit, *READERS)
        if state and state not in POST_STATE_LABELS:
            raise InvalidInput({"state": f"one of {', '.join(POST_STATE_LABELS)}"})
        source = reads(console, visit)
        listed, unsettled = await asyncio.gather(
            source.posts([state] if state else None, offset=offset, limit=PER_PAGE),
            source.posts(list(UNSETTLED), limit=50),
        )
        return console.render(
            request,
            "pages_posts.html",
            {
                **common(visit),
                "posts": listed["items"],
                "total": listed["total"],
                "offset": offset,
                "per_page": PER_PAGE,
                "state": state,
                "states": POST_STATE_LABELS,
                "unsettled": unsettled["items"],
                "lateness": lambda s: lateness(s, visit.lang),
            },
            visit=visit,
            page=NAV.key,
        )

    async def detail(
        request: Request,
        visit: Visit,
        post_id: str,
        *,
        problem: dict[str, Any] | None = None,
        done: str = "",
        sent: dict[str, str] | None = None,
    ) -> Response:
        require(visit, *READERS)
        post = await reads(console, visit).post(post_id)
        now_local = local_time(console.deps.clock.now(), console.zone, visit.lang)
        return console.render(
            request,
            "pages_post.html",
            {
                **common(visit),
                "post": post,
                "states": POST_STATE_LABELS,
                "actions": HISTORY_ACTIONS,
                "lateness": lateness(post.get("lateness_seconds"), visit.lang),
                "may_resolve": visit.may_on(post.get("account"), Role.REVIEWER, Role.DIRECTOR)
                and post.get("state") in UNSETTLED,
                "problem": problem,
                "done": done,
                "sent": sent or {},
                "now_local": now_local,
            },
            visit=visit,
            page=NAV.key,
            status=int(problem["status"]) if problem else 200,
        )

    @router.get("/posts/{post_id}")
    async def post_page(
        post_id: PostId, request: Request, done: Annotated[str, Query(max_length=16)] = ""
    ) -> Response:
        visit = await console.visit(request)
        return await detail(request, visit, post_id, done=done)

    @router.post("/posts/{post_id}/resolve")
    async def resolve(post_id: PostId, request: Request) -> Response:
        visit, form = await console.change_form(request)
        require(visit, Role.REVIEWER, Role.DIRECTOR)
        outcome = form.get("outcome")
        body: dict[str, Any] = {"outcome": outcome, "note": form.get("note").strip()}
        if outcome == "published":
            body["url"] = form.get("url").strip() or None
            if form.get("msg_data_id").strip():
                body["msg_data_id"] = form.get("msg_data_id").strip()
        elif outcome == "not_published":
            body["action"] = form.get("action") or None
        answer = await reads(console, visit).post_command(post_id, "resolve", body)
        if not answer.ok:
            sent = {k: str(v) for k, v in body.items() if v is not None}
            return await detail(request, visit, post_id, problem=problem_of(answer), sent=sent)
        return RedirectResponse(f"/posts/{quote(post_id, safe='')}?done=resolved", status_code=303)

    return router
