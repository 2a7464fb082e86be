"""Use cases of the people running the calendar: reschedule, cancel, pause, resume a
post; hold and release an account's whole calendar.

A post moves within its own account's calendar (its slots, its seats); a hold stops one
account's posts, not another's (#12). Routes check the person's role on the post's (or
the held) account before calling these.

Each runs in one transaction with its audit line. A command and the publishing job race
on the post document: both are conditional on its state and schedule revision (``rev``),
so exactly one wins; a command that loses is refused (``TransitionRefused`` -> 409).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.publisher.deps import PublisherDeps
from services.publisher.domain import IN_FLIGHT, Command, Post, PostState, Transition
from services.publisher.domain.states import refused
from services.publisher.errors import SlotRefused
from services.publisher.ports import PublisherTx
from services.publisher.usecases.common import (
    apply,
    load,
    next_free_slot,
    person,
    run_with_seat_retry,
    schedule_publish,
    take_seat,
)
from shared.accounts import DEFAULT_ACCOUNT
from shared.calendar import KEY_PREFIX, Slot, SlotError, parse_slot_key
from shared.events import FailureCode
from shared.settings import Principal

__all__ = [
    "CancelPost",
    "HoldChange",
    "HoldResult",
    "ReschedulePost",
    "cancel_post",
    "hold_calendar",
    "pause_post",
    "release_calendar",
    "reschedule_post",
    "resume_post",
]


@dataclass(frozen=True)
class ReschedulePost:
    """Move ``post_id`` to the slot at ``slot``."""

    post_id: str
    slot: datetime


@dataclass(frozen=True)
class CancelPost:
    post_id: str
    reason: str


@dataclass(frozen=True)
class HoldChange:
    """Hold or release ``account``'s calendar, and why."""

    reason: str
    account: str = DEFAULT_ACCOUNT


@dataclass(frozen=True)
class HoldResult:
    """The calendar's hold state after a command, and what was already beyond reach."""

    held: bool
    changed: bool
    in_flight: list[Post]


def _requested_slot(deps: PublisherDeps, account: str, when: datetime, now: datetime) -> Slot:
    policy = deps.policy_for(account)
    local = when.astimezone(policy.tz)
    try:
        slot = parse_slot_key(policy, KEY_PREFIX + local.isoformat())
    except SlotError as exc:
        raise SlotRefused(str(exc)) from exc
    if slot.at <= now or slot.at - now < deps.settings.min_lead:
        raise SlotRefused(f"slot {slot.key} is not ahead of now ({now.isoformat()})")
    return slot


async def _moved(
    deps: PublisherDeps, tx: PublisherTx, post: Post, slot: Slot, command: Command, who: str
) -> Post:
    """``post`` to ``slot`` (a seat there first), its old seat and job given up."""
    now = deps.clock.now()
    seat = post.seat
    if slot.key != post.slot_key:
        seat = await take_seat(deps, tx, post.account, slot, post.post_id)
        await tx.seats.free(post.account, post.slot_key, post.seat)
    transition: Transition
    if command is Command.RESUME:
        transition = post.resume(slot, seat, actor=who, now=now)
    else:
        transition = post.reschedule(slot, seat, actor=who, now=now)
    if not await apply(tx, transition):  # publishing (or another command) got there first
        raise refused(post.post_id, PostState.SUBMITTING, Command.RESCHEDULE)
    if post.job_key:
        await tx.jobs.cancel(post.job_key)
    moved = transition.applied_to(post)
    if moved.job_key:
        await schedule_publish(tx, moved, due_at=slot.at)
    return moved


async def reschedule_post(
    command: ReschedulePost, *, deps: PublisherDeps, actor: Principal | None = None
) -> Post:
    """Move a post that has not started publishing to another slot."""
    who = person(actor)

    async def work(tx: PublisherTx) -> Post:
        now = deps.clock.now()
        post = await load(tx, command.post_id)
        slot = _requested_slot(deps, post.account, command.slot, now)
        post.check(Command.RESCHEDULE)
        moved = await _moved(deps, tx, post, slot, Command.RESCHEDULE, who.subject)
        details = {"from": post.slot_key, "to": slot.key}
        await tx.audit.record(who, "post.reschedule", post.post_id, at=now, details=details)
        return moved

    return await run_with_seat_retry(deps, work, consumed=None)


async def cancel_post(
    command: CancelPost, *, deps: PublisherDeps, actor: Principal | None = None
) -> Post:
    """Cancel a post that has not started publishing; it will never go out."""
    who = person(actor)

    async def work(tx: PublisherTx) -> Post:
        now = deps.clock.now()
        post = await load(tx, command.post_id)
        transition = post.cancel(reason=command.reason, actor=who.subject, now=now)
        if not await apply(tx, transition):
            raise refused(post.post_id, PostState.SUBMITTING, Command.CANCEL)
        await tx.seats.free(post.account, post.slot_key, post.seat)
        if post.job_key:
            await tx.jobs.cancel(post.job_key)
        details = {"reason": command.reason}
        await tx.audit.record(who, "post.cancel", post.post_id, at=now, details=details)
        return transition.applied_to(post)

    post = await deps.uow.run(work)
    deps.metrics.failed.labels(FailureCode.CANCELLED.value).inc()
    return post


async def pause_post(post_id: str, *, deps: PublisherDeps, actor: Principal | None = None) -> Post:
    """Stop a scheduled post from going out until it is resumed; it keeps its seat."""
    who = person(actor)

    async def work(tx: PublisherTx) -> Post:
        now = deps.clock.now()
        post = await load(tx, post_id)
        transition = post.pause(actor=who.subject, now=now)
        if not await apply(tx, transition):
            raise refused(post_id, PostState.SUBMITTING, Command.PAUSE)
        if post.job_key:
            await tx.jobs.cancel(post.job_key)
        await tx.audit.record(who, "post.pause", post_id, at=now, details={})
        return transition.applied_to(post)

    return await deps.uow.run(work)


async def resume_post(post_id: str, *, deps: PublisherDeps, actor: Principal | None = None) -> Post:
    """Re-arm a paused post: its own slot if still ahead, else the next free slot."""
    who = person(actor)

    async def work(tx: PublisherTx) -> Post:
        now = deps.clock.now()
        post = await load(tx, post_id)
        post.check(Command.RESUME)
        if post.slot_at > now and post.slot_at - now >= deps.settings.min_lead:
            local = post.slot_at.astimezone(deps.policy_for(post.account).tz)
            slot = Slot(key=post.slot_key, at=post.slot_at, local=local)
        else:
            slot = await next_free_slot(deps, tx, post.account, now, wished=None)
        moved = await _moved(deps, tx, post, slot, Command.RESUME, who.subject)
        details = {"slot_key": slot.key}
        await tx.audit.record(who, "post.resume", post_id, at=now, details=details)
        return moved

    return await run_with_seat_retry(deps, work, consumed=None)


async def _set_hold(
    held: bool, command: HoldChange, *, who: Principal, deps: PublisherDeps
) -> bool:
    """Store the account's hold flag and its audit entry in one transaction."""
    account, reason = command.account, command.reason
    deps.policy_for(account)  # an unknown account: UnknownAccount

    async def work(tx: PublisherTx) -> bool:
        now = deps.clock.now()
        changed = await tx.calendar.set_hold(
            account, held=held, actor=who.subject, reason=reason, at=now
        )
        action = "calendar.hold" if held else "calendar.release"
        details = {"reason": reason, "changed": changed, "account": account}
        target = "calendar" if account == DEFAULT_ACCOUNT else f"calendar:{account}"
        await tx.audit.record(who, action, target, at=now, details=details)
        return changed

    return await deps.uow.run(work)


async def hold_calendar(
    command: HoldChange, *, deps: PublisherDeps, actor: Principal | None = None
) -> HoldResult:
    """Hold an account's calendar: none of its posts starts publishing until released.

    Posts already submitting (or pending, or unknown) cannot be called back; they are
    listed. The publishing job re-reads the hold after it marks a post ``submitting`` and
    backs off if it sees it, so every post is either stopped or in that list.
    """
    changed = await _set_hold(True, command, who=person(actor), deps=deps)
    in_flight = await deps.posts.in_states([command.account], sorted(IN_FLIGHT))
    return HoldResult(held=True, changed=changed, in_flight=in_flight)


async def release_calendar(
    command: HoldChange, *, deps: PublisherDeps, actor: Principal | None = None
) -> HoldResult:
    """Release the hold: due posts go out now if within grace, else they are missed."""
    changed = await _set_hold(False, command, who=person(actor), deps=deps)
    return HoldResult(held=False, changed=changed, in_flight=[])
