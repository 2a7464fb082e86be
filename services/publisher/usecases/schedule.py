"""Use case of the calendar fed by review: schedule an approved draft revision.

One transaction (with the consumed event's idempotency record): the post, its seat, its
publishing job, and the retirement of an older revision not yet publishing, with its
``post.failed`` (code ``cancelled``).

An article goes out once: when an earlier revision of the draft is already published,
or may be (submitting, pending, unknown), a newer approved revision is not scheduled.
It is recorded ``cancelled`` with a ``post.failed`` that needs a person (the editor
writes a new draft to publish the article again) — never a second push of the same
article.

Accounts (#12): the post belongs to the event's account (a version-1 event: the default
account) and takes a slot and a seat of that account's calendar. A draft's revisions are
one account's: when the draft already has posts of another account, a version-1 event
follows them (the stored account wins), a version-2 event naming another account is
poison (``account_mismatch``); an account the deployment does not have is poison too.
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
from shared.events.envelope import CURRENT_SCHEMA_VERSION
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
    if event.account not in deps.policies:
        raise PoisonMessage("unknown_account", f"no account {event.account!r} here")

    async def work(tx: PublisherTx) -> tuple[Post, str]:
        now = deps.clock.now()
        account = _account_of(event, await tx.posts.draft_account(approval.draft_id))
        existing = await tx.posts.by_revision(approval.draft_id, approval.revision)
        if existing is not None:
            return existing, "repeated"
        out = await tx.posts.earlier_revision_out(approval.draft_id, approval.revision)
        if out is not None:
            wished = approval.slot
            policy = deps.policy_for(account)
            slot = next_slot(policy, wished or now, inclusive=wished is not None)
            refused, failed = refused_post(event, out, slot, now=now)
            await tx.posts.insert(refused)
            tx.emit(failed)
            return refused, "refused"
        for old in await tx.posts.open_older_revisions(approval.draft_id, approval.revision):
            if await apply(tx, old.supersede(by=post_id, now=now)):
                await tx.seats.free(old.account, old.slot_key, old.seat)
                if old.job_key:
                    await tx.jobs.cancel(old.job_key)
        slot = await next_free_slot(deps, tx, account, now, wished=approval.slot)
        seat = await take_seat(deps, tx, account, slot, post_id)
        post = scheduled_post(event, slot, seat, now=now, account=account)
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
        _log.info(
            "post_scheduled", post_id=post.post_id, slot_key=post.slot_key, account=post.account
        )
    elif outcome == "refused":
        deps.metrics.duplicates_prevented.labels("earlier_revision_out").inc()
        _log.warning("second_push_refused", post_id=post.post_id, reason=post.failure)
    else:  # review approved the same revision again (a new event, so not an inbox duplicate)
        deps.metrics.duplicates_prevented.labels("approval_repeated").inc()
        _log.info("approval_already_scheduled", post_id=post.post_id)
    return post


def _account_of(event: DraftApproved, stored: str | None) -> str:
    """The account of the approved revision's post (see the module docstring)."""
    if stored is None or stored == event.account:
        return event.account
    if event.schema_version < CURRENT_SCHEMA_VERSION:  # knew no accounts: the draft's wins
        return stored
    raise PoisonMessage(
        "account_mismatch",
        f"draft {event.payload.draft_id} is account {stored!r}'s, the approval names "
        f"{event.account!r}",
    )
