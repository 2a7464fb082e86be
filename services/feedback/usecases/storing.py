"""Storing items, whatever door they came through: one preparation, two ways to write.

* :func:`prepare` annotates each item, finds its window (marking it late) and, when it
  needs a reply, gives it its enquiry (deadline, state). One window lookup per batch.
* :func:`store_unordered` — the AMQP hot path: ``insert_many(ordered=False)``, duplicates
  reported, not failed. **No transaction**: an item and its enquiry are one document, so
  each insert is atomic on its own; the unique ``(source, source_id)`` and ``event_id``
  indexes make it idempotent; a reply is a compare-and-set that keeps the earliest
  answer, so a redelivered message (after a crash between the insert and the reply's
  update, say) just completes what is missing. A transaction would only add round trips,
  and any duplicate inside one would abort the whole batch.
* :func:`store_in_tx` — the other doors (HTTP batch, push, poller, API replies): inside a
  unit of work, so the items, their enquiries, the audit line and the
  ``feedback.received`` events (for reporting) commit together. A concurrent duplicate
  makes the transaction fail (:class:`~.errors.ItemsStoredConcurrently`);
  :func:`run_with_duplicate_retry` runs it again, and the second run sees the item as stored.

An item whose door named another account than its post's (:class:`~.domain.item.AccountMismatch`)
is :class:`Refused` by :func:`prepare`: never written, ``invalid`` in the outcomes.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import structlog

from services.feedback.deps import FeedbackDeps
from services.feedback.domain.item import AccountMismatch, FeedbackItem, Incoming, Outcome
from services.feedback.errors import ItemsStoredConcurrently
from services.feedback.ports import FeedbackTx, ItemRepository
from shared.errors import TransientError

__all__ = [
    "Prepared",
    "Refused",
    "apply_reply",
    "prepare",
    "run_with_duplicate_retry",
    "store_in_tx",
    "store_unordered",
]

T = TypeVar("T")
_log = structlog.get_logger("feedback.ingest")
_DUPLICATE_RETRIES = 3
_ANSWER_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class Prepared:
    """An item ready to write: the incoming item and the item it becomes."""

    incoming: Incoming
    item: FeedbackItem

    @property
    def key(self) -> str:
        return self.incoming.key


@dataclass(frozen=True, slots=True)
class Refused:
    """An item not to write: its door named another account than its post's."""

    incoming: Incoming
    error: AccountMismatch


Placement = Prepared | Refused


async def prepare(incoming: Sequence[Incoming], deps: FeedbackDeps) -> list[Placement]:
    """Annotate, place in a window (or infer one) and open the enquiry of each item (with
    its account's reply limit); refuse an item naming another account than its post's."""
    if not incoming:
        return []
    named = {i.payload.post_id for i in incoming if i.payload.post_id}
    unnamed = any(i.needs_window_guess for i in incoming)
    windows, open_windows = await deps.window_lookup.windows(named, with_open=unnamed)
    now = deps.clock.now()
    placed: list[Placement] = []
    for i in incoming:
        try:
            item = FeedbackItem.placed(
                i,
                windows=windows,
                open_windows=open_windows,
                reply_limit=deps.reply_limit,
                now=now,
            )
        except AccountMismatch as exc:
            placed.append(Refused(i, exc))
            continue
        placed.append(Prepared(i, item))
    return placed


def _accepted(placed: Sequence[Placement]) -> list[Prepared]:
    return [p for p in placed if isinstance(p, Prepared)]


def _aligned(placed: Sequence[Placement], outcomes: Sequence[Outcome]) -> list[Outcome]:
    """The accepted items' outcomes in the order offered, ``invalid`` for the refused."""
    written = iter(outcomes)
    return [next(written) if isinstance(p, Prepared) else Outcome.INVALID for p in placed]


async def apply_reply(reply: FeedbackItem, items: ItemRepository) -> bool:
    """Answer the enquiry a reply names, if it is in the log; True when this reply counts."""
    target = reply.in_reply_to
    if not target:
        return False
    for _ in range(_ANSWER_ATTEMPTS):
        enquiry = await items.get_enquiry(target)
        if enquiry is None or enquiry.enquiry is None:
            return False  # not (yet) an enquiry: linked when the enquiry is recorded
        answered = enquiry.answer(reply)
        if answered is None:
            return False  # an earlier reply is the answer (or this is our answer's echo)
        previous = enquiry.enquiry.answered_at
        if await items.answer_enquiry(enquiry, previous=previous, answered=answered):
            return True
    raise TransientError(f"the answer of {target} kept changing; try again")


async def _settle(
    prepared: Sequence[Prepared],
    items: ItemRepository,
    *,
    link_earlier_replies: bool,
    concurrent: bool = False,
) -> None:
    """Apply the replies among stored items to their enquiries (idempotent).

    A reply may arrive before its enquiry (another door, another replica): with
    ``link_earlier_replies`` new enquiries look for such replies now; the hot path
    leaves that to the periodic sweep, which links them before flagging any breach.
    """
    if link_earlier_replies:
        asked = [p.key for p in prepared if p.item.enquiry is not None]
        for reply in await items.replies_to(asked):
            await apply_reply(reply, items)
    replies = [p.item for p in prepared if p.item.is_reply]
    if not concurrent or len(replies) < 2:
        for reply in replies:
            await apply_reply(reply, items)
        return
    # Outside a transaction the enquiries are answered concurrently, each enquiry's
    # replies in turn (their compare-and-set keeps the earliest answer either way).
    by_target: dict[str | None, list[FeedbackItem]] = defaultdict(list)
    for reply in replies:
        by_target[reply.in_reply_to].append(reply)

    async def in_turn(answers: list[FeedbackItem]) -> None:
        for reply in answers:
            await apply_reply(reply, items)

    await asyncio.gather(*(in_turn(answers) for answers in by_target.values()))


async def store_unordered(placed: Sequence[Placement], deps: FeedbackDeps) -> list[Outcome]:
    """The hot path: one unordered batch insert, then the enquiries and replies."""
    prepared = _accepted(placed)
    stored = await deps.items.insert_unordered([p.item for p in prepared])
    # Duplicates settle too: a redelivery may be completing what a crash interrupted.
    await _settle(prepared, deps.items, link_earlier_replies=False, concurrent=True)
    return _aligned(placed, [Outcome.STORED if ok else Outcome.DUPLICATE for ok in stored])


async def store_in_tx(
    placed: Sequence[Placement], tx: FeedbackTx, *, now: datetime, emit: bool
) -> list[Outcome]:
    """Store the new items inside ``tx``; with ``emit``, announce each on ``feedback.received``
    (under the item's account). Refused items are ``invalid``."""
    prepared = _accepted(placed)
    existing = await tx.items.existing_keys(
        (p.incoming.payload.source, p.incoming.payload.source_id) for p in prepared
    )
    fresh: list[Prepared] = []
    outcomes: list[Outcome] = []
    for p in prepared:
        if p.key in existing:
            outcomes.append(Outcome.DUPLICATE)
            continue
        existing.add(p.key)  # the same item twice in one batch is stored once
        fresh.append(p)
        outcomes.append(Outcome.STORED)
    await tx.items.insert([p.item for p in fresh])
    await _settle(fresh, tx.items, link_earlier_replies=True)
    if emit:
        for p in fresh:
            tx.emit(
                p.incoming.announced(
                    correlation_id=p.item.post_id or p.key, now=now, account=p.item.account
                )
            )
    return _aligned(placed, outcomes)


async def run_with_duplicate_retry(
    deps: FeedbackDeps, work: Callable[[FeedbackTx], Awaitable[T]]
) -> T:
    """Run a unit of work again when a concurrent writer stored one of its items first."""
    for attempt in range(_DUPLICATE_RETRIES):
        try:
            return await deps.uow.run(work)
        except ItemsStoredConcurrently as exc:
            _log.info("ingest_raced_duplicate", attempt=attempt + 1, error=str(exc)[:200])
    raise TransientError("items kept being stored concurrently; try again")
