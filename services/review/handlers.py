"""Use cases of the review queue: start a review, approve, reject, report overdue slots.

Each runs in one transaction (``uow.run``): the review's state, the audit line, the
overdue job and the event it causes (written to the outbox) commit together or not at
all. ``start_review`` is also idempotent on the consumed ``event_id``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import structlog

from services.review.checking import check_snapshot
from services.review.deadline import SlotAction, decide_slot
from services.review.deps import OVERDUE_JOB, SYSTEM, ReviewDeps, overdue_job_key
from services.review.domain import (
    ApprovalRequest,
    Review,
    ReviewState,
    new_review,
    review_id_for,
)
from services.review.errors import FourEyesViolation, ReviewNotFound
from services.review.ports import ReviewTx
from shared.errors import PoisonMessage
from shared.events import DraftSubmitted
from shared.jobs import Claim
from shared.settings import Principal

__all__ = [
    "StartOutcome",
    "Started",
    "approve_review",
    "refresh_gauges",
    "reject_review",
    "report_overdue",
    "start_review",
]

_log = structlog.get_logger("review")


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
    checker = await deps.checkers.checker()
    check = check_snapshot(checker, submitted.content)
    now = deps.clock.now()
    # The draft reached review when drafting handed it over; outbox and broker delays are
    # not the editor's, but it never counts as earlier than a clock ahead of ours says.
    arrived = min(submitted.submitted_at, now)
    slot = decide_slot(
        deps.calendar, wished=submitted.wished_slot, arrived=arrived, policy=deps.late_policy
    )

    async def work(tx: ReviewTx) -> Started:
        # Built here: a retried transaction must start again from the event.
        review = new_review(
            event,
            findings=check.findings,
            lexicon_version=check.lexicon_version,
            body_text=check.body_text,
            slot=slot,
            calendar=deps.calendar,
            now=now,
        )
        repo = tx.reviews
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
                overdue_job_key(deps.calendar, review.slot_at),
                kind=OVERDUE_JOB,
                due_at=review.cutoff_at,
                payload={"slot_at": review.slot_at, "slot_key": review.slot_key},
            )
        await repo.insert(review)
        return Started(review, outcome)

    started = await deps.uow.run(work, consumed=("review", str(event.event_id)))
    review = started.review
    _count_start(deps, started)
    _log.info(
        "review_started",
        review_id=review.id,
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
        _report(deps, [review])
    return started


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


async def approve_review(
    review_id: str, request: ApprovalRequest, *, actor: Principal, deps: ReviewDeps
) -> Review:
    """Approve a pending review: four eyes, blocks need an override; emits draft.approved."""

    async def work(tx: ReviewTx) -> Review:
        review = await _load(tx, review_id)
        now = deps.clock.now()
        tx.emit(review.approve(actor.subject, request, now=now))
        await tx.reviews.save_decided(review)
        decision = review.decision
        assert decision is not None
        details = {
            "draft_id": review.draft_id,
            "revision": review.revision,
            "content_hash": review.content_hash,
            "slot": review.slot_key,
            "late": review.late,
            "comments": decision.comments,
            "event_id": decision.event_id,
        }
        await tx.audit.record(actor, "review.approve", review.id, at=now, details=details)
        if decision.overridden:
            overridden = {
                "reason": decision.override_reason,
                "findings": [f.model_dump(mode="json") for f in decision.overridden],
            }
            await tx.audit.record(actor, "review.override", review.id, at=now, details=overridden)
        return review

    try:
        review = await deps.uow.run(work)
    except FourEyesViolation:
        deps.metrics.four_eyes_refused.inc()
        _log.warning("four_eyes_refused", review_id=review_id, reviewer=actor.subject)
        raise
    deps.metrics.decisions.labels("approved", "manual").inc()
    if review.decision is not None and review.decision.overridden:
        deps.metrics.overrides.inc()
    _log.info("review_approved", review_id=review.id, reviewer=actor.subject, slot=review.slot_key)
    return review


async def reject_review(
    review_id: str, comments: str, *, actor: Principal, deps: ReviewDeps
) -> Review:
    """Reject a pending review with comments; emits draft.rejected with the findings."""

    async def work(tx: ReviewTx) -> Review:
        review = await _load(tx, review_id)
        now = deps.clock.now()
        tx.emit(review.reject(actor.subject, comments, now=now))
        await tx.reviews.save_decided(review)
        details = {
            "draft_id": review.draft_id,
            "revision": review.revision,
            "comments": comments,
            "findings": len(review.findings),
        }
        await tx.audit.record(actor, "review.reject", review.id, at=now, details=details)
        return review

    review = await deps.uow.run(work)
    deps.metrics.decisions.labels("rejected", "manual").inc()
    _log.info("review_rejected", review_id=review.id, reviewer=actor.subject)
    return review


async def _load(tx: ReviewTx, review_id: str) -> Review:
    review = await tx.reviews.get(review_id)
    if review is None:
        raise ReviewNotFound(f"no review {review_id!r}")
    return review


async def report_overdue(claim: Claim, *, deps: ReviewDeps) -> list[Review]:
    """At a slot's cut-off: report every review of the slot still pending."""
    slot_at = claim.payload["slot_at"]

    async def work(tx: ReviewTx) -> list[Review]:
        pending = await tx.reviews.pending_for_slot(slot_at)
        ids = [r.id for r in pending if r.overdue_reported_at is None]
        await tx.reviews.mark_overdue(ids, deps.clock.now())
        await tx.jobs.complete(claim, result={"overdue": ids})
        return [r for r in pending if r.id in ids]

    overdue = await deps.uow.run(work)
    _report(deps, overdue)
    await refresh_gauges(deps)
    return overdue


def _report(deps: ReviewDeps, overdue: list[Review]) -> None:
    for review in overdue:
        deps.metrics.overdue.inc()
        _log.warning(
            "review_overdue",
            review_id=review.id,
            draft_id=review.draft_id,
            revision=review.revision,
            title=review.title,
            slot=review.slot_key,
            slot_at=review.slot_at.isoformat(),
            cutoff_at=review.cutoff_at.isoformat(),
            submitted_by=review.submitted_by,
            late=review.late,
            blocking=review.blocking,
        )


async def refresh_gauges(deps: ReviewDeps) -> None:
    """Set the queue gauges from the store (every replica reports the same numbers)."""
    pending, overdue, slots = await deps.reviews.counts(deps.clock.now())
    deps.metrics.pending.set(pending)
    deps.metrics.overdue_pending.set(overdue)
    deps.metrics.overdue_slots.set(slots)
