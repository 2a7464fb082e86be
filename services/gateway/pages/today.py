"""Today, the landing page: what needs the person now, by role — drafts due before
10:00 (or their account's review deadline) and the time left, reviews waiting, posts whose
outcome is unknown, enquiries nearing their reply limit. It works in the account the
person chose (#12): its lists, by the roles held on it. Each part asks its service as the
person; a service that does not answer leaves its part marked unavailable, not the page
broken."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.domain.today import drafts_due, enquiries_nearing
from services.gateway.errors import UpstreamUnavailable
from services.gateway.web.console import Console, NavItem, ServiceRefused, Visit
from shared.settings import Role

NAV = NavItem(
    key="today",
    path="/today",
    label="Today",
    roles=frozenset({Role.EDITOR, Role.REVIEWER, Role.DIRECTOR}),
    order=10,
)
UNAVAILABLE = object()


def build(console: Console) -> APIRouter:
    router = APIRouter(route_class=console.route_class, include_in_schema=False)

    async def fetch(visit: Visit, service: str, path: str, **params: Any) -> Any:
        try:
            return await console.data(visit, service, path, **params)
        except (ServiceRefused, UpstreamUnavailable):
            return UNAVAILABLE

    async def nothing() -> Any:
        return None

    @router.get("/today")
    async def today(request: Request) -> Response:
        visit = await console.visit(request)
        now = console.deps.clock.now()
        # Per the account worked in (#12): its lists, and the roles held on it.
        editor = visit.may_here(Role.EDITOR)
        reviewer = visit.may_here(Role.REVIEWER, Role.DIRECTOR)
        replier = visit.may_here(Role.EDITOR, Role.REVIEWER)
        account = visit.account
        drafts, rejected, reviews, unknown, enquiries = await asyncio.gather(
            fetch(visit, "drafting", "/drafts", account=account, state="editing", limit=100)
            if editor
            else nothing(),
            fetch(visit, "drafting", "/drafts", account=account, state="rejected", limit=100)
            if editor
            else nothing(),
            fetch(visit, "review", "/reviews", account=account, state="pending", limit=50)
            if reviewer
            else nothing(),
            fetch(visit, "publisher", "/posts", account=account, state="unknown", limit=50)
            if reviewer
            else nothing(),
            fetch(visit, "feedback", "/enquiries", account=account, state="open", limit=100)
            if replier
            else nothing(),
        )
        mine: list[dict[str, Any]] | object | None = None
        if editor:
            if drafts is UNAVAILABLE or rejected is UNAVAILABLE:
                mine = UNAVAILABLE
            else:
                items = [*drafts["items"], *rejected["items"]]
                own = [d for d in items if d.get("created_by") == visit.person.username]
                mine = drafts_due(
                    own,
                    calendar=console.calendar,
                    now=now,
                    accounts=console.account_rules(),
                )
        near = None
        if enquiries is UNAVAILABLE:
            near = UNAVAILABLE
        elif enquiries is not None:
            near = enquiries_nearing(enquiries["items"], now=now)
        return console.render(
            request,
            "today.html",
            {
                "now": now,
                "mine": mine,
                "reviews": reviews,
                "unknown": unknown,
                "near": near,
                "unavailable": UNAVAILABLE,
            },
            visit=visit,
            page=NAV.key,
        )

    return router
