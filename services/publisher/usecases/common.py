"""Steps several use cases share: a post's transition with its consequences, seats, jobs."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import structlog

from services.publisher.deps import PUBLISH_JOB, RECONCILE_JOB, PublisherDeps
from services.publisher.domain import Post, Transition, job_kind, reconcile_job_key
from services.publisher.domain.slots import assign_slot, free_seats
from services.publisher.errors import PostNotFound, SeatTaken, SlotFull
from services.publisher.ports import PublisherTx
from shared.calendar import Slot, SlotError
from shared.errors import TransientError
from shared.jobs import Claim, FencedOut
from shared.settings import Principal

__all__ = [
    "apply",
    "complete_job",
    "load",
    "next_free_slot",
    "person",
    "run_with_seat_retry",
    "schedule_publish",
    "schedule_reconcile",
    "take_seat",
]

T = TypeVar("T")
_log = structlog.get_logger("publisher")
_SEAT_ATTEMPTS = 6


def person(actor: Principal | None) -> Principal:
    """The person giving a command (the routes always pass one)."""
    if actor is None:
        raise ValueError("a person's command needs the person")
    return actor


async def load(tx: PublisherTx, post_id: str) -> Post:
    post = await tx.posts.get(post_id)
    if post is None:
        raise PostNotFound(post_id)
    return post


async def apply(tx: PublisherTx, transition: Transition) -> bool:
    """Apply ``transition``; emit its event only when it applied."""
    done = await tx.posts.apply(transition)
    if done and transition.event is not None:
        tx.emit(transition.event)
    return done


async def schedule_publish(tx: PublisherTx, post: Post, *, due_at: datetime) -> None:
    """The publishing job of ``post``'s current schedule revision (its ``job_key``)."""
    assert post.job_key is not None
    await tx.jobs.schedule(
        post.job_key,
        kind=job_kind(PUBLISH_JOB, post.account),
        due_at=due_at,
        payload={"post_id": post.post_id, "rev": post.rev},
    )


async def schedule_reconcile(
    deps: PublisherDeps, tx: PublisherTx, post: Post, round_: int, *, delay_real: float
) -> None:
    """Schedule reconcile round ``round_`` of ``post`` (in its account's reconcile loop)."""
    await tx.jobs.schedule(
        reconcile_job_key(post.post_id, round_, post.account),
        kind=job_kind(RECONCILE_JOB, post.account),
        due_at=deps.after_real(delay_real),
        payload={"post_id": post.post_id, "round": round_},
    )


async def complete_job(
    deps: PublisherDeps, claim: Claim, outcome: str, tx: PublisherTx | None
) -> None:
    """Finish the job (in ``tx`` when given) unless a newer fence holds it."""
    try:
        if tx is None:
            await deps.jobs.complete(claim, outcome=outcome)
        else:
            await tx.jobs.complete(claim, outcome=outcome)
    except FencedOut:  # a newer holder owns the job; the post's fence decided the outcome
        _log.info("job_already_taken_over", key=claim.key)


async def run_with_seat_retry(
    deps: PublisherDeps,
    work: Callable[[PublisherTx], Awaitable[T]],
    *,
    consumed: tuple[str, str] | None,
) -> T:
    """Run ``work`` in a unit of work, again when a seat was taken under it.

    A seat is an insert of ``<slot_key>#<seat>`` in the same transaction as the post.
    Two replicas taking the same seat conflict: one transaction aborts (write conflict,
    retried by the unit of work, or a duplicate key, :class:`SeatTaken`, retried here)
    and is run again against the new occupancy.
    """
    for _ in range(_SEAT_ATTEMPTS):
        try:
            return await deps.uow.run(work, consumed=consumed)
        except SeatTaken as exc:  # another replica took the seat or stored the revision
            _log.info("seat_conflict_retry", error=str(exc)[:200])
    raise TransientError("slot seats kept changing under us; retrying later")


async def take_seat(
    deps: PublisherDeps, tx: PublisherTx, account: str, slot: Slot, post_id: str
) -> int:
    """Take a free seat of ``account``'s ``slot`` for ``post_id``; ``SlotFull`` when none
    is left (each account has its own capacity, even at the same instant as another)."""
    capacity = deps.policy_for(account).posts_per_slot
    free = free_seats(await tx.seats.taken(account, slot.key), capacity)
    if not free:
        raise SlotFull(f"slot {slot.key} of account {account!r} is full ({capacity} posts)")
    # A random free seat: concurrent approvals for one slot rarely pick the same one, so
    # they rarely conflict and retry (the lowest free seat made every one of them collide).
    seat = random.choice(free)
    await tx.seats.take(account, slot.key, seat, at=slot.at, post_id=post_id)
    return seat


async def next_free_slot(
    deps: PublisherDeps, tx: PublisherTx, account: str, now: datetime, *, wished: datetime | None
) -> Slot:
    """``account``'s wished slot if free and ahead, else its next free one (``SlotFull``:
    none)."""
    occupied = await tx.seats.occupancy(account, now)
    try:
        return assign_slot(
            deps.policy_for(account),
            wished,
            now,
            occupied,
            min_lead=deps.settings.min_lead,
            strict=False,
        )
    except SlotError as exc:
        raise SlotFull(str(exc)) from exc
