"""HTTP routes of the review service: the review queue and the lexicon admin API.

Reviews (reviewer; the director and admin may read)::

    GET  /reviews                      the queue: pending by slot and deadline, time left
    GET  /reviews/overdue              pending past their slot's cut-off
    GET  /reviews/{id}                 one review, findings highlighted
    POST /reviews/{id}/approve         four eyes; blocks need override_reason
    POST /reviews/{id}/reject          comments required

Accounts (#12): every review belongs to its draft's official account. The lists read
the accounts the caller reviews or directs (``?account=`` one of them: 404 unknown,
403 not held); a review of an account the caller holds no role on is 404; deciding
needs the reviewer role on the review's own account (403, nothing changes).

Lexicon (admin changes it; everyone with a role reads it). One lexicon for the whole
deployment: the company's content norms hold for every account, so its routes take no
``account``, and a change needs the admin role on every account::

    GET    /lexicon                    version, revision, counts
    GET    /lexicon/terms              the terms in force, paginated
    POST   /lexicon/terms              add a term
    DELETE /lexicon/terms?text=...     remove a term
"""

# No ``from __future__ import annotations`` here: FastAPI must resolve the dependency
# aliases (``Reader``, ``Reviewer``) that are local to the router factories.
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from services.review.checking import LoadedLexicon
from services.review.deps import ReviewDeps
from services.review.domain.decision import ApprovalRequest, ReviewState
from services.review.domain.review import ReviewLine
from services.review.errors import ReviewNotFound
from services.review.norms import Category, Term, normalise_term
from services.review.schemas import (
    ApprovalCreate,
    LexiconPublic,
    RejectionCreate,
    ReviewPublic,
    ReviewSummary,
    TermCreate,
    TermPublic,
    review_public,
    review_summary,
)
from services.review.usecases import (
    ApproveReview,
    RejectReview,
    TermChange,
    add_term,
    approve_review,
    reject_review,
    remove_term,
)
from shared.bounds import MAX_OFFSET, Day
from shared.http import Page, account_scope, authorize, require
from shared.settings import Principal, Role

__all__ = ["lexicon_router", "review_router"]

Offset = Annotated[
    int, Query(ge=0, le=MAX_OFFSET, description="Items to skip (at most 1,000,000).")
]
Limit = Annotated[int, Query(ge=1, le=200, description="Items per page (at most 200).")]
ReviewId = Annotated[str, Path(min_length=1, max_length=128, description="The review id.")]
AccountParam = Annotated[
    str | None,
    Query(
        max_length=32,
        description="Only this official account's reviews (one you review or direct); "
        "unset: every account you may read.",
        examples=["talent"],
    ),
]
Tokens = Callable[[], Mapping[str, Principal]]
StateFilter = Literal["pending", "approved", "rejected", "superseded", "any"]
_DECISION_PROBLEMS: dict[int | str, dict[str, str]] = {
    403: {
        "description": "Not a reviewer of the review's account, or the four-eyes rule "
        "(your own draft)."
    },
    404: {"description": "No such review."},
    409: {
        "description": "Already decided, superseded, content changed, or blocking findings "
        "without an override_reason (the problem's errors name them)."
    },
    422: {"description": "Invalid body; the problem's errors name the fields."},
}


def review_router(deps: ReviewDeps, tokens: Tokens) -> APIRouter:
    """Routes of the review queue."""
    router = APIRouter(prefix="/reviews", tags=["reviews"])
    reading = (Role.REVIEWER, Role.DIRECTOR)
    Reader = Annotated[Principal, Depends(require(tokens, *reading))]
    Reviewer = Annotated[Principal, Depends(require(tokens, Role.REVIEWER))]
    calendars = deps.calendars

    def scope(reader: Principal, account: str | None) -> list[str]:
        """The accounts a list reads: ``account`` (known, reviewed or directed by the
        reader) or every account the reader reviews or directs."""
        accounts = account_scope(reader, deps.accounts, account)
        if account is not None:
            authorize(reader, account, *reading)
        return [a for a in accounts if reader.may(a, frozenset(reading))]

    def _page_of(
        lines: list[ReviewLine], total: int, offset: int, limit: int
    ) -> Page[ReviewSummary]:
        now = deps.clock.now()
        items = [review_summary(r, now=now, calendar=calendars.shown(r.account)) for r in lines]
        return Page[ReviewSummary](items=items, total=total, offset=offset, limit=limit)

    @router.get("", summary="The review queue: by slot and deadline, with time left")
    async def list_reviews(
        reader: Reader,
        account: AccountParam = None,
        offset: Offset = 0,
        limit: Limit = 50,
        state: StateFilter = "pending",
        slot_date: Annotated[
            Day | None,
            Query(
                description="Only slots on this local day (the zone of the account asked "
                "for, else the default account's; years 2000-2100)."
            ),
        ] = None,
        late: bool | None = None,
    ) -> Page[ReviewSummary]:
        accounts = scope(reader, account)
        calendar = calendars.shown(account) if account is not None else calendars.default
        slot_from = slot_to = None
        if slot_date is not None:
            slot_from = datetime.combine(slot_date, time(), tzinfo=calendar.tz).astimezone(UTC)
            next_day = slot_date + timedelta(days=1)
            slot_to = datetime.combine(next_day, time(), tzinfo=calendar.tz).astimezone(UTC)
        reviews, total = await deps.reviews.queue(
            accounts=accounts,
            state=None if state == "any" else ReviewState(state),
            slot_from=slot_from,
            slot_to=slot_to,
            late=late,
            offset=offset,
            limit=limit,
        )
        return _page_of(reviews, total, offset, limit)

    @router.get("/overdue", summary="Pending reviews past their slot's cut-off")
    async def list_overdue(
        reader: Reader, account: AccountParam = None, offset: Offset = 0, limit: Limit = 50
    ) -> Page[ReviewSummary]:
        accounts = scope(reader, account)
        reviews, total = await deps.reviews.overdue(
            deps.clock.now(), accounts=accounts, offset=offset, limit=limit
        )
        return _page_of(reviews, total, offset, limit)

    @router.get("/{review_id}", summary="One review, its findings highlighted")
    async def get_review(review_id: ReviewId, reader: Reader) -> ReviewPublic:
        review = await deps.reviews.get(review_id)
        if review is None or not reader.roles_on(review.account):
            raise ReviewNotFound(f"no review {review_id!r}")  # another account's: not shown
        authorize(reader, review.account, *reading)
        return review_public(review, now=deps.clock.now(), calendar=calendars.shown(review.account))

    @router.post(
        "/{review_id}/approve",
        summary="Approve (four eyes; blocks need a reason)",
        responses=_DECISION_PROBLEMS,
    )
    async def approve(review_id: ReviewId, body: ApprovalCreate, actor: Reviewer) -> ReviewPublic:
        request = ApprovalRequest(
            comments=body.comments,
            override_reason=body.override_reason,
            content_hash=body.content_hash,
            revision=body.revision,
        )
        review = await approve_review(ApproveReview(review_id, request), deps=deps, actor=actor)
        return review_public(review, now=deps.clock.now(), calendar=calendars.shown(review.account))

    @router.post(
        "/{review_id}/reject", summary="Reject with comments", responses=_DECISION_PROBLEMS
    )
    async def reject(review_id: ReviewId, body: RejectionCreate, actor: Reviewer) -> ReviewPublic:
        command = RejectReview(review_id, body.comments)
        review = await reject_review(command, deps=deps, actor=actor)
        return review_public(review, now=deps.clock.now(), calendar=calendars.shown(review.account))

    return router


def _term_public(loaded: LoadedLexicon, term: Term) -> TermPublic:
    return TermPublic(
        text=term.text,
        key=term.key,
        category=str(term.category),
        severity=str(term.severity),
        note=term.note,
        source=loaded.source(term.key),
    )


async def _lexicon_public(
    deps: ReviewDeps, loaded: LoadedLexicon, *, term: TermPublic | None = None
) -> LexiconPublic:
    meta = await deps.lexicon.meta()
    by_category: dict[str, int] = {}
    for t in loaded.checker.lexicon.terms:
        by_category[str(t.category)] = by_category.get(str(t.category), 0) + 1
    return LexiconPublic(
        version=loaded.checker.version,
        revision=loaded.revision,
        terms=len(loaded.checker.lexicon),
        by_category=dict(sorted(by_category.items())),
        added=len(loaded.added),
        removed=len(loaded.removed),
        configured=sum(1 for t in loaded.checker.lexicon.terms if t.key not in loaded.base_keys),
        changed_at=meta.get("changed_at"),
        changed_by=meta.get("changed_by"),
        term=term,
    )


def lexicon_router(deps: ReviewDeps, tokens: Tokens) -> APIRouter:
    """Routes of the lexicon admin API.

    One lexicon for the whole deployment (#12): the company's content norms hold for every
    official account, so these routes take no ``account``; anyone with a role on some
    account reads it, and changing it needs the admin role on every account (the use
    cases check that).
    """
    router = APIRouter(prefix="/lexicon", tags=["lexicon"])
    Reader = Annotated[
        Principal, Depends(require(tokens, Role.REVIEWER, Role.DIRECTOR, Role.EDITOR))
    ]
    Admin = Annotated[Principal, Depends(require(tokens))]  # admin only

    @router.get("", summary="The lexicon in force: version, revision, counts")
    async def get_lexicon(_: Reader) -> LexiconPublic:
        return await _lexicon_public(deps, await deps.checkers.current())

    @router.get("/terms", summary="The terms in force")
    async def list_terms(
        _: Reader,
        offset: Offset = 0,
        limit: Limit = 50,
        category: Category | None = None,
        source: Literal["shipped", "added", "configured"] | None = None,
        q: Annotated[str | None, Query(max_length=50, description="Part of a term.")] = None,
    ) -> Page[TermPublic]:
        loaded = await deps.checkers.current()
        needle = normalise_term(q) if q else ""
        terms = sorted(loaded.checker.lexicon.terms, key=lambda t: (t.category, t.key))
        items = [
            _term_public(loaded, t)
            for t in terms
            if (category is None or t.category is category)
            and needle in t.key
            and (source is None or loaded.source(t.key) == source)
        ]
        return Page[TermPublic](
            items=items[offset : offset + limit], total=len(items), offset=offset, limit=limit
        )

    @router.post(
        "/terms",
        status_code=201,
        summary="Add a term (admin of every account)",
        responses={403: {"description": "Not admin on every account of the deployment."}},
    )
    async def post_term(body: TermCreate, actor: Admin) -> LexiconPublic:
        change = TermChange(
            text=body.text, category=body.category, severity=body.severity, note=body.note
        )
        loaded = await add_term(change, deps=deps, actor=actor)
        term = loaded.checker.lexicon.find(body.text)
        public = None if term is None else _term_public(loaded, term)
        return await _lexicon_public(deps, loaded, term=public)

    @router.delete(
        "/terms",
        summary="Remove a term (admin of every account)",
        responses={403: {"description": "Not admin on every account of the deployment."}},
    )
    async def delete_term(
        actor: Admin,
        text: Annotated[str, Query(min_length=1, max_length=50, description="The term.")],
    ) -> LexiconPublic:
        loaded = await remove_term(text, deps=deps, actor=actor)
        return await _lexicon_public(deps, loaded)

    return router
