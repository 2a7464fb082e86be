"""Today, the landing page: what needs the person now, by role — drafts due before
10:00 (or their account's review deadline) and the time left, reviews waiting, posts whose
outcome is unknown, enquiries nearing their reply limit, feedback windows closing within
the next hours, and the core-issues documents and reports the person has not opened (the
gateway's own record of who opened what). It works in the account the person chose (#12):
its lists, by the roles held on it. Each part asks its service as the person; a service
that does not answer leaves its part marked unavailable, not the page broken."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.gateway.domain.today import (
    drafts_due,
    enquiries_nearing,
    unread,
    windows_closing,
)
from services.gateway.errors import UpstreamUnavailable
from services.gateway.pages.reports import KINDS as REPORT_KINDS
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
DOCUMENTS_LOOKED_AT = 50
"""The newest closed windows whose documents are looked at for unread ones."""
REPORTS_LOOKED_AT = 20
"""The newest reports (every kind) looked at for unread ones."""


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
        reader = visit.may_here(Role.EDITOR, Role.REVIEWER, Role.DIRECTOR)
        document_reader = visit.may_here(Role.REVIEWER, Role.DIRECTOR)
        account = visit.account
        (
            drafts,
            rejected,
            reviews,
            unknown,
            enquiries,
            open_windows,
            closed_windows,
            reports,
        ) = await asyncio.gather(
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
            fetch(visit, "feedback", "/windows", account=account, state="open", limit=50)
            if reader
            else nothing(),
            fetch(
                visit,
                "feedback",
                "/windows",
                account=account,
                state="closed",
                limit=DOCUMENTS_LOOKED_AT,
            )
            if document_reader
            else nothing(),
            fetch(visit, "reporting", "/reports", account=account, limit=REPORTS_LOOKED_AT)
            if reader
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
        closing: Any = None
        if open_windows is UNAVAILABLE:
            closing = UNAVAILABLE
        elif open_windows is not None:
            closing = windows_closing(open_windows["items"], now=now)
        username = visit.person.username
        documents: Any = None
        if closed_windows is UNAVAILABLE:
            documents = UNAVAILABLE
        elif closed_windows is not None:
            issued = [w for w in closed_windows["items"] if w.get("digest_id")]
            seen = await console.deps.opened.opened(
                "document", [str(w["post_id"]) for w in issued], username
            )
            documents = unread(issued, seen, key="post_id")
        unread_reports: Any = None
        if reports is UNAVAILABLE:
            unread_reports = UNAVAILABLE
        elif reports is not None:
            seen = await console.deps.opened.opened(
                "report", [str(r["id"]) for r in reports["items"]], username
            )
            unread_reports = unread(reports["items"], seen, key="id")
        return console.render(
            request,
            "today.html",
            {
                "now": now,
                "mine": mine,
                "reviews": reviews,
                "unknown": unknown,
                "near": near,
                "closing": closing,
                "documents": documents,
                "unread_reports": unread_reports,
                "report_kinds": REPORT_KINDS,
                "unavailable": UNAVAILABLE,
            },
            visit=visit,
            page=NAV.key,
        )

    return router
