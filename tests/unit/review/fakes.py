"""In-memory doubles of the review service's ports, to run its use cases without a store.

Each repository is a :class:`~tests.fakes.uow.FakeStore` (so a failed unit of work puts
it back as it was) implementing the Protocol of ``services.review.ports`` it stands for;
like the store, it hands out copies, so only what a use case saves is kept.
:func:`review_deps` wires them into a ``ReviewDeps`` on a :class:`FakeUnitOfWork`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry

from services.review.checking import CheckerProvider
from services.review.deps import ReviewDeps
from services.review.domain.deadline import LatePolicy, ReviewCalendar, ReviewCalendars
from services.review.domain.decision import ReviewState
from services.review.domain.lexicon import LexiconChange
from services.review.domain.review import Review, ReviewLine
from services.review.errors import ReviewClosed
from services.review.metrics import ReviewMetrics
from services.review.norms import Lexicon
from shared.accounts import DEFAULT_ACCOUNT, Accounts
from shared.clock import FixedClock
from tests.fakes.audit import FakeAudit
from tests.fakes.jobs import FakeJobs
from tests.fakes.uow import FakeStore, FakeTx, FakeUnitOfWork

__all__ = [
    "FakeLexicon",
    "FakeReviewTx",
    "FakeReviews",
    "review_deps",
]


class FakeReviews(FakeStore):
    """``ReviewRepository`` and ``ReviewQueue`` over a dict of reviews by id."""

    def __init__(self) -> None:
        self.stored: dict[str, Review] = {}
        self.fail_insert: Exception | None = None

    def _all(self) -> list[Review]:
        return [r.model_copy(deep=True) for r in self.stored.values()]

    async def get(self, review_id: str) -> Review | None:
        review = self.stored.get(review_id)
        return None if review is None else review.model_copy(deep=True)

    async def by_revision(self, draft_id: str, revision: int) -> Review | None:
        found = [r for r in self._all() if (r.draft_id, r.revision) == (draft_id, revision)]
        return found[0] if found else None

    async def latest_revision(self, draft_id: str) -> int:
        return max((r.revision for r in self._all() if r.draft_id == draft_id), default=0)

    async def pending_older(self, draft_id: str, revision: int) -> list[Review]:
        return [
            r
            for r in self._all()
            if r.draft_id == draft_id and r.revision < revision and r.state is ReviewState.PENDING
        ]

    async def draft_account(self, draft_id: str) -> str | None:
        return next((r.account for r in self._all() if r.draft_id == draft_id), None)

    async def pending_for_slot(self, slot_at: datetime, account: str) -> list[Review]:
        return [
            r
            for r in self._all()
            if r.account == account and r.state is ReviewState.PENDING and r.slot_at == slot_at
        ]

    async def insert(self, review: Review) -> None:
        if self.fail_insert is not None:
            raise self.fail_insert
        if review.id in self.stored or await self.by_revision(review.draft_id, review.revision):
            raise ValueError(f"duplicate review of {review.draft_id} r{review.revision}")
        self.stored[review.id] = review.model_copy(deep=True)

    async def save_decided(self, review: Review) -> None:
        current = self.stored.get(review.id)
        if current is None or current.state is not ReviewState.PENDING:
            raise ReviewClosed(f"review {review.id} was decided by someone else meanwhile")
        self.stored[review.id] = review.model_copy(deep=True)

    async def mark_overdue(self, ids: Sequence[str], at: datetime) -> None:
        for review_id in ids:
            review = self.stored[review_id]
            if review.state is ReviewState.PENDING:
                review.overdue_reported_at = at

    async def queue(
        self,
        *,
        accounts: Sequence[str],
        state: ReviewState | None,
        slot_from: datetime | None,
        slot_to: datetime | None,
        late: bool | None,
        offset: int,
        limit: int,
    ) -> tuple[list[ReviewLine], int]:
        found = [
            r
            for r in self._all()
            if r.account in accounts
            and (state is None or r.state is state)
            and (slot_from is None or r.slot_at >= slot_from)
            and (slot_to is None or r.slot_at < slot_to)
            and (late is None or r.late is late)
        ]
        return _page(found, offset, limit)

    async def overdue(
        self, now: datetime, *, accounts: Sequence[str], offset: int, limit: int
    ) -> tuple[list[ReviewLine], int]:
        return _page([r for r in self._overdue(now) if r.account in accounts], offset, limit)

    async def counts(self, now: datetime) -> tuple[int, int, int]:
        pending = sum(1 for r in self.stored.values() if r.state is ReviewState.PENDING)
        overdue = self._overdue(now)
        return pending, len(overdue), len({r.slot_at for r in overdue})

    async def counts_by_account(self, now: datetime) -> dict[str, tuple[int, int]]:
        counts: dict[str, tuple[int, int]] = {}
        for r in self._all():
            if r.state is ReviewState.PENDING:
                pending, overdue = counts.get(r.account, (0, 0))
                counts[r.account] = (pending + 1, overdue + int(r.cutoff_at <= now))
        return counts

    def _overdue(self, now: datetime) -> list[Review]:
        return [r for r in self._all() if r.state is ReviewState.PENDING and r.cutoff_at <= now]


def _page(reviews: list[Review], offset: int, limit: int) -> tuple[list[ReviewLine], int]:
    ordered = sorted(reviews, key=lambda r: (r.slot_at, r.deadline_at, r.submitted_at))
    return list(ordered[offset : offset + limit]), len(ordered)


class FakeLexicon(FakeStore):
    """``LexiconChanges`` and ``LexiconReader``: the latest change per term, a revision."""

    def __init__(self) -> None:
        self.stored: dict[str, LexiconChange] = {}
        self.meta_doc: dict[str, Any] = {"_id": "lexicon", "revision": 0}

    async def put_change(self, key: str, change: Mapping[str, Any]) -> int:
        self.stored[key] = LexiconChange({"_id": key, **change})
        self.meta_doc = {
            **self.meta_doc,
            "revision": self.meta_doc["revision"] + 1,
            "changed_at": change["at"],
            "changed_by": change["by"],
        }
        return int(self.meta_doc["revision"])

    async def meta(self) -> Mapping[str, Any]:
        return dict(self.meta_doc)

    async def revision(self) -> int:
        return int(self.meta_doc["revision"])

    async def changes(self) -> list[LexiconChange]:
        return [LexiconChange(c) for c in self.stored.values()]


class FakeReviewTx(FakeTx):
    """``ReviewTx`` in memory: the four stores (jobs and audit are ``tests.fakes``') and
    ``emit``."""

    def __init__(self) -> None:
        super().__init__()
        self.reviews = FakeReviews()
        self.lexicon = FakeLexicon()
        self.jobs = FakeJobs()
        self.audit = FakeAudit()


def review_deps(
    view: FakeReviewTx,
    *,
    now: datetime,
    registry: CollectorRegistry,
    late_policy: LatePolicy = LatePolicy.NEXT_SLOT,
    confidential_terms: Sequence[str] = (),
    accounts: Accounts | None = None,
    calendars: ReviewCalendars | None = None,
) -> tuple[ReviewDeps, FakeUnitOfWork[FakeReviewTx], FixedClock]:
    """``ReviewDeps`` over ``view`` (its stores are also the read side, its metrics in
    ``registry``), the unit of work and the clock, set to ``now``. One account
    (``default``, the plan's calendar) unless ``accounts`` and ``calendars`` say more."""
    uow = FakeUnitOfWork(view)
    clock = FixedClock(now)
    calendars = calendars or ReviewCalendars({DEFAULT_ACCOUNT: ReviewCalendar()})
    calendar = calendars.default
    deps = ReviewDeps(
        uow=uow,
        reviews=view.reviews,
        lexicon=view.lexicon,
        checkers=CheckerProvider(
            view.lexicon,
            shipped=Lexicon.load(),
            confidential_terms=confidential_terms,
            today=lambda: clock.now().astimezone(calendar.tz).date(),
        ),
        clock=clock,
        calendars=calendars,
        late_policy=late_policy,
        metrics=ReviewMetrics.create(registry),
        accounts=accounts or Accounts(),
    )
    return deps, uow, clock
