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
in Chinese (zh-CN); ``?lang=en`` gives them in English.

Accounts (#12): every report is one account's (``account``), or every account's together
(``combined``, in a deployment of several). A list reads the accounts ``account_scope``
gives (``?account=`` one of them; 403 for one the reader holds no role on); the combined
reports are listed, and read, only by one who holds a role on every account they cover
(``?combined=true`` lists only them, ``false`` none). A report of an account the reader
holds no role on is answered 404, in every format: it does not exist for them. Asking for
a report needs the director or reviewer role on its account (on every account for a
combined one). The zh-CN HTML and XLSX were
rendered and stored with the report; the DOCX and other languages are rendered from the
stored report on request.
"""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Callable, Mapping, Sequence
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
from shared.accounts import ACCOUNT_ID_PATTERN, DEFAULT_ACCOUNT
from shared.bounds import MAX_OFFSET
from shared.http import Page, ProblemError, account_scope, authorize, require
from shared.settings import Principal, Role

__all__ = ["build_router"]

ReportId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,128}$", description="Report id.")]
AccountQuery = Annotated[
    str | None,
    Query(
        pattern=ACCOUNT_ID_PATTERN,
        description="Only this official account's (unset: every account the reader may read).",
    ),
]
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

    def reads_every(principal: Principal, accounts: Sequence[str]) -> bool:
        return all(principal.roles_on(a) for a in accounts)

    def visible(principal: Principal, doc: Doc) -> bool:
        if doc.get("combined"):
            return reads_every(principal, doc.get("accounts") or deps.accounts.ids)
        return bool(principal.roles_on(doc.get("account") or DEFAULT_ACCOUNT))

    async def readable(report_id: str, principal: Principal) -> Doc:
        """The stored report, if ``principal`` may read it; else it does not exist."""
        doc = await deps.reports.get(report_id)
        if doc is None or not visible(principal, doc):
            raise ReportNotFound(report_id)
        return doc

    async def load(report_id: str, principal: Principal) -> tuple[Doc, Report]:
        doc = await readable(report_id, principal)
        return doc, Report.model_validate_json(doc["report_json"])

    @router.post(
        "",
        status_code=201,
        response_model=ReportPublic,
        summary="Build a report of any range now (stored and announced as report.ready)",
    )
    async def create_report(
        body: ReportCreate, response: Response, principal: Principal = writer
    ) -> Any:
        account: str | None = body.account
        if body.combined:
            if not deps.accounts.several:
                raise ProblemError(
                    422,
                    "Invalid request",
                    "Invalid value for: combined (this deployment has one account: ask "
                    "for its report)",
                    type_="urn:contentops:problem:validation",
                    errors=[{"field": "combined", "message": "only with several accounts"}],
                )
            for each in deps.accounts.ids:
                authorize(principal, each, *_WRITERS)
            account = None
        else:
            deps.accounts.require(body.account)
            authorize(principal, body.account, *_WRITERS)
        request = ReportRequest(start=body.start, end=body.end, account=account)
        doc = await request_report(request, deps=deps, actor=principal)
        response.headers["Location"] = doc["documents"]["json"]
        report = Report.model_validate_json(doc["report_json"])
        return ReportPublic(**_summary(doc).model_dump(), report=report)

    @router.get("", response_model=Page[ReportSummary])
    async def list_reports(
        kind: Annotated[ListKind | None, Query(description="Only this kind.")] = None,
        account: AccountQuery = None,
        combined: Annotated[
            bool | None,
            Query(
                description="true: only the reports of every account together (needs a "
                "role on every account); false: none of them; unset: with the others when "
                "no account is asked for and the reader holds a role on every account."
            ),
        ] = None,
        offset: Annotated[
            int, Query(ge=0, le=MAX_OFFSET, description="Items to skip (at most 1,000,000).")
        ] = 0,
        limit: Annotated[int, Query(ge=1, le=100, description="Page size (at most 100).")] = 20,
        principal: Principal = reader,
    ) -> Any:
        """Reports of the accounts the reader may read (or of ``account``), newest first."""
        scope = account_scope(principal, deps.accounts, account)
        every = deps.accounts.several and reads_every(principal, deps.accounts.ids)
        if combined and not every:
            raise ProblemError(
                403,
                "Forbidden",
                "The reports of every account together need a role on every account.",
                type_="urn:contentops:problem:forbidden-account",
            )
        with_combined = every and (combined or (combined is None and account is None))
        docs, total = await deps.reports.page(
            kind=kind,
            accounts=[] if combined else scope,
            combined=bool(with_combined),
            offset=offset,
            limit=limit,
        )
        return Page[ReportSummary](
            items=[_summary(d) for d in docs], total=total, offset=offset, limit=limit
        )

    async def document(report_id: str, fmt: str, lang: Lang, principal: Principal) -> bytes:
        """A stored zh-CN rendering, or one rendered now (another language, older report)."""
        doc = await readable(report_id, principal)
        stored = await deps.reports.get_file(report_id, fmt) if lang == DEFAULT_LANG else None
        if stored is not None:
            data = stored["data"]
            return data.encode("utf-8") if isinstance(data, str) else bytes(data)
        report = Report.model_validate_json(doc["report_json"])
        if fmt == "html":
            html = await asyncio.to_thread(render_html, report, font=deps.font, lang=lang)
            return html.encode("utf-8")
        if fmt == "docx":
            return await asyncio.to_thread(render_docx, report, font=deps.font, lang=lang)
        return await asyncio.to_thread(render_xlsx, report, lang=lang)

    @router.get("/{report_id}.html", response_class=HTMLResponse)
    async def report_html(
        report_id: ReportId, lang: LangQuery = DEFAULT_LANG, principal: Principal = reader
    ) -> Response:
        """The report as one self-contained HTML page with charts."""
        return Response(await document(report_id, "html", lang, principal), media_type=HTML_TYPE)

    @router.get("/{report_id}.xlsx")
    async def report_xlsx(
        report_id: ReportId, lang: LangQuery = DEFAULT_LANG, principal: Principal = reader
    ) -> Response:
        """The report as an Excel workbook (a summary sheet, then one sheet per table,
        with native charts and filters)."""
        return Response(
            await document(report_id, "xlsx", lang, principal),
            media_type=XLSX_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{report_id}.xlsx"'},
        )

    @router.get("/{report_id}.docx")
    async def report_docx(
        report_id: ReportId, lang: LangQuery = DEFAULT_LANG, principal: Principal = reader
    ) -> Response:
        """The report as a Word document (A4, header, footer with page numbers, charts)."""
        return Response(
            await document(report_id, "docx", lang, principal),
            media_type=DOCX_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{report_id}.docx"'},
        )

    @router.get("/{report_id}/csv")
    async def report_csv_zip(
        report_id: ReportId, lang: LangQuery = DEFAULT_LANG, principal: Principal = reader
    ) -> Response:
        """Every table of the report as CSV files in one zip."""
        _, report = await load(report_id, principal)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, text in render_csv(report, lang=lang).items():
                archive.writestr(name, text)
        return Response(
            buf.getvalue(),
            media_type="application/zip",
            headers={"Content-Disposition": f'attachment; filename="{report_id}-csv.zip"'},
        )

    @router.get("/{report_id}/csv/{table}")
    async def report_csv_table(
        report_id: ReportId,
        table: str,
        lang: LangQuery = DEFAULT_LANG,
        principal: Principal = reader,
    ) -> Response:
        """One table of the report as CSV (UTF-8); a report of every account together
        also has the table ``accounts``."""
        if table not in CSV_TABLES:
            raise UnknownTable(table, CSV_TABLES)
        _, report = await load(report_id, principal)
        files = render_csv(report, lang=lang)
        if f"{table}.csv" not in files:
            raise UnknownTable(table, [name.removesuffix(".csv") for name in files])
        return Response(
            files[f"{table}.csv"],
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'inline; filename="{report_id}-{table}.csv"'},
        )

    @router.get("/{report_id}", response_model=ReportPublic)
    async def get_report(report_id: ReportId, principal: Principal = reader) -> Any:
        """One report: its listing fields and full content."""
        doc, report = await load(report_id, principal)
        return ReportPublic(**_summary(doc).model_dump(), report=report)

    return router
