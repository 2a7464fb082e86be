"""Start a review: a submitted draft revision is checked and queued (or superseded, or
rejected late by policy).

One transaction, idempotent on the consumed ``event_id``: the review, the older
revisions it supersedes, the slot's overdue job or the late rejection's audit line and
event commit together or not at all.

Accounts (#12): the review belongs to the account of ``draft.submitted`` and is for a
slot of that account's calendar, before that account's deadline. A draft already under
review keeps its account: a version-1 event (from before accounts) takes it; a version-2
event naming another account is poison (``account_mismatch``), as is one naming an
account this deployment does not have (``unknown_account``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import structlog

from services.review.deps import OVERDUE_JOB, SYSTEM, ReviewDeps, overdue_job_key
from services.review.domain.deadline import SlotAction, decide_slot
from services.review.domain.decision import ReviewState
from services.review.domain.findings import check_snapshot
from services.review.domain.review import Review
from services.review.domain.submission import new_review, review_id_for
from services.review.ports import ReviewRepository, ReviewTx
from services.review.usecases.overdue import log_overdue
from shared.errors import PoisonMessage
from shared.events import DraftSubmitted

__all__ = ["StartOutcome", "Started", "start_review"]

_log = structlog.get_logger("review")
CONSUMER = "review"
"""The name under which this service records the events it consumed."""


class StartOutcome(StrEnum):
    """What ``start_review`` did with a submission."""

    QUEUED = "queued"
    REJECTED_LATE = "rejected_late"
    SAME_REVISION = "same_revision"  # this revision is under review already
    SUPERSEDED_ON_ARRIVAL = "superseded_on_arrival"  # a newer revision arrived first


@dataclass(frozen=True)
class Started:
    """The review a submission led to, and what happened."""

    review: Review
    outcome: StartOutcome


async def start_review(event: DraftSubmitted, *, deps: ReviewDeps) -> Started:
    """Check a submitted revision and queue it for review (idempotent on ``event_id``)."""
    submitted = event.payload
    actual = submitted.content.content_hash()
    if actual != submitted.content_hash:
        raise PoisonMessage(
            "hash_mismatch",
            f"content hashes to {actual}, the submission carries {submitted.content_hash}",
        )
    if event.account not in deps.calendars:
        raise PoisonMessage(
            "unknown_account",
            f"draft {submitted.draft_id} is of account {event.account!r}, "
            "which this deployment does not have",
        )
    # One lexicon for every account: the company's content norms hold for all of them.
    checker = await deps.checkers.checker()
    check = check_snapshot(checker, submitted.content)
    now = deps.clock.now()
    # The draft reached review when drafting handed it over; outbox and broker delays are
    # not the editor's, but it never counts as earlier than a clock ahead of ours says.
    arrived = min(submitted.submitted_at, now)

    async def work(tx: ReviewTx) -> Started:
        # Built here: a retried transaction must start again from the event.
        repo = tx.reviews
        account = await _account_of(repo, event)
        if account not in deps.calendars:  # the draft's account left ACCOUNTS since
            raise PoisonMessage(
                "unknown_account",
                f"draft {submitted.draft_id} is of account {account!r}, "
                "which this deployment no longer has",
            )
        calendar = deps.calendars.of(account)
        slot = decide_slot(
            calendar, wished=submitted.wished_slot, arrived=arrived, policy=deps.late_policy
        )
        review = new_review(
            event,
            findings=check.findings,
            lexicon_version=check.lexicon_version,
            body_text=check.body_text,
            slot=slot,
            calendar=calendar,
            now=now,
            account=account,
        )
        same = await repo.by_revision(review.draft_id, review.revision)
        if same is not None:
            return Started(same, StartOutcome.SAME_REVISION)
        latest = await repo.latest_revision(review.draft_id)
        if latest > review.revision:
            # Out of order: keep it for the record, never in the queue.
            review.state = ReviewState.SUPERSEDED
            review.superseded_by = review_id_for(review.draft_id, latest)
            await repo.insert(review)
            return Started(review, StartOutcome.SUPERSEDED_ON_ARRIVAL)
        for older in await repo.pending_older(review.draft_id, review.revision):
            older.supersede(review, now=now)
            await repo.save_decided(older)
        outcome = StartOutcome.QUEUED
        if slot.action is SlotAction.REJECTED:
            tx.emit(review.reject(SYSTEM.subject, review.slot_note, now=now, automatic=True))
            why = {
                "account": review.account,
                "draft_id": review.draft_id,
                "revision": review.revision,
                "why": review.slot_note,
            }
            await tx.audit.record(SYSTEM, "review.reject_late", review.id, at=now, details=why)
            outcome = StartOutcome.REJECTED_LATE
        else:
            if review.cutoff_at <= now:
                # Kept for a slot whose cut-off has passed: reported now, below, so the
                # slot's overdue job (done, or about to run) does not report it again.
                review.overdue_reported_at = now
            await tx.jobs.schedule(
                overdue_job_key(calendar, review.slot_at, account),
                kind=OVERDUE_JOB,
                due_at=review.cutoff_at,
                payload={
                    "slot_at": review.slot_at,
                    "slot_key": review.slot_key,
                    "account": account,
                },
            )
        await repo.insert(review)
        return Started(review, outcome)

    started = await deps.uow.run(work, consumed=(CONSUMER, str(event.event_id)))
    review = started.review
    _count_start(deps, started)
    _log.info(
        "review_started",
        review_id=review.id,
        account=review.account,
        outcome=started.outcome,
        draft_id=review.draft_id,
        revision=review.revision,
        slot=review.slot_key,
        late=review.late,
        findings=len(review.findings),
        blocking=review.blocking,
        lexicon_version=review.lexicon_version,
    )
    if started.outcome is StartOutcome.QUEUED and review.overdue_reported_at is not None:
        log_overdue(deps, [review])
    return started


async def _account_of(repo: ReviewRepository, event: DraftSubmitted) -> str:
    """The account of the submitted draft: the one its earlier revisions are under review
    for, else the event's."""
    draft_id = event.payload.draft_id
    known = await repo.draft_account(draft_id)
    if known is None:
        return event.account
    if event.schema_version >= 2 and event.account != known:
        raise PoisonMessage(
            "account_mismatch",
            f"draft {draft_id} is under review for account {known!r}; "
            f"draft.submitted names account {event.account!r}",
        )
    return known  # a version-1 event knows no account: the draft's holds


def _count_start(deps: ReviewDeps, started: Started) -> None:
    m, review = deps.metrics, started.review
    m.submissions.labels(started.outcome).inc()
    if started.outcome not in (StartOutcome.QUEUED, StartOutcome.REJECTED_LATE):
        return
    for finding in review.findings:
        m.findings.labels(finding.category, finding.severity).inc()
    if review.blocking:
        m.blocking_reviews.inc()
    if review.late:
        m.late.labels(review.slot_action).inc()
    if started.outcome is StartOutcome.REJECTED_LATE:
        m.decisions.labels("rejected", "policy").inc()
