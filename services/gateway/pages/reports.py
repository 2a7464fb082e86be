"""Reports: the biweekly, weekly and monthly analyses (and on-demand ones) — key figures
against the previous period, charts and tables by category and post, the themes and
questions, and the plan for the next pushes with its evidence; XLSX and DOCX downloads
and the full report as the reporting service renders it. Unopened reports are marked.

The report's notes and recommendations are codes with parameters: the page words them in
the reader's language (:mod:`services.gateway.domain.report_text`), and shows the topic
ideas the report gave the editors with why, on what evidence, and whether a post already
covered them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from services.gateway.domain.report_text import Words, advice_text, idea_texts, note_text
from services.gateway.errors import InvalidInput
from services.gateway.pages._common import (
    READERS,
    category_text,
    common,
    file_response,
    reads,
    require,
)
from services.gateway.pages._report_view import bar_chart, key_figures, percent
from services.gateway.web.console import Console, NavItem
from services.gateway.web.i18n import translations

NAV = NavItem(key="reports", path="/reports", label="Reports", roles=frozenset(READERS), order=70)
KINDS = {
    "biweekly": "Biweekly",
    "weekly": "Weekly",
    "monthly": "Monthly",
    "custom": "On demand",
}
ReportId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,128}$")]
PER_PAGE = 20


def _charts(report: dict[str, Any], label: Any) -> list[Any]:
    rows = report.get("categories") or []
    if not rows:
        return []
    names = [label(r.get("category", "")) for r in rows]
    metrics = [r.get("metrics") or {} for r in rows]
    return [
        bar_chart(
            "Reads by category", list(zip(names, [m.get("reads") for m in metrics], strict=True))
        ),
        bar_chart(
            "Customer feedback by category",
            list(
                zip(
                    names,
                    [(m.get("comments") or 0) + (m.get("messages") or 0) for m in metrics],
                    strict=True,
                )
            ),
        ),
        bar_chart(
            "Answered within 12 hours",
            list(zip(names, [m.get("reply_rate_12h") for m in metrics], strict=True)),
            rate=True,
        ),
    ]


def build(console: Console) -> APIRouter:
    router = APIRouter(route_class=console.route_class, include_in_schema=False)

    @router.get("/reports")
    async def reports_page(
        request: Request,
        kind: Annotated[str, Query(max_length=16)] = "biweekly",
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> Response:
        visit = await console.visit(request)
        require(visit, *READERS)
        if kind not in KINDS:
            raise InvalidInput({"kind": f"one of {', '.join(KINDS)}"})
        listed = await reads(console, visit).reports(kind=kind, offset=offset, limit=PER_PAGE)
        opened = await console.deps.opened.opened(
            "report", [r["id"] for r in listed["items"]], visit.person.username
        )
        return console.render(
            request,
            "pages_reports.html",
            {
                **common(visit),
                "reports": listed["items"],
                "total": listed["total"],
                "kind": kind,
                "kinds": KINDS,
                "opened": opened,
                "offset": offset,
                "per_page": PER_PAGE,
            },
            visit=visit,
            page=NAV.key,
        )

    @router.get("/reports/{report_id}")
    async def report_page(report_id: ReportId, request: Request) -> Response:
        visit = await console.visit(request)
        require(visit, *READERS)
        found = await reads(console, visit).report(report_id)
        report = found.get("report") or {}
        await console.deps.opened.mark(
            "report", report_id, visit.person.username, console.deps.clock.now()
        )
        lang = visit.lang

        def category(value: str) -> str:
            return category_text(value, lang)

        recommendations = report.get("recommendations") or {}
        words = Words(translations(lang).gettext, category)
        return console.render(
            request,
            "pages_report.html",
            {
                **common(visit),
                "found": found,
                "report": report,
                "kinds": KINDS,
                "figures": key_figures(
                    report.get("totals") or {}, report.get("previous_totals") or {}
                ),
                "charts": _charts(report, category),
                "percent": percent,
                "plan": [
                    {"at": s.get("at"), "idea": idea_texts(s.get("idea") or {}, words)}
                    for s in recommendations.get("plan") or []
                ],
                "topics": [idea_texts(t, words) for t in recommendations.get("topics") or []],
                "advice": [
                    {"label": a.get("label", ""), "text": advice_text(a, words)}
                    for a in recommendations.get("advice") or []
                ],
                "notes": [note_text(n, words) for n in report.get("notes") or []],
            },
            visit=visit,
            page=NAV.key,
        )

    @router.get("/reports/{report_id}/download.{fmt}")
    async def download(
        report_id: ReportId, fmt: Literal["xlsx", "docx", "html"], request: Request
    ) -> Response:
        visit = await console.visit(request)
        require(visit, *READERS)
        answer = await reads(console, visit).report_file(report_id, fmt, visit.lang)
        name = None if fmt == "html" else f"{report_id}.{fmt}"
        return file_response("reporting", answer, filename=name)

    return router
