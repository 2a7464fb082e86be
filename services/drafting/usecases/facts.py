"""Facts from review and the publisher, applied to drafts (consumed events).

Each runs in one unit of work with the consumed event's idempotency record: a
redelivered event is acked without a second effect. An event about a draft this
service does not have can never succeed: it goes to the dead-letter queue, and so does
a version-2 event naming another account than the draft's (``account_mismatch``); a
version-1 event (before accounts) applies to the draft it names, whatever its account.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.drafting.deps import DraftingDeps
from services.drafting.domain.draft import Draft
from services.drafting.domain.facts import Approval, FactOutcome, Failure, Publication, Rejection
from services.drafting.domain.states import Transition
from services.drafting.errors import ConcurrentUpdate
from services.drafting.ports import DraftingTx
from services.drafting.usecases.common import SERVICE, event_account, run_work
from shared.errors import PoisonMessage, TransientError
from shared.events import DraftApproved, DraftRejected, EventEnvelope, PostFailed, PostPublished

__all__ = ["apply_approval", "apply_failure", "apply_publication", "apply_rejection"]


async def _apply_fact(
    event: EventEnvelope,
    draft_id: str,
    apply: Callable[[Draft, datetime], FactOutcome],
    deps: DraftingDeps,
) -> FactOutcome:
    async def work(tx: DraftingTx) -> tuple[FactOutcome, list[Transition]]:
        draft = await tx.drafts.get(draft_id)
        if draft is None:
            raise PoisonMessage("unknown_draft", f"drafting has no draft {draft_id!r}")
        event_account(event, draft.account, what=f"draft {draft_id}")
        steps_before = len(draft.history)
        outcome = apply(draft, deps.clock.now())
        if outcome is not FactOutcome.DUPLICATE:
            await tx.drafts.save(draft)
        return outcome, draft.history[steps_before:]

    try:
        outcome, steps = await run_work(deps.uow, work, consumed=(SERVICE, str(event.event_id)))
    except ConcurrentUpdate as exc:
        raise TransientError(str(exc)) from exc
    deps.metrics.count_transitions(steps)
    deps.metrics.facts.labels(event.EVENT_TYPE, outcome.value).inc()
    return outcome


async def apply_approval(event: DraftApproved, *, deps: DraftingDeps) -> FactOutcome:
    """``draft.approved``: approve (and schedule) the current revision, else keep a notice."""
    p = event.payload
    approval = Approval(
        revision=p.revision,
        review_id=p.review_id,
        reviewer=p.reviewer,
        approved_at=p.approved_at,
        content_hash=p.content_hash,
        slot=p.slot,
        late=p.late,
        comments=p.comments,
    )
    return await _apply_fact(
        event, p.draft_id, lambda d, at: d.record_approval(approval, at=at), deps
    )


async def apply_rejection(event: DraftRejected, *, deps: DraftingDeps) -> FactOutcome:
    """``draft.rejected``: the current revision goes back to the editors with the findings."""
    p = event.payload
    rejection = Rejection(
        revision=p.revision,
        review_id=p.review_id,
        reviewer=p.reviewer,
        rejected_at=p.rejected_at,
        findings=p.findings,
        comments=p.comments,
    )
    return await _apply_fact(
        event, p.draft_id, lambda d, at: d.record_rejection(rejection, at=at), deps
    )


async def apply_publication(event: PostPublished, *, deps: DraftingDeps) -> FactOutcome:
    """``post.published``: the draft is live."""
    p = event.payload
    publication = Publication(
        post_id=p.post_id,
        channel=p.channel,
        url=p.url,
        published_at=p.published_at,
        slot_at=p.slot_at,
        content_hash=p.content_hash,
    )
    return await _apply_fact(
        event, p.draft_id, lambda d, at: d.record_publication(publication, at=at), deps
    )


async def apply_failure(event: PostFailed, *, deps: DraftingDeps) -> FactOutcome:
    """``post.failed``: publishing failed; a person must act."""
    p = event.payload
    failure = Failure(
        post_id=p.post_id,
        code=p.code.value,
        reason=p.reason,
        needs_person=p.needs_person,
        failed_at=p.failed_at,
        revision=p.revision,
    )
    return await _apply_fact(
        event, p.draft_id, lambda d, at: d.record_failure(failure, at=at), deps
    )
