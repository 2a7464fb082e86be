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
  makes the transaction fail with a duplicate key; :func:`run_with_duplicate_retry` runs
  it again, and the second run sees the item as stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

import structlog
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from services.feedback.deps import FeedbackDeps
from services.feedback.domain import (
    annotate,
    choose_window,
    is_breached,
    is_late,
    item_key,
    needs_reply,
)
from services.feedback.records import (
    Incoming,
    item_document,
    received_event,
)
from shared.errors import TransientError
from shared.mongo import MongoDoc
from shared.outbox import Tx

__all__ = [
    "Outcome",
    "Prepared",
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


class Outcome(StrEnum):
    """What happened to one offered item."""

    STORED = "stored"
    DUPLICATE = "duplicate"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Prepared:
    """An item ready to write: the incoming item and its document."""

    incoming: Incoming
    doc: MongoDoc

    @property
    def key(self) -> str:
        return self.incoming.key


async def prepare(incoming: Sequence[Incoming], deps: FeedbackDeps) -> list[Prepared]:
    """Annotate, place in a window (or infer one) and open the enquiry of each item."""
    if not incoming:
        return []
    named = {i.payload.post_id for i in incoming if i.payload.post_id}
    unnamed = any(
        not i.payload.post_id and i.payload.kind.value in ("comment", "message") for i in incoming
    )
    windows, open_windows = await deps.windows.windows(named, with_open=unnamed)
    now = deps.clock.now()
    prepared: list[Prepared] = []
    for item in incoming:
        p = item.payload
        kind = p.kind.value
        inferred = False
        post_id = p.post_id
        window = windows.get(post_id) if post_id else None
        if post_id is None and kind in ("comment", "message"):
            window = choose_window(open_windows, p.received_at)
            post_id, inferred = (window.post_id, True) if window else (None, False)
        annotation = annotate(kind, p.text)
        reply_needed = needs_reply(kind, annotation)
        doc = item_document(
            item,
            annotation,
            post_id=post_id,
            inferred=inferred,
            late=is_late(window, p.received_at),
            needs_reply=reply_needed,
            reply_limit=deps.settings.reply_limit,
            now=now,
        )
        prepared.append(Prepared(item, doc))
    return prepared


async def apply_reply(
    reply: MongoDoc, deps: FeedbackDeps, *, session: AsyncClientSession | None = None
) -> bool:
    """Answer the enquiry a reply names, if it is in the log; True when this reply counts."""
    target = reply.get("in_reply_to")
    if not target:
        return False
    answered_at = reply["received_at"]
    for _ in range(_ANSWER_ATTEMPTS):
        enquiry = await deps.repo.get_enquiry(target, session=session)
        if enquiry is None:
            return False  # not (yet) an enquiry: linked when the enquiry is recorded
        previous = enquiry["enquiry"].get("answered_at")
        if previous is not None and previous <= answered_at:
            return False  # the earliest reply is the answer
        if previous is not None and enquiry["enquiry"].get("delivery"):
            # we are sending (or sent) this answer to WeChat: what WeChat shows back is
            # its echo, stamped to the whole second and so seemingly earlier
            return False
        if await deps.repo.answer_enquiry(
            enquiry["_id"],
            previous=previous,
            answered_at=answered_at,
            answered_by=reply.get("author") or "anonymous",
            text=reply.get("text") or "",
            reply_key=item_key(reply["source"], reply["source_id"]),
            breached=is_breached(enquiry["enquiry"]["deadline"], answered_at, answered_at),
            time_to_reply=max((answered_at - enquiry["received_at"]).total_seconds(), 0.0),
            session=session,
        ):
            return True
    raise TransientError(f"the answer of {target} kept changing; try again")


async def _settle(
    prepared: Sequence[Prepared],
    deps: FeedbackDeps,
    *,
    session: AsyncClientSession | None,
    link_earlier_replies: bool,
) -> None:
    """Apply the replies among stored items to their enquiries (idempotent).

    A reply may arrive before its enquiry (another door, another replica): with
    ``link_earlier_replies`` new enquiries look for such replies now; the hot path
    leaves that to the periodic sweep, which links them before flagging any breach.
    """
    if link_earlier_replies:
        asked = [p.key for p in prepared if "enquiry" in p.doc]
        for reply in await deps.repo.replies_to(asked, session=session):
            await apply_reply(reply, deps, session=session)
    for p in prepared:
        if p.doc["kind"] == "reply":
            await apply_reply(p.doc, deps, session=session)


async def store_unordered(prepared: Sequence[Prepared], deps: FeedbackDeps) -> list[Outcome]:
    """The hot path: one unordered batch insert, then the enquiries and replies."""
    stored = await deps.repo.insert_items_unordered([p.doc for p in prepared])
    # Duplicates settle too: a redelivery may be completing what a crash interrupted.
    await _settle(prepared, deps, session=None, link_earlier_replies=False)
    return [Outcome.STORED if ok else Outcome.DUPLICATE for ok in stored]


async def store_in_tx(
    prepared: Sequence[Prepared], tx: Tx, deps: FeedbackDeps, *, emit: bool
) -> list[Outcome]:
    """Store the new items inside ``tx``; with ``emit``, announce each on ``feedback.received``."""
    existing = await deps.repo.existing_keys(
        ((p.incoming.payload.source, p.incoming.payload.source_id) for p in prepared),
        session=tx.session,
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
    await deps.repo.insert_items([p.doc for p in fresh], session=tx.session)
    await _settle(fresh, deps, session=tx.session, link_earlier_replies=True)
    if emit:
        now = deps.clock.now()
        for p in fresh:
            tx.emit(
                received_event(
                    p.incoming.payload,
                    event_id=p.incoming.event_id,
                    correlation_id=p.doc["post_id"] or p.key,
                    now=now,
                )
            )
    return outcomes


async def run_with_duplicate_retry(deps: FeedbackDeps, work: Callable[[Tx], Awaitable[T]]) -> T:
    """Run a unit of work again when a concurrent writer stored one of its items first."""
    for attempt in range(_DUPLICATE_RETRIES):
        try:
            return await deps.uow.run(work)
        except DuplicateKeyError as exc:
            _log.info("ingest_raced_duplicate", attempt=attempt + 1, error=str(exc)[:200])
    raise TransientError("items kept being stored concurrently; try again")
