"""Feedback: each post's 24-hour window — the open one live (counts by kind, the mood and
the questions as they come, refreshed in place every few seconds without reloading) —
and the enquiry log: the time left to each 12-hour deadline, a reply box, and the
delivery of each reply through WeChat."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from services.gateway.errors import InvalidInput, UpstreamUnavailable
from services.gateway.pages._common import (
    DELIVERY_LABELS,
    KIND_LABELS,
    READERS,
    common,
    reads,
    require,
)
from services.gateway.pages._feedback_view import (
    customer_texts,
    enquiry_rows,
    live_window,
    themes_of,
)
from services.gateway.upstream_reads import PAGE_LIMIT, Reads, problem_of
from services.gateway.web.console import Console, NavItem, Visit
from shared.settings import Role

NAV = NavItem(
    key="feedback", path="/feedback", label="Feedback", roles=frozenset(READERS), order=50
)
PostId = Annotated[str, Path(min_length=1, max_length=64)]
REFRESH_SECONDS = 5
PREVIEW_SECONDS = 3.0
REPLIERS = (Role.EDITOR, Role.REVIEWER)
ENQUIRY_STATES = ("open", "answered")
STANCE_LABELS = {
    "ask": "Asking",
    "praise": "Praise",
    "complaint": "Complaint",
    "other": "Other",
}
SOURCE_LABELS = {
    "wechat_message": "WeChat message",
    "wechat_comment": "WeChat comment",
    "crm": "CRM",
}


def build(console: Console) -> APIRouter:
    router = APIRouter(route_class=console.route_class, include_in_schema=False)

    def reply_hours(visit: Visit) -> float | None:
        """The current account's reply limit, with several accounts (#12)."""
        current = visit.choice.current
        if not visit.choice.several or current is None or current not in console.deps.accounts:
            return None
        return console.deps.accounts[current].reply_limit_hours

    async def live(source: Reads, post_id: str) -> dict[str, Any]:
        window, listed, *by_kind = await asyncio.gather(
            source.window(post_id),
            source.feedback(post_id, limit=PAGE_LIMIT),
            *(source.feedback(post_id, kind=kind, limit=1) for kind in KIND_LABELS),
        )
        counts = {kind: int(page["total"]) for kind, page in zip(KIND_LABELS, by_kind, strict=True)}
        items = listed["items"]
        texts = customer_texts(items)
        themes: list[dict[str, Any]] = []
        themes_missing = False
        if texts:
            # The counts and words never wait for the analysis: a slow or refused preview
            # (its first call loads the models) is tried again at the next refresh.
            try:
                analysed = await asyncio.wait_for(source.preview(texts), PREVIEW_SECONDS)
            except (TimeoutError, UpstreamUnavailable):
                analysed = None
            if analysed is not None and analysed.ok and isinstance(analysed.data, dict):
                themes = themes_of(analysed.data, texts)
            else:
                themes_missing = True
        view = live_window(window, counts, items, now=console.deps.clock.now(), themes=themes)
        return {
            "window": window,
            "live": view,
            "themes_missing": themes_missing,
            "stance_labels": STANCE_LABELS,
            "kind_labels": KIND_LABELS,
            "refresh": REFRESH_SECONDS if window.get("state") == "open" else 0,
        }

    @router.get("/feedback")
    async def windows_page(request: Request) -> Response:
        visit = await console.visit(request)
        require(visit, *READERS)
        source = reads(console, visit)
        open_windows, closed, waiting = await asyncio.gather(
            source.windows(state="open", limit=50),
            source.windows(state="closed", limit=20),
            source.enquiries(state="open", limit=1),
        )
        return console.render(
            request,
            "pages_feedback.html",
            {
                **common(visit),
                "open_windows": open_windows["items"],
                "closed": closed["items"],
                "closed_total": closed["total"],
                "open_enquiries": waiting["total"],
                "now": console.deps.clock.now(),
            },
            visit=visit,
            page=NAV.key,
        )

    @router.get("/feedback/windows/{post_id}")
    async def window_page(post_id: PostId, request: Request) -> Response:
        visit = await console.visit(request)
        require(visit, *READERS)
        context = await live(reads(console, visit), post_id)
        return console.render(
            request,
            "pages_feedback_window.html",
            {**common(visit), **context, "post_id": post_id},
            visit=visit,
            page=NAV.key,
        )

    @router.get("/feedback/windows/{post_id}/live")
    async def window_live(post_id: PostId, request: Request) -> Response:
        """The live part of the window page alone, for the page's refresh (no reload)."""
        visit = await console.visit(request)
        require(visit, *READERS)
        context = await live(reads(console, visit), post_id)
        return console.render(
            request,
            "pages_feedback_live.html",
            {**common(visit), **context, "post_id": post_id},
            visit=visit,
        )

    async def enquiries(
        request: Request,
        visit: Visit,
        state: str,
        post_id: str,
        *,
        problem: dict[str, Any] | None = None,
        draft: dict[str, str] | None = None,
        done: str = "",
    ) -> Response:
        require(visit, *READERS)
        source = reads(console, visit)
        listed = await source.enquiries(
            state=state or None, post_id=post_id or None, limit=PAGE_LIMIT
        )
        rows = enquiry_rows(listed["items"], now=console.deps.clock.now())
        return console.render(
            request,
            "pages_enquiries.html",
            {
                **common(visit),
                "rows": rows,
                "total": listed["total"],
                "state": state,
                "post_id": post_id,
                "may_reply": lambda account: visit.may_on(account, *REPLIERS),
                "reply_hours": reply_hours(visit),
                "delivery_labels": DELIVERY_LABELS,
                "source_labels": SOURCE_LABELS,
                "problem": problem,
                "draft": draft or {},
                "done": done,
            },
            visit=visit,
            page=NAV.key,
            status=int(problem["status"]) if problem else 200,
        )

    @router.get("/feedback/enquiries")
    async def enquiries_page(
        request: Request,
        state: Annotated[str, Query(max_length=16)] = "open",
        post_id: Annotated[str, Query(max_length=64)] = "",
        done: Annotated[str, Query(max_length=16)] = "",
    ) -> Response:
        visit = await console.visit(request)
        if state and state not in ENQUIRY_STATES:
            raise InvalidInput({"state": "open, answered, or empty for all"})
        return await enquiries(request, visit, state, post_id, done=done)

    @router.post("/feedback/enquiries/reply")
    async def reply(request: Request) -> Response:
        visit, form = await console.change_form(request)
        require(visit, *REPLIERS)
        enquiry_id, text = form.get("enquiry_id"), form.get("text").strip()
        state = form.get("state") if form.get("state") in ENQUIRY_STATES else ""
        if not enquiry_id:
            raise InvalidInput({"enquiry_id": "which enquiry is answered"})
        answer = await reads(console, visit).reply(enquiry_id, text)
        if not answer.ok:
            return await enquiries(
                request,
                visit,
                state,
                "",
                problem=problem_of(answer),
                draft={"enquiry_id": enquiry_id, "text": text},
            )
        return RedirectResponse(
            f"/feedback/enquiries?state={quote(state)}&done=replied", status_code=303
        )

    return router
