"""Use case of the calendar fed by review: schedule an approved draft revision.

One transaction (``uow.run`` with the consumed event's idempotency record): the post,
its seat (:mod:`.seats`), its publishing job, and the retirement of an older revision
not yet publishing, with its ``post.failed`` (code ``cancelled``).

An article goes out once: when an earlier revision of the draft is already published,
or may be (submitting, pending, unknown), a newer approved revision is not scheduled.
It is recorded ``cancelled`` with a ``post.failed`` that needs a person (the editor
writes a new draft to publish the article again) — never a second push of the same
article.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog

from services.publisher.deps import PUBLISH_JOB, PublisherDeps, publish_job_key
from services.publisher.domain import (
    Post,
    PostState,
    failed_event,
    history_entry,
    post_id_for,
)
from services.publisher.errors import SlotFull
from services.publisher.seats import next_free_slot, run_with_seat_retry, take_seat
from shared.calendar import Slot, next_slot
from shared.errors import PoisonMessage
from shared.events import DraftApproved, FailureCode
from shared.outbox import Tx

__all__ = ["schedule_approved_post"]

_log = structlog.get_logger("publisher")


async def schedule_approved_post(event: DraftApproved, *, deps: PublisherDeps) -> Post:
    """Give an approved draft revision a slot, a seat and a publishing job (idempotent)."""
    approval = event.payload
    actual = approval.content.content_hash()
    if actual != approval.content_hash:
        raise PoisonMessage(
            "hash_mismatch",
            f"content hashes to {actual}, the approval carries {approval.content_hash}",
        )
    post_id = post_id_for(approval.draft_id, approval.revision)

    async def work(tx: Tx) -> tuple[Post, str]:
        now = deps.clock.now()
        existing = await deps.repo.by_revision(
            approval.draft_id, approval.revision, session=tx.session
        )
        if existing is not None:
            return existing, "repeated"
        out = await deps.repo.earlier_revision_out(
            approval.draft_id, approval.revision, session=tx.session
        )
        if out is not None:
            return await _refuse_second_push(deps, tx, event, out, now=now), "refused"
        for old in await deps.repo.open_older_revisions(
            approval.draft_id, approval.revision, session=tx.session
        ):
            await _supersede(deps, tx, old, by=post_id, now=now)
        slot = await next_free_slot(deps, tx, now, wished=approval.slot)
        seat = await take_seat(deps, tx, slot, post_id)
        job_key = publish_job_key(post_id, 1)
        post = _post_of(
            event,
            PostState.SCHEDULED,
            slot,
            now=now,
            history=history_entry(
                "scheduled",
                at=now,
                actor=approval.reviewer,
                from_state=None,
                to_state=PostState.SCHEDULED,
                slot_key=slot.key,
                wished=approval.slot,
            ),
            seat=seat,
            job_key=job_key,
        )
        await deps.repo.insert(post, session=tx.session)
        await deps.jobs.schedule(
            job_key,
            kind=PUBLISH_JOB,
            due_at=slot.at,
            payload={"post_id": post_id, "rev": 1},
            session=tx.session,
        )
        return post, "scheduled"

    try:
        post, outcome = await run_with_seat_retry(
            deps, work, consumed=("publisher", str(event.event_id))
        )
    except SlotFull as exc:
        raise PoisonMessage("no_free_slot", str(exc)) from exc
    if outcome == "scheduled":
        deps.metrics.scheduled.inc()
        _log.info("post_scheduled", post_id=post.post_id, slot_key=post.slot_key)
    elif outcome == "refused":
        deps.metrics.duplicates_prevented.labels("earlier_revision_out").inc()
        _log.warning("second_push_refused", post_id=post.post_id, reason=post.failure)
    else:  # review approved the same revision again (a new event, so not an inbox duplicate)
        deps.metrics.duplicates_prevented.labels("approval_repeated").inc()
        _log.info("approval_already_scheduled", post_id=post.post_id)
    return post


def _post_of(
    event: DraftApproved,
    state: PostState,
    slot: Slot,
    *,
    now: datetime,
    history: dict[str, Any],
    **fields: Any,
) -> Post:
    """The post of an approved revision, in ``state`` at ``slot``, with its first step."""
    approval = event.payload
    return Post(
        post_id=post_id_for(approval.draft_id, approval.revision),
        draft_id=approval.draft_id,
        revision=approval.revision,
        review_id=approval.review_id,
        reviewer=approval.reviewer,
        approved_at=approval.approved_at,
        approval_event_id=str(event.event_id),
        correlation_id=event.correlation_id,
        content=approval.content.model_dump(mode="json"),
        content_hash=approval.content_hash,
        title=approval.content.title,
        category=approval.content.category,
        state=state,
        slot_key=slot.key,
        slot_at=slot.at,
        history=[history],
        created_at=now,
        updated_at=now,
        **fields,
    )


async def _refuse_second_push(
    deps: PublisherDeps, tx: Tx, event: DraftApproved, out: Post, *, now: datetime
) -> Post:
    """Record the newer revision as cancelled, never scheduled, and tell the editor."""
    approval = event.payload
    slot = next_slot(deps.policy, approval.slot or now, inclusive=approval.slot is not None)
    reason = (
        f"revision {out.revision} of this draft is already {out.state.value} "
        f"(post {out.post_id}); an article goes out once: write a new draft to publish again"
    )
    post = _post_of(
        event,
        PostState.CANCELLED,
        slot,
        now=now,
        history=history_entry(
            "refused",
            at=now,
            actor="publisher",
            from_state=None,
            to_state=PostState.CANCELLED,
            reason=reason,
            earlier_post=out.post_id,
        ),
        failure={"code": FailureCode.CANCELLED.value, "reason": reason},
    )
    await deps.repo.insert(post, session=tx.session)
    tx.emit(
        failed_event(post, code=FailureCode.CANCELLED, reason=reason, needs_person=True, at=now)
    )
    return post


async def _supersede(deps: PublisherDeps, tx: Tx, old: Post, *, by: str, now: datetime) -> None:
    """A newer revision was approved: the older one, not yet publishing, is cancelled."""
    done = await deps.repo.transition(
        old.post_id,
        expect={"state": old.state, "rev": old.rev},
        set_={"state": PostState.CANCELLED, "updated_at": now, "superseded_by": by},
        history=history_entry(
            "superseded",
            at=now,
            actor="publisher",
            from_state=old.state,
            to_state=PostState.CANCELLED,
            by=by,
        ),
        session=tx.session,
    )
    if not done:
        return
    await deps.repo.free_seat(old.slot_key, old.seat, session=tx.session)
    if old.job_key:
        await deps.jobs.cancel(old.job_key, session=tx.session)
    tx.emit(
        failed_event(
            old,
            code=FailureCode.CANCELLED,
            reason=f"superseded by the approval of a newer revision ({by})",
            needs_person=False,
            at=now,
        )
    )
