"""The review queue and one review: findings highlighted in the text from the norm check's
offsets and explained, the time left to the 10:00 deadline, approve / reject with a
comment / override blocking findings with a reason; j/k move between findings."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from services.gateway.domain.highlight import segments
from services.gateway.errors import InvalidInput
from services.gateway.web.console import Console, NavItem, ServiceRefused
from shared.settings import Role

NAV = NavItem(
    key="reviews",
    path="/reviews",
    label="Review queue",
    roles=frozenset({Role.REVIEWER, Role.DIRECTOR}),
    order=30,
)
ReviewId = Annotated[str, Path(min_length=1, max_length=128)]
QUEUE_STATES = ("pending", "approved", "rejected", "superseded", "any")


def build(console: Console) -> APIRouter:
    router = APIRouter(route_class=console.route_class, include_in_schema=False)

    @router.get("/reviews")
    async def queue_page(
        request: Request,
        state: Annotated[str, Query(max_length=16)] = "pending",
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> Response:
        visit = await console.visit(request)
        state = state if state in QUEUE_STATES else "pending"
        page = await console.data(
            visit, "review", "/reviews", account=visit.account, state=state, offset=offset, limit=50
        )
        return console.render(
            request,
            "reviews.html",
            {
                "items": page["items"],
                "total": page["total"],
                "state": state,
                "states": QUEUE_STATES,
            },
            visit=visit,
            page=NAV.key,
        )

    @router.get("/reviews/{review_id}")
    async def review_page(
        review_id: ReviewId, request: Request, done: Annotated[str, Query(max_length=16)] = ""
    ) -> Response:
        visit = await console.visit(request)
        review: dict[str, Any] = await console.data(visit, "review", f"/reviews/{review_id}")
        findings = review.get("findings", [])
        content = review.get("content", {})
        parts = {
            "title": segments(content.get("title", ""), findings, "title"),
            "digest": segments(content.get("digest", ""), findings, "digest"),
            "body": segments(review.get("body_text", ""), findings, "body"),
        }
        return console.render(
            request,
            "review.html",
            {
                "review": review,
                "findings": findings,
                "parts": parts,
                "done": done,
                # The roles held on the review's account decide (#12).
                "may_decide": visit.may_on(review.get("account"), Role.REVIEWER)
                and review.get("state") == "pending",
            },
            visit=visit,
            page=NAV.key,
        )

    @router.post("/reviews/{review_id}/decide")
    async def decide(review_id: ReviewId, request: Request) -> Response:
        visit, form = await console.change_form(request)
        decision = form.get("decision")
        path = f"/reviews/{review_id}"
        if decision == "reject":
            comments = form.get("comments").strip()
            if not comments:
                raise InvalidInput({"comments": "say what to change"})
            answer = await console.send(
                visit, "review", "POST", f"{path}/reject", {"comments": comments}
            )
        elif decision in ("approve", "override"):
            body: dict[str, Any] = {
                "comments": form.get("comments").strip(),
                "content_hash": form.get("content_hash") or None,
            }
            if form.get("revision").isdigit():
                body["revision"] = int(form.get("revision"))
            if decision == "override":
                reason = form.get("override_reason").strip()
                if not reason:
                    raise InvalidInput({"override_reason": "say why it may be published"})
                body["override_reason"] = reason
            answer = await console.send(visit, "review", "POST", f"{path}/approve", body)
        else:
            raise InvalidInput({"decision": "approve, reject or override"})
        if not answer.ok:
            raise ServiceRefused(answer)
        return RedirectResponse(f"{path}?done={decision}", status_code=303)

    return router
