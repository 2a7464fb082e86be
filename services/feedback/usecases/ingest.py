"""Storing feedback from each door: the AMQP batch, the HTTP batch, WeChat's push and polls.

How an item is prepared and written is in :mod:`.storing`; this module is the doors: each
counts what it stored (``feedback_items_total{via, outcome}``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from services.feedback.deps import FeedbackDeps
from services.feedback.domain.item import Incoming, Outcome, Via
from services.feedback.domain.keys import item_event_id
from services.feedback.ports import FeedbackTx
from services.feedback.usecases.storing import (
    Refused,
    prepare,
    run_with_duplicate_retry,
    store_in_tx,
    store_unordered,
)
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import FeedbackReceivedPayload
from shared.events.feedback import MAX_FEEDBACK_TEXT
from shared.settings import Principal

__all__ = [
    "BatchReport",
    "ChannelItems",
    "ItemReport",
    "ingest_batch",
    "ingest_channel_items",
    "own_door_item",
    "store_event_batch",
]


def _count(deps: FeedbackDeps, via: str, outcomes: Sequence[Outcome]) -> None:
    for outcome in Outcome:
        if n := sum(o is outcome for o in outcomes):
            deps.metrics.items.labels(via, outcome.value).inc(n)


# -- the AMQP door ---------------------------------------------------------------------------
async def store_event_batch(batch: list[Incoming], *, deps: FeedbackDeps) -> list[Outcome]:
    """Store a batch of ``feedback.received`` items (the batch writer's ``write``)."""
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


def _refusal(index: int, refused: Refused) -> list[dict[str, Any]]:
    return [{"field": f"items.{index}.post_id", "message": str(refused.error), "type": "account"}]


async def ingest_batch(
    raw_items: Sequence[dict[str, Any]],
    *,
    deps: FeedbackDeps,
    actor: Principal,
    account: str = DEFAULT_ACCOUNT,
) -> BatchReport:
    """Validate each item against the public contract and store the valid ones (audited).

    The items are ``account``'s: one naming a post of another account is invalid."""
    reports: dict[int, ItemReport] = {}
    valid: list[tuple[int, Incoming]] = []
    for index, raw in enumerate(raw_items):
        try:
            payload = FeedbackReceivedPayload.model_validate(raw)
        except ValidationError as exc:
            reports[index] = ItemReport(index, Outcome.INVALID, errors=_field_errors(index, exc))
            continue
        valid.append((index, own_door_item(payload, "http", account)))
    prepared = await prepare([item for _, item in valid], deps)
    refused = {
        index: p for (index, _), p in zip(valid, prepared, strict=True) if isinstance(p, Refused)
    }

    async def work(tx: FeedbackTx) -> list[Outcome]:
        now = deps.clock.now()
        outcomes = await store_in_tx(prepared, tx, now=now, emit=True)
        await tx.audit.record(
            actor,
            "feedback.batch_ingested",
            "feedback_items",
            at=now,
            details={
                "account": account,
                "offered": len(raw_items),
                "stored": sum(o is Outcome.STORED for o in outcomes),
                "duplicates": sum(o is Outcome.DUPLICATE for o in outcomes),
                "invalid": len(reports) + len(refused),
            },
        )
        return outcomes

    outcomes = await run_with_duplicate_retry(deps, work) if prepared or reports else []
    for (index, item), outcome in zip(valid, outcomes, strict=True):
        errors = _refusal(index, refused[index]) if index in refused else []
        reports[index] = ItemReport(index, outcome, key=item.key, errors=errors)
    result = BatchReport([reports[i] for i in sorted(reports)])
    _count(deps, "http", [r.status for r in result.items])
    return result


# -- push and poller doors -------------------------------------------------------------------
def own_door_item(
    payload: FeedbackReceivedPayload, via: Via, account: str = DEFAULT_ACCOUNT
) -> Incoming:
    """An item that entered through our own doors for ``account``, with its stable event id."""
    return Incoming(payload, str(item_event_id(payload.source, payload.source_id)), via, account)


@dataclass(frozen=True)
class ChannelItems:
    """Items read from an account's WeChat, and how: pushed to us or polled by us."""

    payloads: Sequence[FeedbackReceivedPayload]
    via: Via
    account: str = DEFAULT_ACCOUNT


async def ingest_channel_items(items: ChannelItems, *, deps: FeedbackDeps) -> list[Outcome]:
    """Store items read from WeChat (push or poll) and announce the new ones."""
    if not items.payloads:
        return []
    via = items.via
    prepared = await prepare([own_door_item(p, via, items.account) for p in items.payloads], deps)

    async def work(tx: FeedbackTx) -> list[Outcome]:
        return await store_in_tx(prepared, tx, now=deps.clock.now(), emit=True)

    outcomes = await run_with_duplicate_retry(deps, work)
    _count(deps, via, outcomes)
    return outcomes
