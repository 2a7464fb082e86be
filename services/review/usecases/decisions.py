"""A reviewer decides: approve (four eyes; blocking findings need a written override) or
reject with comments.

One transaction each: the decided review, the audit lines and the event
(``draft.approved`` / ``draft.rejected``, of the review's account) commit together or
not at all; a review decided meanwhile by someone else is refused (``ReviewClosed``).
Both need the reviewer role on the review's own account (#12), checked before anything
changes (``AccountForbidden``).
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from services.review.deps import ReviewDeps
from services.review.domain.decision import ApprovalRequest
from services.review.domain.review import Review
from services.review.errors import FourEyesViolation, ReviewNotFound
from services.review.ports import ReviewTx
from services.review.usecases.access import require_on
from shared.settings import Principal, Role

__all__ = ["ApproveReview", "RejectReview", "approve_review", "reject_review"]

_log = structlog.get_logger("review")


@dataclass(frozen=True)
class ApproveReview:
    """Approve review ``review_id`` as ``request`` says (what the reviewer saw, why)."""

    review_id: str
    request: ApprovalRequest


@dataclass(frozen=True)
class RejectReview:
    """Reject review ``review_id`` with ``comments`` for the editor."""

    review_id: str
    comments: str


async def approve_review(command: ApproveReview, *, deps: ReviewDeps, actor: Principal) -> Review:
    """Approve a pending review: four eyes, blocks need an override; emits draft.approved."""
    review_id, request = command.review_id, command.request

    async def work(tx: ReviewTx) -> Review:
        review = await _load(tx, review_id, actor)
        now = deps.clock.now()
        tx.emit(review.approve(actor.subject, request, now=now))
        await tx.reviews.save_decided(review)
        decision = review.decision
        assert decision is not None
        details = {
            "account": review.account,
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
                "account": review.account,
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
    _log.info(
        "review_approved",
        review_id=review.id,
        account=review.account,
        reviewer=actor.subject,
        slot=review.slot_key,
    )
    return review


async def reject_review(command: RejectReview, *, deps: ReviewDeps, actor: Principal) -> Review:
    """Reject a pending review with comments; emits draft.rejected with the findings."""
    review_id, comments = command.review_id, command.comments

    async def work(tx: ReviewTx) -> Review:
        review = await _load(tx, review_id, actor)
        now = deps.clock.now()
        tx.emit(review.reject(actor.subject, comments, now=now))
        await tx.reviews.save_decided(review)
        details = {
            "account": review.account,
            "draft_id": review.draft_id,
            "revision": review.revision,
            "comments": comments,
            "findings": len(review.findings),
        }
        await tx.audit.record(actor, "review.reject", review.id, at=now, details=details)
        return review

    review = await deps.uow.run(work)
    deps.metrics.decisions.labels("rejected", "manual").inc()
    _log.info(
        "review_rejected", review_id=review.id, account=review.account, reviewer=actor.subject
    )
    return review


async def _load(tx: ReviewTx, review_id: str, actor: Principal) -> Review:
    """The review, if the actor may decide it: ``AccountForbidden`` (403) unless the actor
    is a reviewer of the review's stored account."""
    review = await tx.reviews.get(review_id)
    if review is None:
        raise ReviewNotFound(f"no review {review_id!r}")
    require_on(actor, review.account, Role.REVIEWER)
    return review
