"""HTTP routes of the feedback service: batch ingestion, windows and their documents,
the enquiry log and replies. Thin: parse, authorise, call a use case, shape the answer.

=====================================  ===========================  ===================
route                                  roles                        use
=====================================  ===========================  ===================
``POST /feedback/batch``               system                       ingest up to N items
``GET  /feedback``                     editor, reviewer, director   stored items
``GET  /windows`` ``/windows/{post}``  editor, reviewer, director   windows
``GET  /windows/{post}/document.X``    reviewer, director           md, html, docx
``GET  /enquiries`` ``/enquiries/{id}`` editor, reviewer, director  the enquiry log
``POST /enquiries/{id}/reply``         editor, reviewer             answer an enquiry
``POST /analysis/preview``             editor, reviewer, director   analyse texts (#17)
=====================================  ===========================  ===================

``admin`` passes every check. The WeChat push endpoint is in :mod:`.push_api`.

Accounts (#12): the roles count on an account. Lists take an optional ``account`` and
read the accounts the caller may read with the route's roles (``?account=`` of another:
403; unknown: 404). A window, its document or an enquiry of an account the caller holds
no role on is 404; with a role there but not the route's, 403. A batch is for the
``account`` its body names (the system's role on it); a reply needs the editor's or
reviewer's role on the enquiry's account. The analysis preview stores nothing and
belongs to no account.
"""

# No ``from __future__ import annotations`` here: the role dependencies are built per app
# (from its tokens) inside ``build_router``, and FastAPI must see them as objects.

import re
from collections.abc import Callable, Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from services.feedback.deps import FeedbackDeps
from services.feedback.domain.document import DOCUMENT_FORMATS
from services.feedback.domain.enquiry import DeliveryState, EnquiryState
from services.feedback.domain.item import Outcome
from services.feedback.domain.window import WindowState
from services.feedback.errors import DocumentNotIssued, EnquiryNotFound, WindowNotFound
from services.feedback.schemas import (
    MAX_PREVIEW_TEXT,
    MAX_PREVIEW_TEXTS,
    AnalysisPreviewCreate,
    AnalysisPreviewPublic,
    BatchCreate,
    BatchItemPublic,
    BatchPublic,
    EnquiryPublic,
    FeedbackPublic,
    ReplyCreate,
    WindowPublic,
)
from services.feedback.usecases.enquiries import EnquiryReply, reply_to_enquiry
from services.feedback.usecases.ingest import ingest_batch
from services.feedback.usecases.preview import preview_analysis
from shared.accounts import ACCOUNT_ID_PATTERN
from shared.bounds import MAX_OFFSET, Instant
from shared.events import FeedbackKind
from shared.http import Page, ProblemError, account_scope, authorize, require
from shared.limits import BODY_LIMIT_KEY
from shared.settings import Principal, Role

__all__ = ["build_router"]

Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="Items to skip (at most 1,000,000).")
]
Limit = Annotated[int, Query(ge=1, le=200, description="Items per page (at most 200).")]
Text = Annotated[str | None, Query(max_length=200)]
When = Annotated[Instant | None, Query(description="Aware datetime, years 2000-2100.")]
AccountQuery = Annotated[
    str | None,
    Query(
        max_length=32,
        pattern=ACCOUNT_ID_PATTERN,
        description="Only this official account's; unset: every account you may read.",
    ),
]
_READ_ROLES = (Role.EDITOR, Role.REVIEWER, Role.DIRECTOR)
_DOCUMENT_ROLES = (Role.REVIEWER, Role.DIRECTOR)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
# Every text at its longest in 4-byte UTF-8, with JSON quoting: a bigger body is a 413.
_PREVIEW_MAX_BYTES = MAX_PREVIEW_TEXTS * (MAX_PREVIEW_TEXT * 4 + 8) + 1024


def build_router(deps: FeedbackDeps, tokens: Callable[[], Mapping[str, Principal]]) -> APIRouter:
    """The service's routes, bound to its use cases."""
    router = APIRouter()
    System = Annotated[Principal, Depends(require(tokens, Role.SYSTEM))]
    Reader = Annotated[
        Principal, Depends(require(tokens, Role.EDITOR, Role.REVIEWER, Role.DIRECTOR))
    ]
    DocumentReader = Annotated[Principal, Depends(require(tokens, Role.REVIEWER, Role.DIRECTOR))]
    Replier = Annotated[Principal, Depends(require(tokens, Role.EDITOR, Role.REVIEWER))]
    base_url = deps.settings.public_base_url
    accounts = deps.settings.accounts

    def scope(principal: Principal, requested: str | None, roles: tuple[Role, ...]) -> list[str]:
        """The accounts a list reads: those the caller holds one of ``roles`` on."""
        readable = account_scope(principal, accounts, requested)
        if requested is not None:
            authorize(principal, requested, *roles)
        return [a for a in readable if principal.may(a, frozenset(roles))]

    def may_read(principal: Principal, account: str, roles: tuple[Role, ...]) -> bool:
        """False (answer 404) when the caller holds no role on the account; 403 when it
        holds one but not the route's."""
        if not principal.roles_on(account):
            return False
        authorize(principal, account, *roles)
        return True

    @router.post(
        "/feedback/batch",
        tags=["ingestion"],
        summary="Ingest a batch of feedback items (per-item results)",
        response_model=BatchPublic,
        openapi_extra={BODY_LIMIT_KEY: deps.settings.http_batch_max_bytes},
    )
    async def post_batch(body: BatchCreate, principal: System) -> BatchPublic:
        accounts.require(body.account)
        authorize(principal, body.account, Role.SYSTEM)
        limit = deps.settings.http_batch_max_items
        if len(body.items) > limit:
            raise ProblemError(
                422,
                "Invalid request",
                f"Invalid value for: items (at most {limit} per batch, got {len(body.items)})",
                type_="urn:contentops:problem:validation",
                errors=[{"field": "items", "message": f"at most {limit} items per batch"}],
            )
        report = await ingest_batch(body.items, deps=deps, actor=principal, account=body.account)
        return BatchPublic(
            stored=report.count(Outcome.STORED),
            duplicates=report.count(Outcome.DUPLICATE),
            invalid=report.count(Outcome.INVALID),
            items=[
                BatchItemPublic(index=r.index, status=r.status.value, key=r.key, errors=r.errors)
                for r in report.items
            ],
        )

    @router.get("/feedback", tags=["ingestion"], summary="Stored feedback items")
    async def list_feedback(
        principal: Reader,
        account: AccountQuery = None,
        offset: Offset = 0,
        limit: Limit = 50,
        post_id: Text = None,
        kind: FeedbackKind | None = None,
        source: Text = None,
        late: bool | None = None,
    ) -> Page[FeedbackPublic]:
        items, total = await deps.items.page(
            accounts=scope(principal, account, _READ_ROLES),
            offset=offset,
            limit=limit,
            post_id=post_id,
            kind=kind.value if kind is not None else None,
            source=source,
            late=late,
        )
        return Page(
            items=[FeedbackPublic.of(i) for i in items], total=total, offset=offset, limit=limit
        )

    @router.get("/windows", tags=["windows"], summary="Feedback windows, newest first")
    async def list_windows(
        principal: Reader,
        account: AccountQuery = None,
        offset: Offset = 0,
        limit: Limit = 50,
        state: WindowState | None = None,
    ) -> Page[WindowPublic]:
        windows, total = await deps.windows.page(
            accounts=scope(principal, account, _READ_ROLES),
            offset=offset,
            limit=limit,
            state=state,
        )
        return Page(
            items=[WindowPublic.of(w, base_url) for w in windows],
            total=total,
            offset=offset,
            limit=limit,
        )

    @router.get("/windows/{post_id}", tags=["windows"], summary="One post's feedback window")
    async def get_window(post_id: str, principal: Reader) -> WindowPublic:
        window = await deps.windows.get(post_id)
        if window is None or not may_read(principal, window.account, _READ_ROLES):
            raise WindowNotFound(post_id)
        return WindowPublic.of(window, base_url)

    @router.get(
        "/windows/{post_id}/document.{fmt}",
        tags=["windows"],
        summary="The core-issues document (md, html or docx)",
        response_class=Response,
    )
    async def get_document(post_id: str, fmt: str, principal: DocumentReader) -> Response:
        if fmt not in DOCUMENT_FORMATS:
            raise ProblemError(
                404, "Not found", f"No format {fmt!r}: use one of {', '.join(DOCUMENT_FORMATS)}."
            )
        window = await deps.windows.get(post_id)
        if window is None or not may_read(principal, window.account, _DOCUMENT_ROLES):
            raise WindowNotFound(post_id)
        content = await deps.documents.rendering(post_id, fmt)
        if content is None:
            raise DocumentNotIssued(post_id, window.ends_at)
        name = _SAFE_NAME.sub("_", post_id)
        disposition = "attachment" if fmt == "docx" else "inline"
        return Response(
            content,
            media_type=DOCUMENT_FORMATS[fmt],
            headers={"Content-Disposition": f'{disposition}; filename="{name}-core-issues.{fmt}"'},
        )

    @router.get("/enquiries", tags=["enquiries"], summary="The enquiry log (12-hour reply rule)")
    async def list_enquiries(
        principal: Reader,
        account: AccountQuery = None,
        offset: Offset = 0,
        limit: Limit = 50,
        state: EnquiryState | None = None,
        breached: bool | None = None,
        post_id: Text = None,
        source: Text = None,
        asked_from: When = None,
        asked_to: When = None,
        delivery: Annotated[
            DeliveryState | None, Query(description="State of the reply's sending via WeChat.")
        ] = None,
    ) -> Page[EnquiryPublic]:
        items, total = await deps.items.enquiry_page(
            accounts=scope(principal, account, _READ_ROLES),
            offset=offset,
            limit=limit,
            state=state.value if state is not None else None,
            breached=breached,
            post_id=post_id,
            source=source,
            asked_from=asked_from,
            asked_to=asked_to,
            delivery=delivery.value if delivery is not None else None,
        )
        return Page(
            items=[EnquiryPublic.of(i) for i in items], total=total, offset=offset, limit=limit
        )

    @router.post(
        "/enquiries/{enquiry_id:path}/reply",
        tags=["enquiries"],
        summary="Reply to an enquiry (announced on feedback.received)",
    )
    async def post_reply(enquiry_id: str, body: ReplyCreate, principal: Replier) -> EnquiryPublic:
        enquiry = await reply_to_enquiry(
            EnquiryReply(enquiry_id, body.text), deps=deps, actor=principal
        )
        return EnquiryPublic.of(enquiry)

    @router.post(
        "/analysis/preview",
        tags=["analysis"],
        summary="Analyse texts: stance, intent, polarity, questions, spam and groups",
        description=(
            "Nothing is stored. Up to "
            f"{MAX_PREVIEW_TEXTS} texts of up to {MAX_PREVIEW_TEXT} characters; more, or an "
            "empty text, is a 422 problem naming the field."
        ),
        openapi_extra={BODY_LIMIT_KEY: _PREVIEW_MAX_BYTES},
    )
    async def post_preview(body: AnalysisPreviewCreate, principal: Reader) -> AnalysisPreviewPublic:
        insight = await preview_analysis(body.texts, deps=deps, actor=principal)
        return AnalysisPreviewPublic.of(insight)

    @router.get("/enquiries/{enquiry_id:path}", tags=["enquiries"], summary="One enquiry")
    async def get_enquiry(enquiry_id: str, principal: Reader) -> EnquiryPublic:
        enquiry = await deps.items.get_enquiry(enquiry_id)
        if enquiry is None or not may_read(principal, enquiry.account, _READ_ROLES):
            raise EnquiryNotFound(enquiry_id)
        return EnquiryPublic.of(enquiry)

    return router
