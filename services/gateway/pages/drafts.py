"""Drafts: the list with filters, and the editor (title, category, digest, body as text,
sources, a phone-width preview as WeChat shows it, save and submit). The list reads the
account the person works in; a new draft is written for it (#12)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from services.gateway.domain.body import html_to_text, text_to_html
from services.gateway.domain.sources import SOURCE_KINDS, parse_sources, sources_text
from services.gateway.web.console import Console, NavItem, ServiceRefused, Visit
from services.gateway.web.forms import Form
from shared.settings import Role

NAV = NavItem(
    key="drafts",
    path="/drafts",
    label="Drafts",
    roles=frozenset({Role.EDITOR, Role.REVIEWER, Role.DIRECTOR}),
    order=20,
)
DraftId = Annotated[str, Path(min_length=1, max_length=64)]
Filter = Annotated[str, Query(max_length=64)]
STATES = ("editing", "submitted", "approved", "rejected", "scheduled", "published", "failed")
EDITABLE = ("editing", "rejected")


def _content(form: Form) -> tuple[dict[str, Any], dict[str, str]]:
    """The draft's fields from the editor's form, and the problems found before sending."""
    sources, source_problems = parse_sources(form.get("sources"))
    body_html = text_to_html(form.get("body_text"))
    content: dict[str, Any] = {
        "title": form.get("title").strip(),
        "category": form.get("category"),
        "digest": form.get("digest").strip(),
        "body_html": body_html,
        "sources": sources,
    }
    problems: dict[str, str] = {}
    if not content["title"]:
        problems["title"] = "write a title"
    if not body_html:
        problems["body_html"] = "write the body"
    if source_problems:
        problems["sources"] = "; ".join(source_problems)
    return content, problems


def _field_problems(problem: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in problem.get("errors") or []:
        field = str(error.get("field", "body")).split(".")[0]
        found.setdefault(field, str(error.get("message", "")))
    if not found:
        found["form"] = str(problem.get("detail") or problem.get("title") or "refused")
    return found


def build(console: Console) -> APIRouter:
    router = APIRouter(route_class=console.route_class, include_in_schema=False)

    def editor_page(
        request: Request,
        visit: Visit,
        *,
        draft: dict[str, Any] | None,
        values: dict[str, str],
        problems: dict[str, str] | None = None,
        status: int = 200,
        notice: str = "",
    ) -> Response:
        # Only what the person's roles on the draft's account allow is offered (#12).
        if draft is None:
            editable = visit.may_on(visit.choice.current, Role.EDITOR)
        else:
            editable = draft.get("state") in EDITABLE and visit.may_on(
                draft.get("account"), Role.EDITOR
            )
        return console.render(
            request,
            "draft_editor.html",
            {
                "draft": draft,
                "values": values,
                "problems": problems or {},
                "editable": editable,
                "source_kinds": SOURCE_KINDS,
                "notice": notice,
            },
            visit=visit,
            page=NAV.key,
            status=status,
        )

    @router.get("/drafts")
    async def drafts_page(
        request: Request,
        state: Filter = "",
        category: Filter = "",
        author: Filter = "",
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> Response:
        visit = await console.visit(request)
        page = await console.data(
            visit,
            "drafting",
            "/drafts",
            account=visit.account,
            state=state if state in STATES else None,
            category=category or None,
            author=author or None,
            offset=offset,
            limit=50,
        )
        return console.render(
            request,
            "drafts.html",
            {
                "items": page["items"],
                "total": page["total"],
                "offset": offset,
                "filters": {"state": state, "category": category, "author": author},
                "states": STATES,
                "may_write": visit.choice.current is not None
                and visit.may_on(visit.choice.current, Role.EDITOR),
            },
            visit=visit,
            page=NAV.key,
        )

    @router.get("/drafts/new")
    async def new_draft(request: Request) -> Response:
        visit = await console.visit(request)
        visit.creating_account()  # a draft is written for one account
        values = {"title": "", "category": "industry", "digest": "", "body_text": "", "sources": ""}
        return editor_page(request, visit, draft=None, values=values)

    @router.post("/drafts/new")
    async def create_draft(request: Request) -> Response:
        visit, form = await console.change_form(request)
        account = visit.creating_account()  # the current account, or 422 with all chosen
        content, problems = _content(form)
        values = {k: form.get(k) for k in ("title", "category", "digest", "body_text", "sources")}
        if problems:
            return editor_page(
                request, visit, draft=None, values=values, problems=problems, status=422
            )
        if account is not None:
            content["account"] = account
        answer = await console.send(visit, "drafting", "POST", "/drafts", content)
        if answer.status == 422:
            return editor_page(
                request,
                visit,
                draft=None,
                values=values,
                problems=_field_problems(answer.problem),
                status=422,
            )
        if not answer.ok:
            raise ServiceRefused(answer)
        draft_id = answer.data["id"]
        if form.get("action") == "submit":
            return await _submit(visit, draft_id)
        return RedirectResponse(f"/drafts/{draft_id}?done=saved", status_code=303)

    async def _submit(visit: Visit, draft_id: str) -> Response:
        answer = await console.send(visit, "drafting", "POST", f"/drafts/{draft_id}/submit")
        if not answer.ok:
            raise ServiceRefused(answer)
        return RedirectResponse(f"/drafts/{draft_id}?done=submitted", status_code=303)

    @router.get("/drafts/{draft_id}")
    async def draft_page(
        draft_id: DraftId, request: Request, done: Annotated[str, Query(max_length=16)] = ""
    ) -> Response:
        visit = await console.visit(request)
        draft = await console.data(visit, "drafting", f"/drafts/{draft_id}")
        values = {
            "title": draft["title"],
            "category": draft["category"],
            "digest": draft["digest"],
            "body_text": html_to_text(draft["body_html"]),
            "sources": sources_text(draft["sources"]),
        }
        return editor_page(request, visit, draft=draft, values=values, notice=done)

    @router.post("/drafts/{draft_id}")
    async def save_draft(draft_id: DraftId, request: Request) -> Response:
        visit, form = await console.change_form(request)
        draft = await console.data(visit, "drafting", f"/drafts/{draft_id}")
        content, problems = _content(form)
        values = {k: form.get(k) for k in ("title", "category", "digest", "body_text", "sources")}
        if problems:
            return editor_page(
                request, visit, draft=draft, values=values, problems=problems, status=422
            )
        content["expected_revision"] = draft["revision"]
        answer = await console.send(visit, "drafting", "PATCH", f"/drafts/{draft_id}", content)
        if answer.status in (409, 422):
            return editor_page(
                request,
                visit,
                draft=draft,
                values=values,
                problems=_field_problems(answer.problem),
                status=answer.status,
            )
        if not answer.ok:
            raise ServiceRefused(answer)
        if form.get("action") == "submit":
            return await _submit(visit, draft_id)
        return RedirectResponse(f"/drafts/{draft_id}?done=saved", status_code=303)

    return router
