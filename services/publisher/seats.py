"""Seats in slots: how a post takes one, race-free across replicas.

A seat is an insert of ``<slot_key>#<seat>`` into ``slot_assignments`` in the same
transaction as the post. Two replicas taking the same seat conflict: one transaction
aborts (write conflict, retried by the driver, or a duplicate key, retried here) and is
run again against the new occupancy.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TypeVar

import structlog
from pymongo.errors import DuplicateKeyError

from services.publisher.deps import PublisherDeps
from services.publisher.domain import free_seats
from services.publisher.errors import SlotFull
from services.publisher.slots import assign_slot
from shared.calendar import Slot, SlotError
from shared.errors import TransientError
from shared.outbox import Tx

__all__ = ["next_free_slot", "run_with_seat_retry", "take_seat"]

T = TypeVar("T")
_log = structlog.get_logger("publisher")
_SEAT_ATTEMPTS = 6


async def run_with_seat_retry(
    deps: PublisherDeps, work: Callable[[Tx], Awaitable[T]], *, consumed: tuple[str, str] | None
) -> T:
    """Run ``work`` in a unit of work, again when a seat was taken under it."""
    for _ in range(_SEAT_ATTEMPTS):
        try:
            return await deps.uow.run(work, consumed=consumed)
        except DuplicateKeyError as exc:  # another replica took the seat or stored the revision
            _log.info("seat_conflict_retry", error=str(exc)[:200])
    raise TransientError("slot seats kept changing under us; retrying later")


async def take_seat(deps: PublisherDeps, tx: Tx, slot: Slot, post_id: str) -> int:
    """Take a free seat of ``slot`` for ``post_id``; ``SlotFull`` when none is left."""
    taken = await deps.repo.taken_seats(slot.key, session=tx.session)
    free = free_seats(taken, deps.policy.posts_per_slot)
    if not free:
        raise SlotFull(f"slot {slot.key} is full ({deps.policy.posts_per_slot} posts)")
    # A random free seat: concurrent approvals for one slot rarely pick the same one, so
    # they rarely conflict and retry (the lowest free seat made every one of them collide).
    seat = random.choice(free)
    await deps.repo.take_seat(slot.key, seat, at=slot.at, post_id=post_id, session=tx.session)
    return seat


async def next_free_slot(
    deps: PublisherDeps, tx: Tx, now: datetime, *, wished: datetime | None
) -> Slot:
    """The wished slot if free and ahead, else the next free one (``SlotFull``: none)."""
    occupied = await deps.repo.occupancy(now, session=tx.session)
    try:
        return assign_slot(
            deps.policy, wished, now, occupied, min_lead=deps.settings.min_lead, strict=False
        )
    except SlotError as exc:
        raise SlotFull(str(exc)) from exc
