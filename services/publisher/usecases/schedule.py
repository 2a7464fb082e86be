"""Use case of the calendar fed by review: schedule an approved draft revision.

One transaction (with the consumed event's idempotency record): the post, its seat, its
publishing job, and the retirement of an older revision not yet publishing, with its
``post.failed`` (code ``cancelled``).

An article goes out once: when an earlier revision of the draft is already published,
or may be (submitting, pending, unknown), a newer approved revision is not scheduled.
It is recorded ``cancelled`` with a ``post.failed`` that needs a person (the editor
writes a new draft to publish the article again) — never a second push of the same
article.
"""

from __future__ import annotations

import structlog

from services.publisher.deps import PublisherDeps
from services.publisher.domain import Post, post_id_for, refused_post, scheduled_post
from services.publisher.errors import SlotFull
from services.publisher.ports import PublisherTx
from services.publisher.usecases.common import (
    apply,
    next_free_slot,
    run_with_seat_retry,
    schedule_publish,
    take_seat,
)
from shared.calendar import next_slot
from shared.errors import PoisonMessage
from shared.events import DraftApproved
from shared.settings import Principal

__all__ = ["CONSUMER", "schedule_approved_post"]

CONSUMER = "publisher"
_log = structlog.get_logger("publisher")


async def schedule_approved_post(
    event: DraftApproved, *, deps: PublisherDeps, actor: Principal | None = None
) -> Post:
    """Give an approved draft revision a slot, a seat and a publishing job (idempotent)."""
    approval = event.payload
    actual = approval.content.content_hash()
    if actual != approval.content_hash:
        raise PoisonMessage(
            "hash_mismatch",
            f"content hashes to {actual}, the approval carries {approval.content_hash}",
        )
    post_id = post_id_for(approval.draft_id, approval.revision)

    async def work(tx: PublisherTx) -> tuple[Post, str]:
        now = deps.clock.now()
        existing = await tx.posts.by_revision(approval.draft_id, approval.revision)
        if existing is not None:
            return existing, "repeated"
        out = await tx.posts.earlier_revision_out(approval.draft_id, approval.revision)
        if out is not None:
            wished = approval.slot
            slot = next_slot(deps.policy, wished or now, inclusive=wished is not None)
            refused, failed = refused_post(event, out, slot, now=now)
            await tx.posts.insert(refused)
            tx.emit(failed)
            return refused, "refused"
        for old in await tx.posts.open_older_revisions(approval.draft_id, approval.revision):
            if await apply(tx, old.supersede(by=post_id, now=now)):
                await tx.seats.free(old.slot_key, old.seat)
                if old.job_key:
                    await tx.jobs.cancel(old.job_key)
        slot = await next_free_slot(deps, tx, now, wished=approval.slot)
        seat = await take_seat(deps, tx, slot, post_id)
        post = scheduled_post(event, slot, seat, now=now)
        await tx.posts.insert(post)
        await schedule_publish(tx, post, due_at=slot.at)
        return post, "scheduled"

    try:
        post, outcome = await run_with_seat_retry(
            deps, work, consumed=(CONSUMER, str(event.event_id))
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
