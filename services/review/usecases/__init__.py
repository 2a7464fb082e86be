"""Use cases of the review service. One signature::

    async def verb(input, *, deps: ReviewDeps, actor: Principal) -> result

``input`` is what the use case acts on (an event, a command, a claimed job, a term);
``actor`` is given to the commands a person makes and to no other use case. Each runs
in one unit of work (``deps.uow.run``) over the session-bound repositories of
:class:`~services.review.ports.ReviewTx`: state, audit lines, timed jobs and the events
it emits commit together or not at all; a consumed event's use case is idempotent on
its ``event_id``.
"""

from services.review.usecases.decisions import (
    ApproveReview,
    RejectReview,
    approve_review,
    reject_review,
)
from services.review.usecases.lexicon import TermChange, add_term, remove_term
from services.review.usecases.overdue import refresh_gauges, report_overdue
from services.review.usecases.submissions import Started, StartOutcome, start_review

__all__ = [
    "ApproveReview",
    "RejectReview",
    "StartOutcome",
    "Started",
    "TermChange",
    "add_term",
    "approve_review",
    "refresh_gauges",
    "reject_review",
    "remove_term",
    "report_overdue",
    "start_review",
]
