"""Use cases of the consumed events: keep the read model up to date.

``post.*`` and ``feedback.digest.ready`` are few: each runs in one transaction with its
idempotency record (``uow.run(..., consumed=...)``), reading the current document so that
the order rules of :mod:`~services.reporting.domain` hold.

``feedback.received`` can be many (every comment and counter snapshot), so it takes the
cheap path: **one write per event and no transaction** (plus one read of the post's
account by ``_id``, and one indexed read for a reply that names no post). Its effect is
idempotent by itself — an insert under the item's natural key, or a conditional upsert of the latest
snapshot — so an inbox record would add a second write and protect nothing: a
redelivered event, or the same item sent by two systems, hits the unique ``_id``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from services.reporting.deps import ReportingDeps
from services.reporting.domain.accounts import ACCOUNT_MISMATCH, AccountMismatch
from services.reporting.domain.digests import digest_doc
from services.reporting.domain.feedback import feedback_doc, metric_doc
from services.reporting.domain.posts import failed_post_doc, published_post_doc
from services.reporting.ports import ReportingTx
from shared.errors import AlreadyProcessed, PoisonMessage
from shared.events import (
    FeedbackDigestReady,
    FeedbackKind,
    FeedbackReceived,
    PostFailed,
    PostPublished,
)
from shared.settings import Principal

__all__ = [
    "CONSUMER",
    "record_digest",
    "record_feedback",
    "record_post_failed",
    "record_post_published",
]

CONSUMER = "reporting"


@contextmanager
def _poison_on_mismatch() -> Iterator[None]:
    """An event naming another account than its resource's is poison: no retry fixes it."""
    try:
        yield
    except AccountMismatch as exc:
        raise PoisonMessage(ACCOUNT_MISMATCH, exc.detail) from exc


async def record_post_published(
    event: PostPublished, *, deps: ReportingDeps, actor: Principal | None = None
) -> None:
    """Store (or turn into published) the post of ``post.published``."""

    async def work(tx: ReportingTx) -> None:
        existing = await tx.posts.get(event.payload.post_id)
        await tx.posts.save(published_post_doc(event, existing))

    with _poison_on_mismatch():
        await deps.uow.run(work, consumed=(CONSUMER, str(event.event_id)))


async def record_post_failed(
    event: PostFailed, *, deps: ReportingDeps, actor: Principal | None = None
) -> None:
    """Store the failure of ``post.failed`` unless the post went out after all."""

    async def work(tx: ReportingTx) -> None:
        existing = await tx.posts.get(event.payload.post_id)
        doc = failed_post_doc(event, existing)
        if doc is not None:
            await tx.posts.save(doc)

    with _poison_on_mismatch():
        await deps.uow.run(work, consumed=(CONSUMER, str(event.event_id)))


async def record_digest(
    event: FeedbackDigestReady, *, deps: ReportingDeps, actor: Principal | None = None
) -> None:
    """Keep the post's latest core-issues document (themes, questions, sentiment)."""

    async def work(tx: ReportingTx) -> None:
        existing = await tx.digests.get(event.payload.post_id)
        post = await tx.posts.get(event.payload.post_id)
        doc = digest_doc(event, existing, post)
        if doc is not None:
            await tx.digests.save(doc)

    with _poison_on_mismatch():
        await deps.uow.run(work, consumed=(CONSUMER, str(event.event_id)))


FeedbackOutcome = Literal["stored", "stale_metric", "metric_without_post"]


async def record_feedback(
    event: FeedbackReceived, *, deps: ReportingDeps, actor: Principal | None = None
) -> FeedbackOutcome:
    """Store one feedback item or metric snapshot with a single write.

    Raises :class:`AlreadyProcessed` for an item already stored, so the consume
    middleware acks it and counts it as a duplicate; ``PoisonMessage``
    (``account_mismatch``) for a version-2 event of another account than its post's.
    """
    with _poison_on_mismatch():
        return await _record_feedback(event, deps=deps)


async def _record_feedback(event: FeedbackReceived, *, deps: ReportingDeps) -> FeedbackOutcome:
    post_id = event.payload.post_id
    post_account = await deps.posts.account_of(post_id) if post_id else None
    if event.payload.kind is FeedbackKind.METRIC:
        doc = metric_doc(event, post_account)
        if doc is None:
            deps.metrics.feedback_skipped.labels("metric_without_post").inc()
            return "metric_without_post"
        if not await deps.feedback.save_metric(doc):
            deps.metrics.feedback_skipped.labels("stale_metric").inc()
            return "stale_metric"
        return "stored"
    doc = feedback_doc(event, post_account)
    if doc["post_id"] is None and doc.get("in_reply_to"):
        # A reply often names only what it answers: take that item's post now (one
        # indexed read), so reports need not search for it later.
        doc["post_id"] = await deps.feedback.post_of(doc["in_reply_to"])
    if not await deps.feedback.insert(doc):
        raise AlreadyProcessed(str(event.event_id))
    return "stored"
