"""What the review service's use cases are given, and the names of its timed jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.review.checking import CheckerProvider
from services.review.domain.deadline import LatePolicy, ReviewCalendar
from services.review.metrics import ReviewMetrics
from services.review.ports import LexiconReader, ReviewQueue, ReviewTx
from shared.clock import Clock
from shared.outbox import UnitOfWorkPort
from shared.settings import Principal, Role

__all__ = ["OVERDUE_JOB", "SYSTEM", "ReviewDeps", "overdue_job_key"]

OVERDUE_JOB = "review_overdue"
SYSTEM = Principal(subject="review-service", roles=frozenset({Role.SYSTEM}))
"""The actor of what the service does by itself (late rejections, overdue reports)."""


def overdue_job_key(calendar: ReviewCalendar, slot: datetime) -> str:
    """One overdue check per slot: ``overdue:2026-11-23T11:30+08:00``."""
    return f"overdue:{calendar.key(slot)}"


@dataclass(frozen=True)
class ReviewDeps:
    """Adapters and configuration the use cases work with (wired in ``bootstrap``).

    ``uow.run(work)`` hands ``work`` a :class:`~services.review.ports.ReviewTx`;
    ``reviews`` and ``lexicon`` are the read side, outside any transaction.
    """

    uow: UnitOfWorkPort[ReviewTx]
    reviews: ReviewQueue
    lexicon: LexiconReader
    checkers: CheckerProvider
    clock: Clock
    calendar: ReviewCalendar
    late_policy: LatePolicy
    metrics: ReviewMetrics
