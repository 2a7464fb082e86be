"""HTTP routes of the drafting service: drafts, revisions, submissions, materials, topic
ideas. Routes are thin: authenticate, call a use case or a read repository, shape the
answer.

Roles: editors create and change drafts and materials (anyone else only the drafts they
created); editors, reviewers and the director read. Admin passes every check.

Accounts (#12): every draft, material and topic idea belongs to one official account.
Roles hold per account: creating needs the role on the account named in the body, a
change needs it on the resource's account (403), a list reads the accounts asked for
(``?account=``) or every account the caller holds a role on, and a single resource of an
account the caller holds no role on is answered 404.
"""

# No ``from __future__ import annotations`` here: FastAPI must evaluate the route
# signatures, whose ``Annotated`` role dependencies are local to ``build_router``.
from collections.abc import Callable, Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from services.drafting import usecases
from services.drafting.deps import DraftingDeps
from services.drafting.domain.listing import DraftFilter, DraftSummary
from services.drafting.domain.revisions import Revision, RevisionDiff
from services.drafting.domain.states import DraftState
from services.drafting.domain.topics import IdeaSource
from services.drafting.schemas import (
    DraftCreate,
    DraftDetail,
    DraftPublic,
    DraftUpdate,
    MaterialCreate,
    MaterialPublic,
    MaterialUpdate,
    SubmissionPublic,
    TopicIdeaPublic,
)
from shared.bounds import MAX_OFFSET, MAX_REVISION, Instant
from shared.events import Category
from shared.http import Page, account_scope, require
from shared.settings import Principal, Role

__all__ = ["build_router"]

Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="Items to skip (at most 1,000,000).")
]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size (at most 100).")]
DraftId = Annotated[str, Path(min_length=1, max_length=64)]
RevisionNo = Annotated[int, Path(ge=1, le=MAX_REVISION)]
AccountQuery = Annotated[
    str | None,
    Query(
        max_length=32,
        description="Only this official account's (you need a role on it: 403; unknown: "
        "404). Left out: every account you hold a role on.",
        examples=["talent"],
    ),
]


def build_router(deps: DraftingDeps, tokens: Callable[[], Mapping[str, Principal]]) -> APIRouter:
    """The drafting API, bound to its use cases."""
    router = APIRouter()
    Editor = Annotated[Principal, Depends(require(tokens, Role.EDITOR))]
    # Who may try to change a draft; the use case then allows editors and the creator.
    Writer = Annotated[
        Principal, Depends(require(tokens, Role.EDITOR, Role.REVIEWER, Role.DIRECTOR))
    ]
    Reader = Annotated[
        Principal, Depends(require(tokens, Role.EDITOR, Role.REVIEWER, Role.DIRECTOR))
    ]

    # -- drafts ---------------------------------------------------------------------------
    @router.post(
        "/drafts", status_code=status.HTTP_201_CREATED, tags=["drafts"], summary="Create a draft"
    )
    async def create_draft(body: DraftCreate, actor: Editor) -> DraftPublic:
        return DraftPublic.of(await usecases.create_draft(body, deps=deps, actor=actor))

    @router.get("/drafts", tags=["drafts"], summary="List drafts (newest change first)")
    async def list_drafts(
        reader: Reader,
        account: AccountQuery = None,
        state: DraftState | None = None,
        category: Category | None = None,
        author: Annotated[str | None, Query(max_length=64)] = None,
        slot: Annotated[
            Instant | None, Query(description="Wished or scheduled slot (years 2000-2100).")
        ] = None,
        offset: Offset = 0,
        limit: Limit = 20,
    ) -> Page[DraftSummary]:
        accounts = account_scope(reader, deps.accounts, account)
        criteria = DraftFilter(state=state, category=category, author=author, slot=slot)
        items, total = await deps.drafts.find(
            criteria, accounts=accounts, offset=offset, limit=limit
        )
        return Page(items=items, total=total, offset=offset, limit=limit)

    @router.get("/drafts/{draft_id}", tags=["drafts"], summary="A draft with its history")
    async def get_draft(draft_id: DraftId, reader: Reader) -> DraftDetail:
        draft = await usecases.get_draft(draft_id, deps=deps, viewer=reader)
        revisions, total = await deps.drafts.revision_infos(draft_id, limit=100)
        return DraftDetail.with_history(draft, revisions, total)

    @router.patch("/drafts/{draft_id}", tags=["drafts"], summary="Edit a draft (new revision)")
    async def update_draft(draft_id: DraftId, body: DraftUpdate, actor: Writer) -> DraftPublic:
        return DraftPublic.of(await usecases.update_draft(draft_id, body, deps=deps, actor=actor))

    @router.post(
        "/drafts/{draft_id}/submit",
        tags=["drafts"],
        summary="Submit the current revision for review",
        status_code=status.HTTP_201_CREATED,
        responses={
            200: {"description": "This revision was already submitted: the same submission."}
        },
    )
    async def submit_draft(
        draft_id: DraftId, actor: Writer, response: Response
    ) -> SubmissionPublic:
        draft, submission, snapshot, created = await usecases.submit_draft(
            draft_id, deps=deps, actor=actor
        )
        if not created:
            response.status_code = status.HTTP_200_OK
        return SubmissionPublic.of(draft, submission, snapshot)

    @router.get(
        "/drafts/{draft_id}/submissions/{revision}",
        tags=["drafts"],
        summary="The snapshot submitted for a revision",
    )
    async def get_submission(
        draft_id: DraftId, revision: RevisionNo, reader: Reader
    ) -> SubmissionPublic:
        draft, submission, snapshot = await usecases.get_submission(
            draft_id, revision, deps=deps, viewer=reader
        )
        return SubmissionPublic.of(draft, submission, snapshot)

    # -- revisions ------------------------------------------------------------------------
    @router.get("/drafts/{draft_id}/revisions", tags=["revisions"], summary="Revisions")
    async def list_revisions(
        draft_id: DraftId, reader: Reader, offset: Offset = 0, limit: Limit = 20
    ) -> Page[Revision]:
        await usecases.get_draft(draft_id, deps=deps, viewer=reader)  # its account: 404
        items, total = await deps.drafts.list_revisions(draft_id, offset=offset, limit=limit)
        return Page(items=items, total=total, offset=offset, limit=limit)

    @router.get("/drafts/{draft_id}/revisions/{number}", tags=["revisions"], summary="A revision")
    async def get_revision(draft_id: DraftId, number: RevisionNo, reader: Reader) -> Revision:
        return await usecases.get_revision(draft_id, number, deps=deps, viewer=reader)

    @router.get(
        "/drafts/{draft_id}/revisions/{old}/diff/{new}",
        tags=["revisions"],
        summary="Unified diff of the text fields between two revisions",
    )
    async def diff_revisions(
        draft_id: DraftId,
        old: RevisionNo,
        new: RevisionNo,
        reader: Reader,
    ) -> RevisionDiff:
        return await usecases.diff_draft_revisions(draft_id, old, new, deps=deps, viewer=reader)

    # -- materials ------------------------------------------------------------------------
    @router.post(
        "/materials",
        status_code=status.HTTP_201_CREATED,
        tags=["materials"],
        summary="Record a picture and its origin",
    )
    async def create_material(body: MaterialCreate, actor: Editor) -> MaterialPublic:
        return MaterialPublic.of(await usecases.create_material(body, deps=deps, actor=actor))

    @router.get("/materials", tags=["materials"], summary="List materials")
    async def list_materials(
        editor: Editor,
        account: AccountQuery = None,
        missing_origin: Annotated[
            bool | None, Query(description="Only materials without (true) or with an origin.")
        ] = None,
        offset: Offset = 0,
        limit: Limit = 20,
    ) -> Page[MaterialPublic]:
        accounts = account_scope(editor, deps.accounts, account)
        items, total = await deps.materials.find(
            accounts=accounts, missing_origin=missing_origin, offset=offset, limit=limit
        )
        return Page(
            items=[MaterialPublic.of(m) for m in items], total=total, offset=offset, limit=limit
        )

    @router.get("/materials/{material_id}", tags=["materials"], summary="A material")
    async def get_material(material_id: DraftId, editor: Editor) -> MaterialPublic:
        return MaterialPublic.of(await usecases.get_material(material_id, deps=deps, viewer=editor))

    @router.patch("/materials/{material_id}", tags=["materials"], summary="Change a material")
    async def update_material(
        material_id: DraftId, body: MaterialUpdate, actor: Editor
    ) -> MaterialPublic:
        material = await usecases.update_material(material_id, body, deps=deps, actor=actor)
        return MaterialPublic.of(material)

    # -- topic ideas ----------------------------------------------------------------------
    @router.get(
        "/topic-ideas",
        tags=["topic ideas"],
        summary="What customers asked about, ranked (from reports and feedback digests)",
    )
    async def list_topic_ideas(
        reader: Reader,
        account: AccountQuery = None,
        category: Category | None = None,
        source: IdeaSource | None = None,
        offset: Offset = 0,
        limit: Limit = 20,
    ) -> Page[TopicIdeaPublic]:
        query = usecases.TopicIdeaQuery(
            accounts=tuple(account_scope(reader, deps.accounts, account)),
            category=category,
            source=source,
            offset=offset,
            limit=limit,
        )
        ideas, total = await usecases.list_topic_ideas(query, deps=deps)
        return Page(
            items=[TopicIdeaPublic.of(i) for i in ideas], total=total, offset=offset, limit=limit
        )

    return router
