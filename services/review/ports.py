"""What the review use cases need of the store, as Protocols.

:class:`ReviewTx` is what a use case's unit of work hands it: the repositories bound to
one transaction, and ``emit``. ``repository/`` implements every Protocol on MongoDB
(``bind(tx)``), ``tests/unit/review/fakes.py`` in memory. :class:`ReviewQueue` and
:class:`LexiconReader` are the read side the routes, the gauges and the checker use
outside a transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from services.review.domain.decision import ReviewState
from services.review.domain.lexicon import LexiconChange
from services.review.domain.review import Review, ReviewLine
from shared.outbox import Transaction
from shared.ports import AuditTrail, JobsInTransaction

__all__ = [
    "LexiconChanges",
    "LexiconReader",
    "LexiconSource",
    "ReviewQueue",
    "ReviewRepository",
    "ReviewTx",
]


class ReviewRepository(Protocol):
    """The reviews, as a transaction sees them."""

    async def get(self, review_id: str) -> Review | None: ...

    async def by_revision(self, draft_id: str, revision: int) -> Review | None: ...

    async def latest_revision(self, draft_id: str) -> int:
        """The highest revision of ``draft_id`` under review so far (0 when none)."""
        ...

    async def pending_older(self, draft_id: str, revision: int) -> list[Review]:
        """Pending reviews of revisions older than ``revision``."""
        ...

    async def draft_account(self, draft_id: str) -> str | None:
        """The account ``draft_id``'s revisions are under review for (None: none yet)."""
        ...

    async def pending_for_slot(self, slot_at: datetime, account: str) -> list[Review]:
        """Pending reviews of ``account`` for the slot at ``slot_at``."""
        ...

    async def insert(self, review: Review) -> None: ...

    async def save_decided(self, review: Review) -> None:
        """Store a review that left ``pending``; ``ReviewClosed`` if another write won."""
        ...

    async def mark_overdue(self, ids: Sequence[str], at: datetime) -> None:
        """Note that the pending ones among ``ids`` were reported overdue at ``at``."""
        ...


class ReviewQueue(Protocol):
    """The reviews as people and the gauges read them (outside a transaction)."""

    async def get(self, review_id: str) -> Review | None: ...

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
        """One page of the reviews of ``accounts`` in ``state`` (any when None) with a
        slot in ``[slot_from, slot_to)``, in queue order, and the total."""
        ...

    async def overdue(
        self, now: datetime, *, accounts: Sequence[str], offset: int, limit: int
    ) -> tuple[list[ReviewLine], int]:
        """One page of pending reviews of ``accounts`` whose cut-off has passed, and the
        total."""
        ...

    async def counts(self, now: datetime) -> tuple[int, int, int]:
        """``(pending, overdue, slots with an overdue review)`` of every account."""
        ...

    async def counts_by_account(self, now: datetime) -> dict[str, tuple[int, int]]:
        """``{account: (pending, overdue)}`` for the accounts with a pending review."""
        ...


class LexiconSource(Protocol):
    """Where the run-time lexicon changes are stored; the checker reloads from it."""

    async def revision(self) -> int: ...

    async def changes(self) -> list[LexiconChange]: ...


class LexiconReader(LexiconSource, Protocol):
    """The lexicon's run-time state as the routes read it."""

    async def meta(self) -> Mapping[str, Any]:
        """``{"revision": n, "changed_at", "changed_by"}``; revision 0 before any change."""
        ...


class LexiconChanges(Protocol):
    """The run-time lexicon changes, as a transaction writes them."""

    async def put_change(self, key: str, change: Mapping[str, Any]) -> int:
        """Record the latest instruction for ``key`` and bump the revision; returns it."""
        ...


class ReviewTx(Transaction, Protocol):
    """The transaction view a review use case works with."""

    @property
    def reviews(self) -> ReviewRepository: ...

    @property
    def lexicon(self) -> LexiconChanges: ...

    @property
    def jobs(self) -> JobsInTransaction: ...

    @property
    def audit(self) -> AuditTrail: ...
