"""What the review service's use cases are given, and the names of its timed jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from services.review.checking import CheckerProvider
from services.review.domain.deadline import LatePolicy, ReviewCalendar, ReviewCalendars
from services.review.metrics import ReviewMetrics
from services.review.ports import LexiconReader, ReviewQueue, ReviewTx
from shared.accounts import DEFAULT_ACCOUNT, Accounts
from shared.clock import Clock
from shared.outbox import UnitOfWorkPort
from shared.settings import Principal, Role

__all__ = ["OVERDUE_JOB", "SYSTEM", "ReviewDeps", "overdue_job_key"]

OVERDUE_JOB = "review_overdue"
SYSTEM = Principal(subject="review-service", roles=frozenset({Role.SYSTEM}))
"""The actor of what the service does by itself (late rejections, overdue reports)."""


def overdue_job_key(
    calendar: ReviewCalendar, slot: datetime, account: str = DEFAULT_ACCOUNT
) -> str:
    """One overdue check per account and slot: ``overdue:2026-11-23T11:30+08:00`` for the
    default account (the key from before accounts), ``overdue:talent:2026-11-24T08:00+08:00``
    for another (two accounts may have a slot at the same instant)."""
    if account == DEFAULT_ACCOUNT:
        return f"overdue:{calendar.key(slot)}"
    return f"overdue:{account}:{calendar.key(slot)}"


@dataclass(frozen=True)
class ReviewDeps:
    """Adapters and configuration the use cases work with (wired in ``bootstrap``).

    ``uow.run(work)`` hands ``work`` a :class:`~services.review.ports.ReviewTx`;
    ``reviews`` and ``lexicon`` are the read side, outside any transaction.
    ``calendars`` holds each account's review calendar (#12); ``accounts`` the
    deployment's accounts (one, ``default``, unless ``ACCOUNTS`` lists more).
    """

    uow: UnitOfWorkPort[ReviewTx]
    reviews: ReviewQueue
    lexicon: LexiconReader
    checkers: CheckerProvider
    clock: Clock
    calendars: ReviewCalendars
    late_policy: LatePolicy
    metrics: ReviewMetrics
    accounts: Accounts = field(default_factory=Accounts)

    @property
    def calendar(self) -> ReviewCalendar:
        """The default account's review calendar."""
        return self.calendars.default
