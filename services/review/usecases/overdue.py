"""At a slot's cut-off: report the reviews of the slot still pending; the queue gauges.

Reporting marks the reviews (``overdue_reported_at``) and completes the slot's job in
one transaction, so each review is reported once whichever replica runs the job. The job
is per account and slot (#12): two accounts with a slot at the same instant each have
theirs; a job scheduled before accounts carries no account and is the default's.
"""

from __future__ import annotations

import structlog

from services.review.deps import ReviewDeps
from services.review.domain.review import Review
from services.review.ports import ReviewTx
from shared.accounts import DEFAULT_ACCOUNT
from shared.jobs import Claim

__all__ = ["log_overdue", "refresh_gauges", "report_overdue"]

_log = structlog.get_logger("review")


async def report_overdue(claim: Claim, *, deps: ReviewDeps) -> list[Review]:
    """At a slot's cut-off: report every review of the slot still pending."""
    slot_at = claim.payload["slot_at"]
    account = str(claim.payload.get("account") or DEFAULT_ACCOUNT)

    async def work(tx: ReviewTx) -> list[Review]:
        pending = await tx.reviews.pending_for_slot(slot_at, account)
        ids = [r.id for r in pending if r.overdue_reported_at is None]
        await tx.reviews.mark_overdue(ids, deps.clock.now())
        await tx.jobs.complete(claim, result={"overdue": ids})
        return [r for r in pending if r.id in ids]

    overdue = await deps.uow.run(work)
    log_overdue(deps, overdue)
    await refresh_gauges(deps=deps)
    return overdue


def log_overdue(deps: ReviewDeps, overdue: list[Review]) -> None:
    """Count and log reviews found pending at their slot's cut-off."""
    for review in overdue:
        deps.metrics.overdue.inc()
        _log.warning(
            "review_overdue",
            review_id=review.id,
            account=review.account,
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


async def refresh_gauges(*, deps: ReviewDeps) -> None:
    """Set the queue gauges from the store (every replica reports the same numbers): the
    totals, and each account's (an account of the deployment with none pending shows 0)."""
    now = deps.clock.now()
    pending, overdue, slots = await deps.reviews.counts(now)
    deps.metrics.pending.set(pending)
    deps.metrics.overdue_pending.set(overdue)
    deps.metrics.overdue_slots.set(slots)
    by_account = await deps.reviews.counts_by_account(now)
    for account in (*deps.accounts.ids, *(a for a in by_account if a not in deps.accounts)):
        account_pending, account_overdue = by_account.get(account, (0, 0))
        deps.metrics.account_pending.labels(account).set(account_pending)
        deps.metrics.account_overdue_pending.labels(account).set(account_overdue)
