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
from services.feedback.domain import item_event_id, item_key
from services.feedback.errors import EnquiryNotFound
from services.feedback.ingest import (
    Outcome,
    apply_reply,
    prepare,
    run_with_duplicate_retry,
    store_in_tx,
    store_unordered,
)
from services.feedback.records import Incoming, Via, reply_payload, window_document
from services.feedback.replies import schedule_reply_send
from services.feedback.stats_rules import stats_target
from shared.events import FeedbackReceivedPayload, PostPublished
from shared.events.feedback import MAX_FEEDBACK_TEXT
from shared.http import record_audit
from shared.jobs import every
from shared.mongo import MongoDoc
from shared.outbox import Tx
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

    async def work(tx: Tx) -> bool:
        now = deps.clock.now()
        settings = deps.settings
        doc = window_document(event, length=settings.window, now=now)
        if not await deps.repo.create_window(doc, session=tx.session):
            return False  # the same post published twice: one window
        await deps.jobs.schedule(
            window_close_key(doc["_id"]),
            kind=WINDOW_CLOSE,
            due_at=doc["ends_at"],
            payload={"post_id": doc["_id"]},
            session=tx.session,
        )
        if doc["poll"] is not None and settings.poller_enabled:
            await deps.jobs.schedule(
                comment_poll_key(doc["_id"]),
                kind=COMMENT_POLL,
                due_at=now,
                payload={"post_id": doc["_id"], **doc["poll"]},
                session=tx.session,
            )
        target = stats_target(doc, days=settings.stats_poll_days)
        if target is not None and settings.stats_polling:
            await deps.jobs.schedule(
                stats_poll_key(doc["_id"]),
                kind=STATS_POLL,
                due_at=target.first_poll(settings.stats_poll_time),
                payload=target.as_payload(),
                session=tx.session,
            )
        return True

    opened = await deps.uow.run(work, consumed=(deps.settings.service_name, str(event.event_id)))
    if opened:
        deps.metrics.windows_open.set(await deps.repo.count_open_windows())
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

    async def work(tx: Tx) -> list[Outcome]:
        outcomes = await store_in_tx(prepared, tx, deps, emit=True)
        await record_audit(
            tx.db,
            actor=principal,
            action="feedback.batch_ingested",
            target="feedback_items",
            details={
                "offered": len(raw_items),
                "stored": sum(o is Outcome.STORED for o in outcomes),
                "duplicates": sum(o is Outcome.DUPLICATE for o in outcomes),
                "invalid": len(reports),
            },
            at=deps.clock.now(),
            session=tx.session,
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

    async def work(tx: Tx) -> list[Outcome]:
        return await store_in_tx(prepared, tx, deps, emit=True)

    outcomes = await run_with_duplicate_retry(deps, work)
    _count(deps, via, outcomes)
    return outcomes


# -- the reply rule ----------------------------------------------------------------------------
async def reply_to_enquiry(
    enquiry_id: str, text: str, principal: Principal, deps: FeedbackDeps
) -> MongoDoc:
    """Record our reply to an enquiry, answer it, announce the reply and audit it, and
    schedule its sending through WeChat when it answers a WeChat enquiry (one transaction)."""
    now = deps.clock.now()
    source_id = uuid.uuid4().hex

    async def work(tx: Tx) -> MongoDoc:
        enquiry = await deps.repo.get_enquiry(enquiry_id, session=tx.session)
        if enquiry is None:
            raise EnquiryNotFound(enquiry_id)
        payload = reply_payload(
            source=API_REPLY_SOURCE,
            source_id=source_id,
            in_reply_to=enquiry_id,
            post_id=enquiry.get("post_id"),
            author=principal.subject,
            text=text,
            at=now,
        )
        prepared = await prepare([_own_door_item(payload, "api")], deps)
        await store_in_tx(prepared, tx, deps, emit=True)
        await record_audit(
            tx.db,
            actor=principal,
            action="enquiry.replied",
            target=enquiry_id,
            details={"reply": f"{API_REPLY_SOURCE}:{source_id}", "chars": len(text)},
            at=now,
            session=tx.session,
        )
        updated = await deps.repo.get_enquiry(enquiry_id, session=tx.session)
        assert updated is not None
        if await schedule_reply_send(
            updated,
            reply_key=item_key(API_REPLY_SOURCE, source_id),
            text=text,
            tx=tx,
            deps=deps,
        ):
            updated = await deps.repo.get_enquiry(enquiry_id, session=tx.session)
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
        keys, after = await deps.repo.open_enquiry_keys(after=after, limit=page)
        if not keys:
            break
        for reply in await deps.repo.replies_to(keys):
            await apply_reply(reply, deps)
    now = deps.clock.now()
    flagged = await deps.repo.mark_breaches(now)
    if flagged:
        deps.metrics.breaches.inc(flagged)
        _log.warning("reply_deadline_breached", enquiries=flagged)
    deps.metrics.enquiries_open.set(await deps.repo.count_enquiries({"enquiry.state": "open"}))
    deps.metrics.enquiries_overdue.set(
        await deps.repo.count_enquiries(
            {"enquiry.state": "open", "enquiry.deadline": {"$lte": now}}
        )
    )
    deps.metrics.windows_open.set(await deps.repo.count_open_windows())
    return flagged


async def run_enquiry_sweeps(deps: FeedbackDeps) -> None:
    """The background loop, every ``FEEDBACK_ENQUIRY_SWEEP_SECONDS``: the enquiry log, and
    stragglers of recently closed windows (a failed sweep is logged and tried again)."""

    async def step() -> None:
        await sweep_enquiries(deps)
        await mark_stragglers_late(deps)

    await every(deps.settings.enquiry_sweep_seconds, step)
