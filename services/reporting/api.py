"""HTTP routes of the reporting service: list, read and download reports, ask for one.

=======================================  =========================================
``POST /reports``                        build an on-demand report of a range
                                         (director, reviewer; audited)
``GET  /reports``                        reports, newest first (paginated)
``GET  /reports/{id}``                   one report as JSON
``GET  /reports/{id}.html``              the report as a page with charts
``GET  /reports/{id}.xlsx``              the report as a workbook
``GET  /reports/{id}.docx``              the report as a Word document
``GET  /reports/{id}/csv``               every table as CSV, in one zip
``GET  /reports/{id}/csv/{table}``       one table as CSV
=======================================  =========================================

Reading needs any role of the platform (reports quote customers' words). Documents are
in Chinese (zh-CN); ``?lang=en`` gives them in English. The zh-CN HTML and XLSX were
rendered and stored with the report; the DOCX and other languages are rendered from the
stored report on request.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import HTMLResponse, Response

from services.reporting.deps import ReportingDeps
from services.reporting.domain import Doc
from services.reporting.domain.report import (
    CSV_TABLES,
    DOCX_TYPE,
    HTML_TYPE,
    XLSX_TYPE,
    ReportRequest,
)
from services.reporting.errors import ReportNotFound, UnknownTable
from services.reporting.reports import (
    DEFAULT_LANG,
    Lang,
    Report,
    render_csv,
    render_docx,
    render_html,
    render_xlsx,
)
from services.reporting.schemas import ListKind, ReportCreate, ReportPublic, ReportSummary
from services.reporting.usecases.produce import request_report
from shared.bounds import MAX_OFFSET
from shared.http import Page, require
from shared.settings import Principal, Role

__all__ = ["build_router"]

ReportId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,128}$", description="Report id.")]
LangQuery = Annotated[Lang, Query(description="Language of the document: zh-CN (default) or en.")]
_READERS = (Role.EDITOR, Role.REVIEWER, Role.DIRECTOR, Role.SYSTEM)
_WRITERS = (Role.DIRECTOR, Role.REVIEWER)


def _summary(doc: Mapping[str, Any]) -> ReportSummary:
    return ReportSummary(id=doc["_id"], **{k: v for k, v in doc.items() if k != "_id"})


def build_router(deps: ReportingDeps, tokens: Callable[[], Mapping[str, Principal]]) -> APIRouter:
    """The service's routes, bound to its use cases."""
    router = APIRouter(prefix="/reports", tags=["reports"])
    reader = Depends(require(tokens, *_READERS))
    writer = Depends(require(tokens, *_WRITERS))

    async def load(report_id: str) -> tuple[Doc, Report]:
        doc = await deps.reports.get(report_id)
        if doc is None:
            raise ReportNotFound(report_id)
        return doc, Report.model_validate_json(doc["report_json"])

    async def stored_file(report_id: str, fmt: str) -> Doc | None:
        return await deps.reports.get_file(report_id, fmt)

    @router.post(
        "",
        status_code=201,
        response_model=ReportPublic,
        summary="Build a report of any range now (stored and announced as report.ready)",
    )
    async def create_report(
        body: ReportCreate, response: Response, principal: Principal = writer
    ) -> Any:
        request = ReportRequest(start=body.start, end=body.end)
        doc = await request_report(request, deps=deps, actor=principal)
        response.headers["Location"] = doc["documents"]["json"]
        report = Report.model_validate_json(doc["report_json"])
        return ReportPublic(**_summary(doc).model_dump(), report=report)

    @router.get("", response_model=Page[ReportSummary], dependencies=[reader])
    async def list_reports(
        kind: Annotated[ListKind | None, Query(description="Only this kind.")] = None,
        offset: Annotated[
            int, Query(ge=0, le=MAX_OFFSET, description="Items to skip (at most 1,000,000).")
        ] = 0,
        limit: Annotated[int, Query(ge=1, le=100, description="Page size (at most 100).")] = 20,
    ) -> Any:
        """Reports, newest first."""
        docs, total = await deps.reports.page(kind=kind, offset=offset, limit=limit)
        return Page[ReportSummary](
            items=[_summary(d) for d in docs], total=total, offset=offset, limit=limit
        )

    async def document(report_id: str, fmt: str, lang: Lang) -> bytes:
        """A stored zh-CN rendering, or one rendered now (another language, older report)."""
        stored = await stored_file(report_id, fmt) if lang == DEFAULT_LANG else None
        if stored is not None:
            data = stored["data"]
            return data.encode("utf-8") if isinstance(data, str) else bytes(data)
        _, report = await load(report_id)
        if fmt == "html":
            html = await asyncio.to_thread(render_html, report, font=deps.font, lang=lang)
            return html.encode("utf-8")
        if fmt == "docx":
            return await asyncio.to_thread(render_docx, report, font=deps.font, lang=lang)
        return await asyncio.to_thread(render_xlsx, report, lang=lang)

    @router.get("/{report_id}.html", response_class=HTMLResponse, dependencies=[reader])
    async def report_html(report_id: ReportId, lang: LangQuery = DEFAULT_LANG) -> Response:
        """The report as one self-contained HTML page with charts."""
        return Response(await document(report_id, "html", lang), media_type=HTML_TYPE)

    @router.get("/{report_id}.xlsx", dependencies=[reader])
    async def report_xlsx(report_id: ReportId, lang: LangQuery = DEFAULT_LANG) -> Response:
        """The report as an Excel workbook (a summary sheet, then one sheet per table,
        with native charts and filters)."""
        return Response(
            await document(report_id, "xlsx", lang),
            media_type=XLSX_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{report_id}.xlsx"'},
        )

    @router.get("/{report_id}.docx", dependencies=[reader])
    async def report_docx(report_id: ReportId, lang: LangQuery = DEFAULT_LANG) -> Response:
        """The report as a Word document (A4, header, footer with page numbers, charts)."""
        return Response(
            await document(report_id, "docx", lang),
            media_type=DOCX_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{report_id}.docx"'},
        )

    @router.get("/{report_id}/csv", dependencies=[reader])
    async def report_csv_zip(report_id: ReportId, lang: LangQuery = DEFAULT_LANG) -> Response:
        """Every table of the report as CSV files in one zip."""
        _, report = await load(report_id)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in render_csv(report, lang=lang).items():
                archive.writestr(name, text)
        return Response(
            buf.getvalue(),
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{report_id}-csv.zip"'},
        )

    @router.get("/{report_id}/csv/{table}", dependencies=[reader])
    async def report_csv_table(
        report_id: ReportId, table: str, lang: LangQuery = DEFAULT_LANG
    ) -> Response:
        """One table of the report as CSV (UTF-8)."""
        if table not in CSV_TABLES:
            raise UnknownTable(table, CSV_TABLES)
        _, report = await load(report_id)
        return Response(
            render_csv(report, lang=lang)[f"{table}.csv"],
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'inline; filename="{report_id}-{table}.csv"'},
        )

    @router.get("/{report_id}", response_model=ReportPublic, dependencies=[reader])
    async def get_report(report_id: ReportId) -> Any:
        """One report: its listing fields and full content."""
        doc, report = await load(report_id)
        return ReportPublic(**_summary(doc).model_dump(), report=report)

    return router
