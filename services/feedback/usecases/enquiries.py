"""The 12-hour reply rule: our replies to enquiries, and the sweep that keeps the log true."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from typing import Any

import structlog

from services.feedback.deps import FeedbackDeps
from services.feedback.domain.item import FeedbackItem, Outcome
from services.feedback.domain.keys import item_key
from services.feedback.errors import EnquiryNotFound
from services.feedback.ports import FeedbackTx
from services.feedback.usecases.close_window import mark_stragglers_late
from services.feedback.usecases.ingest import own_door_item
from services.feedback.usecases.send_reply import schedule_reply_send
from services.feedback.usecases.storing import apply_reply, prepare, store_in_tx
from shared.events import FeedbackKind, FeedbackReceivedPayload
from shared.http import authorize
from shared.jobs import every
from shared.settings import Principal, Role

__all__ = [
    "API_REPLY_SOURCE",
    "EnquiryReply",
    "reply_to_enquiry",
    "run_enquiry_sweeps",
    "sweep_enquiries",
]

API_REPLY_SOURCE = "feedback_api"
_log = structlog.get_logger("feedback")


@dataclass(frozen=True)
class EnquiryReply:
    """Our reply to the enquiry ``enquiry_id`` (``source:source_id``)."""

    enquiry_id: str
    text: str


async def reply_to_enquiry(
    reply: EnquiryReply, *, deps: FeedbackDeps, actor: Principal
) -> FeedbackItem:
    """Record our reply to an enquiry, answer it, announce the reply and audit it, and
    schedule its sending through WeChat when it answers a WeChat enquiry (one transaction).
    Returns the enquiry as the reply left it.

    The actor must be an editor or reviewer of the enquiry's account (403 otherwise, and
    nothing is written); the reply is that account's."""
    enquiry_id, text = reply.enquiry_id, reply.text
    now = deps.clock.now()
    source_id = uuid.uuid4().hex

    async def work(tx: FeedbackTx) -> FeedbackItem:
        enquiry = await tx.items.get_enquiry(enquiry_id)
        if enquiry is None:
            raise EnquiryNotFound(enquiry_id)
        authorize(actor, enquiry.account, Role.EDITOR, Role.REVIEWER)
        payload = FeedbackReceivedPayload(
            source=API_REPLY_SOURCE,
            source_id=source_id,
            kind=FeedbackKind.REPLY,
            post_id=enquiry.post_id,
            author=actor.subject[:128],
            text=text,
            received_at=now,
            in_reply_to=enquiry_id,
        )
        # The reply is filed like its enquiry; were the post's window another account's
        # (the enquiry stored before its window opened), the post's account wins.
        incoming = dataclasses.replace(
            own_door_item(payload, "api", enquiry.account), account_named=False
        )
        prepared = await prepare([incoming], deps)
        await store_in_tx(prepared, tx, now=now, emit=True)
        await tx.audit.record(
            actor,
            "enquiry.replied",
            enquiry_id,
            at=now,
            details={
                "reply": f"{API_REPLY_SOURCE}:{source_id}",
                "chars": len(text),
                "account": enquiry.account,
            },
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


async def sweep_enquiries(page: int = 500, *, deps: FeedbackDeps) -> int:
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
    open_by_account = await deps.items.open_enquiries_by_account()
    overdue_by_account = await deps.items.open_enquiries_by_account(due_by=now)
    for account in deps.settings.accounts.ids:
        metrics = deps.metrics
        metrics.account_enquiries_open.labels(account).set(open_by_account.get(account, 0))
        metrics.account_enquiries_overdue.labels(account).set(overdue_by_account.get(account, 0))
    deps.metrics.windows_open.set(await deps.windows.count_open())
    return flagged


async def run_enquiry_sweeps(*, deps: FeedbackDeps) -> None:
    """The background loop, every ``FEEDBACK_ENQUIRY_SWEEP_SECONDS``: the enquiry log, and
    stragglers of recently closed windows (a failed sweep is logged and tried again)."""

    async def step() -> None:
        await sweep_enquiries(deps=deps)
        await mark_stragglers_late(deps=deps)

    await every(deps.settings.enquiry_sweep_seconds, step)
