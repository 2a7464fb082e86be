"""Use cases: open a window, ingest from each door, answer an enquiry, sweep the reply rule.

Closing a window (and issuing the document) is in :mod:`.closing`, polling comments in
:mod:`.poller`, collecting WeChat's statistics in :mod:`.stats`, delivering the document
in :mod:`.delivery`, sending replies through WeChat in :mod:`.replies`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import structlog
from pydantic import ValidationError

from services.feedback.closing import mark_stragglers_late
from services.feedback.deps import (
    COMMENT_POLL,
    STATS_POLL,
    WINDOW_CLOSE,
    FeedbackDeps,
    comment_poll_key,
    stats_poll_key,
    window_close_key,
)
from services.feedback.domain.item import FeedbackItem, Incoming, Outcome, Via
from services.feedback.domain.keys import item_event_id, item_key
from services.feedback.domain.window import Window
from services.feedback.errors import EnquiryNotFound
from services.feedback.ingest import (
    apply_reply,
    prepare,
    run_with_duplicate_retry,
    store_in_tx,
    store_unordered,
)
from services.feedback.ports import FeedbackTx
from services.feedback.replies import schedule_reply_send
from services.feedback.stats_rules import stats_target
from shared.events import FeedbackKind, FeedbackReceivedPayload, PostPublished
from shared.events.feedback import MAX_FEEDBACK_TEXT
from shared.jobs import every
from shared.settings import Principal

__all__ = [
    "API_REPLY_SOURCE",
    "BatchReport",
    "ItemReport",
    "ingest_batch",
    "ingest_channel_items",
    "open_window",
    "reply_to_enquiry",
    "run_enquiry_sweeps",
    "sweep_enquiries",
    "write_event_batch",
]

API_REPLY_SOURCE = "feedback_api"
_log = structlog.get_logger("feedback")


# -- windows ---------------------------------------------------------------------------------
async def open_window(event: PostPublished, deps: FeedbackDeps) -> bool:
    """Open the post's feedback window and schedule its close (and, for a post WeChat
    published, the comment polls and the daily statistics polls) once."""

    async def work(tx: FeedbackTx) -> bool:
        now = deps.clock.now()
        settings = deps.settings
        window = Window.open_for(event, length=settings.window, now=now)
        post_id = window.post_id
        if not await tx.windows.create(window):
            return False  # the same post published twice: one window
        await tx.jobs.schedule(
            window_close_key(post_id),
            kind=WINDOW_CLOSE,
            due_at=window.ends_at,
            payload={"post_id": post_id},
        )
        if window.poll is not None and settings.poller_enabled:
            await tx.jobs.schedule(
                comment_poll_key(post_id),
                kind=COMMENT_POLL,
                due_at=now,
                payload={
                    "post_id": post_id,
                    "msg_data_id": window.poll.msg_data_id,
                    "index": window.poll.index,
                },
            )
        target = stats_target(window, days=settings.stats_poll_days)
        if target is not None and settings.stats_polling:
            await tx.jobs.schedule(
                stats_poll_key(post_id),
                kind=STATS_POLL,
                due_at=target.first_poll(settings.stats_poll_time),
                payload=target.as_payload(),
            )
        return True

    opened = await deps.uow.run(work, consumed=(deps.settings.service_name, str(event.event_id)))
    if opened:
        deps.metrics.windows_open.set(await deps.windows.count_open())
        _log.info("window_opened", post_id=event.payload.post_id)
    return opened


def _count(deps: FeedbackDeps, via: str, outcomes: Sequence[Outcome]) -> None:
    for outcome in Outcome:
        if n := sum(o is outcome for o in outcomes):
            deps.metrics.items.labels(via, outcome.value).inc(n)


# -- the AMQP door ---------------------------------------------------------------------------
async def write_event_batch(batch: list[Incoming], deps: FeedbackDeps) -> list[Outcome]:
    """Write a batch of ``feedback.received`` items (the batch writer's ``write``)."""
    outcomes = await store_unordered(await prepare(batch, deps), deps)
    _count(deps, "amqp", outcomes)
    return outcomes


# -- the HTTP batch door -----------------------------------------------------------------------
@dataclass(frozen=True)
class ItemReport:
    """The outcome of one item of a batch, with field errors when invalid."""

    index: int
    status: Outcome
    key: str | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class BatchReport:
    """Per-item outcomes of a batch, in the order sent."""

    items: list[ItemReport]

    def count(self, status: Outcome) -> int:
        return sum(r.status is status for r in self.items)


def _field_errors(index: int, exc: ValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        message = err["msg"]
        if err["type"] == "string_too_long" and path == "text":
            message = f"text is longer than {MAX_FEEDBACK_TEXT} characters; split or shorten it"
        field_name = f"items.{index}.{path}" if path else f"items.{index}"
        errors.append({"field": field_name, "message": message, "type": err["type"]})
    return errors


async def ingest_batch(
    raw_items: Sequence[dict[str, Any]], principal: Principal, deps: FeedbackDeps
) -> BatchReport:
    """Validate each item against the public contract and store the valid ones (audited)."""
    reports: dict[int, ItemReport] = {}
    valid: list[tuple[int, Incoming]] = []
    for index, raw in enumerate(raw_items):
        try:
            payload = FeedbackReceivedPayload.model_validate(raw)
        except ValidationError as exc:
            reports[index] = ItemReport(index, Outcome.INVALID, errors=_field_errors(index, exc))
            continue
        valid.append((index, _own_door_item(payload, "http")))
    prepared = await prepare([item for _, item in valid], deps)

    async def work(tx: FeedbackTx) -> list[Outcome]:
        now = deps.clock.now()
        outcomes = await store_in_tx(prepared, tx, now=now, emit=True)
        await tx.audit.record(
            principal,
            "feedback.batch_ingested",
            "feedback_items",
            at=now,
            offered=len(raw_items),
            stored=sum(o is Outcome.STORED for o in outcomes),
            duplicates=sum(o is Outcome.DUPLICATE for o in outcomes),
            invalid=len(reports),
        )
        return outcomes

    outcomes = await run_with_duplicate_retry(deps, work) if prepared or reports else []
    for (index, item), outcome in zip(valid, outcomes, strict=True):
        reports[index] = ItemReport(index, outcome, key=item.key)
    result = BatchReport([reports[i] for i in sorted(reports)])
    _count(deps, "http", [r.status for r in result.items])
    return result


# -- push and poller doors -------------------------------------------------------------------
def _own_door_item(payload: FeedbackReceivedPayload, via: Via) -> Incoming:
    return Incoming(payload, str(item_event_id(payload.source, payload.source_id)), via)


async def ingest_channel_items(
    payloads: Sequence[FeedbackReceivedPayload], via: Via, deps: FeedbackDeps
) -> list[Outcome]:
    """Store items read from WeChat (push or poll) and announce the new ones."""
    if not payloads:
        return []
    prepared = await prepare([_own_door_item(p, via) for p in payloads], deps)

    async def work(tx: FeedbackTx) -> list[Outcome]:
        return await store_in_tx(prepared, tx, now=deps.clock.now(), emit=True)

    outcomes = await run_with_duplicate_retry(deps, work)
    _count(deps, via, outcomes)
    return outcomes


# -- the reply rule ----------------------------------------------------------------------------
async def reply_to_enquiry(
    enquiry_id: str, text: str, principal: Principal, deps: FeedbackDeps
) -> FeedbackItem:
    """Record our reply to an enquiry, answer it, announce the reply and audit it, and
    schedule its sending through WeChat when it answers a WeChat enquiry (one transaction).
    Returns the enquiry as the reply left it."""
    now = deps.clock.now()
    source_id = uuid.uuid4().hex

    async def work(tx: FeedbackTx) -> FeedbackItem:
        enquiry = await tx.items.get_enquiry(enquiry_id)
        if enquiry is None:
            raise EnquiryNotFound(enquiry_id)
        payload = FeedbackReceivedPayload(
            source=API_REPLY_SOURCE,
            source_id=source_id,
            kind=FeedbackKind.REPLY,
            post_id=enquiry.post_id,
            author=principal.subject[:128],
            text=text,
            received_at=now,
            in_reply_to=enquiry_id,
        )
        prepared = await prepare([_own_door_item(payload, "api")], deps)
        await store_in_tx(prepared, tx, now=now, emit=True)
        await tx.audit.record(
            principal,
            "enquiry.replied",
            enquiry_id,
            at=now,
            reply=f"{API_REPLY_SOURCE}:{source_id}",
            chars=len(text),
        )
        updated = await tx.items.get_enquiry(enquiry_id)
        assert updated is not None
        if await schedule_reply_send(
            updated,
            reply_key=item_key(API_REPLY_SOURCE, source_id),
            text=text,
            tx=tx,
            deps=deps,
        ):
            updated = await tx.items.get_enquiry(enquiry_id)
            assert updated is not None
        return updated

    enquiry = await deps.uow.run(work)
    deps.metrics.items.labels("api", Outcome.STORED.value).inc()
    return enquiry


async def sweep_enquiries(deps: FeedbackDeps, *, page: int = 500) -> int:
    """Link replies that arrived before their enquiry, flag breaches, refresh the gauges.

    Safe on every replica at once: each step is a conditional update. Returns how many
    enquiries this call flagged as breached.
    """
    after: Any = None
    while True:
        keys, after = await deps.items.open_enquiry_keys(after=after, limit=page)
        if not keys:
            break
        for reply in await deps.items.replies_to(keys):
            await apply_reply(reply, deps.items)
    now = deps.clock.now()
    flagged = await deps.items.mark_breaches(now)
    if flagged:
        deps.metrics.breaches.inc(flagged)
        _log.warning("reply_deadline_breached", enquiries=flagged)
    deps.metrics.enquiries_open.set(await deps.items.count_open_enquiries())
    deps.metrics.enquiries_overdue.set(await deps.items.count_open_enquiries(due_by=now))
    deps.metrics.windows_open.set(await deps.windows.count_open())
    return flagged


async def run_enquiry_sweeps(deps: FeedbackDeps) -> None:
    """The background loop, every ``FEEDBACK_ENQUIRY_SWEEP_SECONDS``: the enquiry log, and
    stragglers of recently closed windows (a failed sweep is logged and tried again)."""

    async def step() -> None:
        await sweep_enquiries(deps)
        await mark_stragglers_late(deps)

    await every(deps.settings.enquiry_sweep_seconds, step)
