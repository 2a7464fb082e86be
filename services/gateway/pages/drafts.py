"""Drafts: the list with filters, and the editor (title, category, digest, body as text,
sources, pictures chosen from the account's materials with their origin and a cover, a
phone-width preview as WeChat shows it, save and submit), and the revision history with
the diff between any two revisions. The list reads the account the person works in; a
new draft is written for it (#12)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from services.gateway.domain.body import html_to_text, text_to_html
from services.gateway.domain.revisions import FIELD_LABELS, chosen_pictures, field_diffs
from services.gateway.domain.sources import SOURCE_KINDS, parse_sources, sources_text
from services.gateway.web.console import Console, NavItem, ServiceRefused, Visit
from services.gateway.web.forms import Form
from shared.bounds import MAX_REVISION
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
MATERIALS_SHOWN = 100
"""The drafting service's largest page of materials: the newest are offered."""
TEXT_FIELDS = ("title", "category", "digest", "body_text", "sources")


def _values(form: Form) -> dict[str, Any]:
    """What the form said, to show it again beside its problems."""
    values: dict[str, Any] = {k: form.get(k) for k in TEXT_FIELDS}
    values["pictures"] = form.all("pictures")
    values["cover"] = form.get("cover")
    return values


def _content(form: Form) -> tuple[dict[str, Any], dict[str, str]]:
    """The draft's fields from the editor's form, and the problems found before sending.

    Pictures are sent only when the form offered them (``pictures_shown``): a form without
    the picker leaves the draft's pictures as they are.
    """
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
    if form.get("pictures_shown"):
        pictures, picture_problems = chosen_pictures(
            form.all("pictures"), form.get("cover"), known=form.all("offered")
        )
        content["pictures"] = pictures
        if picture_problems:
            problems["pictures"] = "; ".join(picture_problems)
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

    async def materials_of(
        visit: Visit, account: str | None, chosen: list[str]
    ) -> list[dict[str, Any]] | None:
        """The account's newest materials and every chosen one (``None``: the person may
        not list materials, only editors may)."""
        if not visit.may_on(account, Role.EDITOR):
            return None
        page = await console.data(
            visit, "drafting", "/materials", account=account, limit=MATERIALS_SHOWN
        )
        found: list[dict[str, Any]] = list(page["items"])
        listed = {m["id"] for m in found}
        for material_id in chosen:
            if material_id not in listed:
                try:
                    found.append(
                        await console.data(
                            visit, "drafting", f"/materials/{quote(material_id, safe='')}"
                        )
                    )
                except ServiceRefused:
                    found.append({"id": material_id, "title": material_id, "missing": True})
                listed.add(material_id)
        return found

    async def editor_page(
        request: Request,
        visit: Visit,
        *,
        draft: dict[str, Any] | None,
        values: dict[str, Any],
        problems: dict[str, str] | None = None,
        status: int = 200,
        notice: str = "",
    ) -> Response:
        # Only what the person's roles on the draft's account allow is offered (#12).
        if draft is None:
            account = visit.choice.current
            editable = visit.may_on(account, Role.EDITOR)
        else:
            account = draft.get("account")
            editable = draft.get("state") in EDITABLE and visit.may_on(account, Role.EDITOR)
        values.setdefault("pictures", [])
        values.setdefault("cover", "")
        materials = await materials_of(visit, account, list(values["pictures"]))
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
                "materials": materials,
                "field_labels": FIELD_LABELS,
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
        values: dict[str, Any] = {
            "title": "",
            "category": "industry",
            "digest": "",
            "body_text": "",
            "sources": "",
        }
        return await editor_page(request, visit, draft=None, values=values)

    @router.post("/drafts/new")
    async def create_draft(request: Request) -> Response:
        visit, form = await console.change_form(request)
        account = visit.creating_account()  # the current account, or 422 with all chosen
        content, problems = _content(form)
        values = _values(form)
        if problems:
            return await editor_page(
                request, visit, draft=None, values=values, problems=problems, status=422
            )
        if account is not None:
            content["account"] = account
        answer = await console.send(visit, "drafting", "POST", "/drafts", content)
        if answer.status == 422:
            return await editor_page(
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
            return await _submit(request, visit, draft_id)
        return RedirectResponse(f"/drafts/{draft_id}?done=saved", status_code=303)

    async def _submit(request: Request, visit: Visit, draft_id: str) -> Response:
        answer = await console.send(visit, "drafting", "POST", f"/drafts/{draft_id}/submit")
        if answer.status == 422:  # e.g. a picture without its origin: say so in the editor
            draft = await console.data(visit, "drafting", f"/drafts/{draft_id}")
            return await editor_page(
                request,
                visit,
                draft=draft,
                values=_stored_values(draft),
                problems=_field_problems(answer.problem),
                status=422,
                notice="not_submitted",
            )
        if not answer.ok:
            raise ServiceRefused(answer)
        return RedirectResponse(f"/drafts/{draft_id}?done=submitted", status_code=303)

    @router.get("/drafts/{draft_id}")
    async def draft_page(
        draft_id: DraftId, request: Request, done: Annotated[str, Query(max_length=16)] = ""
    ) -> Response:
        visit = await console.visit(request)
        draft = await console.data(visit, "drafting", f"/drafts/{draft_id}")
        return await editor_page(
            request, visit, draft=draft, values=_stored_values(draft), notice=done
        )

    @router.post("/drafts/{draft_id}")
    async def save_draft(draft_id: DraftId, request: Request) -> Response:
        visit, form = await console.change_form(request)
        draft = await console.data(visit, "drafting", f"/drafts/{draft_id}")
        content, problems = _content(form)
        values = _values(form)
        if problems:
            return await editor_page(
                request, visit, draft=draft, values=values, problems=problems, status=422
            )
        content["expected_revision"] = draft["revision"]
        answer = await console.send(visit, "drafting", "PATCH", f"/drafts/{draft_id}", content)
        if answer.status in (409, 422):
            return await editor_page(
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
            return await _submit(request, visit, draft_id)
        return RedirectResponse(f"/drafts/{draft_id}?done=saved", status_code=303)

    @router.get("/drafts/{draft_id}/history")
    async def history_page(
        draft_id: DraftId,
        request: Request,
        old: Annotated[int | None, Query(ge=1, le=MAX_REVISION)] = None,
        new: Annotated[int | None, Query(ge=1, le=MAX_REVISION)] = None,
    ) -> Response:
        visit = await console.visit(request)
        segment = quote(draft_id, safe="")
        draft = await console.data(visit, "drafting", f"/drafts/{segment}")
        latest = int(draft["revision"])
        new = min(new or latest, latest)
        old = min(old or max(new - 1, 1), latest)
        diff: dict[str, Any] | None = None
        fields: list[Any] = []
        if old != new:
            diff = await console.data(
                visit, "drafting", f"/drafts/{segment}/revisions/{old}/diff/{new}"
            )
            fields = field_diffs(str(diff.get("diff") or ""))
        # pictures by their materials' titles (editors may list materials; others see ids)
        materials = await materials_of(visit, draft.get("account"), [])
        titles = {str(m["id"]): str(m.get("title") or m["id"]) for m in materials or []}
        return console.render(
            request,
            "draft_history.html",
            {
                "draft": draft,
                "old": old,
                "new": new,
                "diff": diff,
                "fields": fields,
                "field_labels": FIELD_LABELS,
                "numbers": list(range(latest, 0, -1)),
                "material_titles": titles,
            },
            visit=visit,
            page=NAV.key,
        )

    return router


def _stored_values(draft: dict[str, Any]) -> dict[str, Any]:
    """The editor's form of a stored draft."""
    pictures = draft.get("pictures") or []
    return {
        "title": draft["title"],
        "category": draft["category"],
        "digest": draft["digest"],
        "body_text": html_to_text(draft["body_html"]),
        "sources": sources_text(draft["sources"]),
        "pictures": [str(p["material_id"]) for p in pictures],
        "cover": next((str(p["material_id"]) for p in pictures if p.get("is_cover")), ""),
    }
