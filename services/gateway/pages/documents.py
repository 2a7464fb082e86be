"""Documents: the core-issues document of every closed feedback window, rendered in the
console (the feedback service's HTML, cleaned to an allow-list of tags), with its .docx
and .md downloads; what the person has not opened yet is marked unread."""

from __future__ import annotations

import re
from typing import Annotated, Literal

import nh3
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from services.gateway.pages._common import common, file_response, reads, require
from services.gateway.upstream_reads import UpstreamRefused
from services.gateway.web.console import Console, NavItem
from shared.settings import Role

READERS = (Role.REVIEWER, Role.DIRECTOR)
NAV = NavItem(
    key="documents",
    path="/documents",
    label="Core-issues documents",
    roles=frozenset(READERS),
    order=60,
)
PostId = Annotated[str, Path(min_length=1, max_length=64)]
PER_PAGE = 50
SHOWN_TAGS = {
    "section", "h2", "h3", "h4", "p", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead",
    "tbody", "tr", "th", "td", "blockquote", "strong", "em", "b", "i", "br", "div", "span",
    "footer", "code",
}  # fmt: skip
_MAIN = re.compile(r"<main[^>]*>(.*)</main>", re.S | re.I)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S | re.I)
_H1 = re.compile(r"<h1[^>]*>.*?</h1>", re.S | re.I)


def shown_document(html: str) -> str:
    """The document's body without its title (the page has its own), cleaned to
    :data:`SHOWN_TAGS` with no attributes: no script, style or link survives."""
    found = _MAIN.search(html) or _BODY.search(html)
    inner = found.group(1) if found else html
    return nh3.clean(_H1.sub("", inner, count=1), tags=SHOWN_TAGS, attributes={})


def build(console: Console) -> APIRouter:
    router = APIRouter(route_class=console.route_class, include_in_schema=False)

    @router.get("/documents")
    async def documents_page(
        request: Request, offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0
    ) -> Response:
        visit = await console.visit(request)
        require(visit, *READERS)
        listed = await reads(console, visit).windows(state="closed", offset=offset, limit=PER_PAGE)
        windows = [w for w in listed["items"] if w.get("digest_id")]
        opened = await console.deps.opened.opened(
            "document", [w["post_id"] for w in windows], visit.person.username
        )
        return console.render(
            request,
            "pages_documents.html",
            {
                **common(visit),
                "windows": windows,
                "opened": opened,
                "unread": sum(1 for w in windows if w["post_id"] not in opened),
                "total": listed["total"],
                "offset": offset,
                "per_page": PER_PAGE,
            },
            visit=visit,
            page=NAV.key,
        )

    @router.get("/documents/{post_id}")
    async def document_page(post_id: PostId, request: Request) -> Response:
        visit = await console.visit(request)
        require(visit, *READERS)
        source = reads(console, visit)
        window = await source.window(post_id)
        answer = await source.document(post_id, "html")
        if not answer.ok:
            raise UpstreamRefused("feedback", answer)
        await console.deps.opened.mark(
            "document", post_id, visit.person.username, console.deps.clock.now()
        )
        return console.render(
            request,
            "pages_document.html",
            {
                **common(visit),
                "window": window,
                "post_id": post_id,
                "body": shown_document(answer.content.decode("utf-8", "replace")),
            },
            visit=visit,
            page=NAV.key,
        )

    @router.get("/documents/{post_id}/download.{fmt}")
    async def download(post_id: PostId, fmt: Literal["docx", "md"], request: Request) -> Response:
        visit = await console.visit(request)
        require(visit, *READERS)
        answer = await reads(console, visit).document(post_id, fmt)
        safe = re.sub(r"[^A-Za-z0-9._-]+", "_", post_id)
        return file_response("feedback", answer, filename=f"{safe}-core-issues.{fmt}")

    return router
