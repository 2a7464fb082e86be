"""Use cases of the people running the calendar: reschedule, cancel, pause, resume a
post; hold and release the whole calendar.

Each runs in one transaction with its audit line. A command and the publishing job race
on the post document: both are conditional on its state and schedule revision (``rev``),
so exactly one wins; a command that loses is refused (``TransitionRefused`` -> 409).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.publisher.deps import PUBLISH_JOB, PublisherDeps, publish_job_key
from services.publisher.domain import (
    IN_FLIGHT,
    Command,
    Post,
    PostState,
    check_command,
    failed_event,
    history_entry,
    refused,
)
from services.publisher.errors import PostNotFound, SlotRefused
from services.publisher.seats import next_free_slot, run_with_seat_retry, take_seat
from shared.calendar import KEY_PREFIX, Slot, SlotError, parse_slot_key
from shared.events import FailureCode
from shared.http import record_audit
from shared.mongo import MongoDoc
from shared.outbox import Tx
from shared.settings import Principal

__all__ = [
    "HoldResult",
    "cancel_post",
    "cancel_within",
    "hold_calendar",
    "pause_post",
    "release_calendar",
    "reschedule_post",
    "resume_post",
]


async def _load(deps: PublisherDeps, tx: Tx, post_id: str) -> Post:
    post = await deps.repo.get(post_id, session=tx.session)
    if post is None:
        raise PostNotFound(post_id)
    return post


def _requested_slot(deps: PublisherDeps, when: datetime, now: datetime) -> Slot:
    local = when.astimezone(deps.policy.tz)
    try:
        slot = parse_slot_key(deps.policy, KEY_PREFIX + local.isoformat())
    except SlotError as exc:
        raise SlotRefused(str(exc)) from exc
    if slot.at <= now or slot.at - now < deps.settings.min_lead:
        raise SlotRefused(f"slot {slot.key} is not ahead of now ({now.isoformat()})")
    return slot


async def _move(
    deps: PublisherDeps,
    tx: Tx,
    post: Post,
    slot: Slot,
    *,
    now: datetime,
    actor: str,
    action: str,
    to_state: PostState,
) -> Post:
    """Move ``post`` to ``slot`` in state ``to_state`` with a new schedule revision."""
    seat = post.seat
    if slot.key != post.slot_key:
        seat = await take_seat(deps, tx, slot, post.post_id)
        await deps.repo.free_seat(post.slot_key, post.seat, session=tx.session)
    rev = post.rev + 1
    job_key = publish_job_key(post.post_id, rev) if to_state is PostState.SCHEDULED else None
    changes: MongoDoc = {
        "state": to_state,
        "slot_key": slot.key,
        "slot_at": slot.at,
        "seat": seat,
        "rev": rev,
        "job_key": job_key,
        "failure": None,
        "updated_at": now,
    }
    moved = await deps.repo.transition(
        post.post_id,
        expect={"state": post.state, "rev": post.rev},
        set_=changes,
        history=history_entry(
            action,
            at=now,
            actor=actor,
            from_state=post.state,
            to_state=to_state,
            slot_key=slot.key,
            previous_slot_key=post.slot_key,
        ),
        session=tx.session,
    )
    if not moved:  # publishing (or another command) got there first
        raise refused(post.post_id, PostState.SUBMITTING, Command.RESCHEDULE)
    if post.job_key:
        await deps.jobs.cancel(post.job_key, session=tx.session)
    if job_key:
        await deps.jobs.schedule(
            job_key,
            kind=PUBLISH_JOB,
            due_at=slot.at,
            payload={"post_id": post.post_id, "rev": rev},
            session=tx.session,
        )
    return post.model_copy(update=changes)


async def reschedule_post(
    post_id: str, when: datetime, *, actor: Principal, deps: PublisherDeps
) -> Post:
    """Move a post that has not started publishing to another slot (``when``)."""

    async def work(tx: Tx) -> Post:
        now = deps.clock.now()
        slot = _requested_slot(deps, when, now)
        post = await _load(deps, tx, post_id)
        check_command(post, Command.RESCHEDULE)
        to_state = PostState.PAUSED if post.state is PostState.PAUSED else PostState.SCHEDULED
        moved = await _move(
            deps,
            tx,
            post,
            slot,
            now=now,
            actor=actor.subject,
            action="rescheduled",
            to_state=to_state,
        )
        await record_audit(
            tx.db,
            actor=actor,
            action="post.reschedule",
            target=post_id,
            details={"from": post.slot_key, "to": slot.key},
            at=now,
            session=tx.session,
        )
        return moved

    return await run_with_seat_retry(deps, work, consumed=None)


async def cancel_post(post_id: str, reason: str, *, actor: Principal, deps: PublisherDeps) -> Post:
    """Cancel a post that has not started publishing; it will never go out."""

    async def work(tx: Tx) -> Post:
        now = deps.clock.now()
        post = await _load(deps, tx, post_id)
        check_command(post, Command.CANCEL)
        if not await cancel_within(deps, tx, post, reason=reason, actor=actor.subject, now=now):
            raise refused(post_id, PostState.SUBMITTING, Command.CANCEL)
        await record_audit(
            tx.db,
            actor=actor,
            action="post.cancel",
            target=post_id,
            details={"reason": reason},
            at=now,
            session=tx.session,
        )
        return post.model_copy(update=_cancelled(reason, now))

    post = await deps.uow.run(work)
    deps.metrics.failed.labels(FailureCode.CANCELLED.value).inc()
    return post


def _cancelled(reason: str, now: datetime) -> MongoDoc:
    return {"state": PostState.CANCELLED, "updated_at": now, "cancel_reason": reason}


async def cancel_within(
    deps: PublisherDeps,
    tx: Tx,
    post: Post,
    *,
    reason: str,
    actor: str,
    now: datetime,
) -> bool:
    """In ``tx``: cancel ``post`` as it was read (state and ``rev``), free its seat, cancel
    its job and emit ``post.failed`` (``cancelled``, no person needed). False, with nothing
    written, when the post moved meanwhile. The caller audits and counts.
    """
    done = await deps.repo.transition(
        post.post_id,
        expect={"state": post.state, "rev": post.rev},
        set_=_cancelled(reason, now),
        history=history_entry(
            "cancelled",
            at=now,
            actor=actor,
            from_state=post.state,
            to_state=PostState.CANCELLED,
            reason=reason,
        ),
        session=tx.session,
    )
    if not done:
        return False
    await deps.repo.free_seat(post.slot_key, post.seat, session=tx.session)
    if post.job_key:
        await deps.jobs.cancel(post.job_key, session=tx.session)
    tx.emit(
        failed_event(
            post,
            code=FailureCode.CANCELLED,
            reason=f"cancelled by {actor}: {reason}",
            needs_person=False,
            at=now,
        )
    )
    return True


async def pause_post(post_id: str, *, actor: Principal, deps: PublisherDeps) -> Post:
    """Stop a scheduled post from going out until it is resumed; it keeps its seat."""

    async def work(tx: Tx) -> Post:
        now = deps.clock.now()
        post = await _load(deps, tx, post_id)
        check_command(post, Command.PAUSE)
        changes: MongoDoc = {"state": PostState.PAUSED, "updated_at": now}
        done = await deps.repo.transition(
            post_id,
            expect={"state": post.state, "rev": post.rev},
            set_=changes,
            history=history_entry(
                "paused",
                at=now,
                actor=actor.subject,
                from_state=post.state,
                to_state=PostState.PAUSED,
            ),
            session=tx.session,
        )
        if not done:
            raise refused(post_id, PostState.SUBMITTING, Command.PAUSE)
        if post.job_key:
            await deps.jobs.cancel(post.job_key, session=tx.session)
        await record_audit(
            tx.db,
            actor=actor,
            action="post.pause",
            target=post_id,
            details={},
            at=now,
            session=tx.session,
        )
        return post.model_copy(update=changes)

    return await deps.uow.run(work)


async def resume_post(post_id: str, *, actor: Principal, deps: PublisherDeps) -> Post:
    """Re-arm a paused post: its own slot if still ahead, else the next free slot."""

    async def work(tx: Tx) -> Post:
        now = deps.clock.now()
        post = await _load(deps, tx, post_id)
        check_command(post, Command.RESUME)
        if post.slot_at > now and post.slot_at - now >= deps.settings.min_lead:
            local = post.slot_at.astimezone(deps.policy.tz)
            slot = Slot(key=post.slot_key, at=post.slot_at, local=local)
        else:
            slot = await next_free_slot(deps, tx, now, wished=None)
        moved = await _move(
            deps,
            tx,
            post,
            slot,
            now=now,
            actor=actor.subject,
            action="resumed",
            to_state=PostState.SCHEDULED,
        )
        await record_audit(
            tx.db,
            actor=actor,
            action="post.resume",
            target=post_id,
            details={"slot_key": slot.key},
            at=now,
            session=tx.session,
        )
        return moved

    return await run_with_seat_retry(deps, work, consumed=None)


@dataclass(frozen=True)
class HoldResult:
    """The calendar's hold state after a command, and what was already beyond reach."""

    held: bool
    changed: bool
    in_flight: list[Post]


async def _set_hold(held: bool, reason: str, *, actor: Principal, deps: PublisherDeps) -> bool:
    """Store the calendar hold flag and its audit entry in one transaction."""

    async def work(tx: Tx) -> bool:
        now = deps.clock.now()
        changed = await deps.repo.set_hold(
            held=held, actor=actor.subject, reason=reason, at=now, session=tx.session
        )
        await record_audit(
            tx.db,
            actor=actor,
            action="calendar.hold" if held else "calendar.release",
            target="calendar",
            details={"reason": reason, "changed": changed},
            at=now,
            session=tx.session,
        )
        return changed

    return await deps.uow.run(work)


async def hold_calendar(reason: str, *, actor: Principal, deps: PublisherDeps) -> HoldResult:
    """Hold the whole calendar: no post starts publishing until it is released.

    Posts already submitting (or pending, or unknown) cannot be called back; they are
    listed. The publishing job re-reads the hold after it marks a post ``submitting`` and
    backs off if it sees it, so every post is either stopped or in that list.
    """
    changed = await _set_hold(True, reason, actor=actor, deps=deps)
    in_flight = await deps.repo.in_states(sorted(IN_FLIGHT))
    return HoldResult(held=True, changed=changed, in_flight=in_flight)


async def release_calendar(reason: str, *, actor: Principal, deps: PublisherDeps) -> HoldResult:
    """Release the hold: due posts go out now if within grace, else they are missed."""
    changed = await _set_hold(False, reason, actor=actor, deps=deps)
    return HoldResult(held=False, changed=changed, in_flight=[])
