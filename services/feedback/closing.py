"""Closing a window: build the core-issues document, store it, announce it, exactly once.

The close is a claimed timed job (``window-close:<post>``): one replica holds it, under a
lease it renews while the document is built (CPU work, in a thread so ingestion goes
on). Everything that makes the close visible commits in **one transaction**: the window
turns ``closed``, the document (Markdown, HTML, .docx) is stored, items stored after the
document's snapshot are flagged late, the delivery jobs are scheduled,
``feedback.digest.ready`` goes to the outbox, and the job is completed with its fencing
token. A replica that lost its lease fails that last step, so its whole transaction
rolls back: the window closes once even if replicas die or stall mid-way.

"Late" therefore means "not in the issued document": said outside the window, stored
after its close, or written while the snapshot was read (:func:`mark_stragglers_late`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from services.feedback.analysis import FeedbackItem
from services.feedback.deps import DIGEST_DELIVERY, WINDOW_CLOSE, FeedbackDeps, delivery_key
from services.feedback.digest import (
    CoreIssuesDigest,
    build_digest,
    render_docx,
    render_html,
    render_markdown,
)
from services.feedback.digest.model import CategoryHistoryRow, EnquiryInfo
from services.feedback.domain import WindowState, digest_id_for, item_key
from services.feedback.records import (
    enquiry_info,
    feedback_item,
    history_row,
    post_info,
)
from shared.events import (
    DigestQuestion,
    DigestTheme,
    FeedbackDigestReady,
    FeedbackDigestReadyPayload,
)
from shared.jobs import Claim, FencedOut, TimedJobs
from shared.mongo import MongoDoc
from shared.outbox import Tx

__all__ = [
    "DOCUMENT_FORMATS",
    "Rendered",
    "close_window",
    "document_paths",
    "mark_stragglers_late",
    "run_window_closer",
]

_log = structlog.get_logger("feedback.closing")
TAIL_SECONDS = 30.0
"""Real seconds before a close's snapshot within which an item may be in flight."""

DOCUMENT_FORMATS: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
"""Format -> content type of the stored document."""


@dataclass(frozen=True)
class Rendered:
    """The document and its three renderings."""

    digest: CoreIssuesDigest
    markdown: str
    html: str
    docx: bytes


def document_paths(post_id: str, base_url: str = "") -> dict[str, str]:
    """Where each format of a post's document is served."""
    prefix = base_url.rstrip("/")
    return {fmt: f"{prefix}/windows/{post_id}/document.{fmt}" for fmt in DOCUMENT_FORMATS}


@contextlib.asynccontextmanager
async def _lease_kept(jobs: TimedJobs, claim: Claim, every: float) -> AsyncIterator[None]:
    """Renew the job's lease in the background while the block runs."""

    async def renew() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await jobs.renew(claim)
            except FencedOut:
                _log.warning("window_close_lease_lost", key=claim.key)
                return
            except Exception as exc:  # the store may be briefly away; the lease may hold
                _log.warning("window_close_renew_failed", key=claim.key, error=repr(exc))

    task = asyncio.create_task(renew(), name=f"renew:{claim.key}")
    try:
        yield
    finally:
        task.cancel()  # not awaited: an await here could swallow our own cancellation


@dataclass(frozen=True)
class _Inputs:
    items: list[FeedbackItem]
    enquiries: list[EnquiryInfo]
    history: list[CategoryHistoryRow]
    tail: MongoDoc


async def _gather(window: MongoDoc, deps: FeedbackDeps) -> _Inputs:
    """The window's items, the replies to them, the enquiries the document must list."""
    post_id = window["post_id"]
    snapshot_at = deps.clock.now()
    docs = await deps.repo.items_of_post(post_id)
    # Items being written while we read may or may not be in this snapshot: remember
    # which recent ones are, so the others can be flagged late (left out of the document).
    tail_since = snapshot_at - deps.real_to_business(TAIL_SECONDS)
    tail = {
        "since": tail_since,
        "included": [d["_id"] for d in docs if d["ingested_at"] >= tail_since],
    }
    keys = {item_key(d["source"], d["source_id"]) for d in docs}
    items = [feedback_item(d) for d in docs]
    # Replies count wherever they were filed (an external system may not name the post).
    for reply in await deps.repo.replies_to(sorted(keys)):
        if item_key(reply["source"], reply["source_id"]) not in keys:
            items.append(feedback_item(reply, post_id=post_id))
    # Questions in comments and messages are found by the document's own analysis; a
    # message that asks nothing still needs its reply, so it comes from the log.
    enquiries = [
        enquiry_info(d)
        for d in docs
        if d.get("enquiry")
        and not d["annotation"]["question"]
        and not d.get("late")
        and window["starts_at"] <= d["received_at"] < window["ends_at"]
    ]
    history = [
        history_row(w)
        for w in await deps.repo.category_history(
            window["category"], before=window["published_at"], limit=deps.settings.history_posts
        )
    ]
    return _Inputs(items, enquiries, history, tail)


def _build(
    window: MongoDoc, inputs: _Inputs, generated_at: datetime, reply_limit: timedelta
) -> Rendered:
    digest = build_digest(
        post_info(window),
        inputs.items,
        inputs.enquiries,
        inputs.history,
        window["starts_at"],
        window["ends_at"],
        generated_at,
        reply_limit=reply_limit,
    )
    return Rendered(digest, render_markdown(digest), render_html(digest), render_docx(digest))


def _summary(digest: CoreIssuesDigest, items: int) -> MongoDoc:
    h, s = digest.headline, digest.sentiment
    return {
        "items": items,
        "comments": h.comments,
        "messages": h.messages,
        "replies": h.replies,
        "enquiries": h.enquiries,
        "answered": h.answered,
        "open": h.open,
        "breached": h.breached,
        "spam": h.spam,
        "late_excluded": h.late_excluded,
        "reads": h.reads,
        "likes": h.likes,
        "shares": h.shares,
        "positive": s.positive,
        "neutral": s.neutral,
        "negative": s.negative,
        "positive_share": round(s.share("positive"), 4),
        "negative_share": round(s.share("negative"), 4),
    }


_COUNTS = (
    "items",
    "comments",
    "messages",
    "replies",
    "enquiries",
    "answered",
    "open",
    "breached",
    "spam",
    "late_excluded",
    "reads",
    "likes",
    "shares",
)


def _ready_event(
    window: MongoDoc, digest_id: str, rendered: Rendered, summary: MongoDoc, deps: FeedbackDeps
) -> FeedbackDigestReady:
    digest = rendered.digest
    counts = {k: int(summary[k]) for k in _COUNTS if summary.get(k) is not None}
    return FeedbackDigestReady(
        occurred_at=digest.generated_at,
        producer="feedback",
        correlation_id=window.get("correlation_id") or window["post_id"],
        payload=FeedbackDigestReadyPayload(
            digest_id=digest_id,
            post_id=window["post_id"],
            title=window["title"],
            category=window["category"],
            window_start=window["starts_at"],
            window_end=window["ends_at"],
            counts=counts,
            sentiment={
                "positive": digest.sentiment.positive,
                "neutral": digest.sentiment.neutral,
                "negative": digest.sentiment.negative,
            },
            themes=tuple(
                DigestTheme(
                    label=t.label, terms=tuple(t.terms), count=t.count, quotes=tuple(t.quotes)
                )
                for t in digest.themes
            ),
            questions=tuple(
                DigestQuestion(
                    text=q.text,
                    asked_at=q.asked_at,
                    answered=not q.is_open,
                    replied_at=q.answered_at,
                )
                for q in digest.questions
            ),
            documents=document_paths(window["post_id"], deps.settings.public_base_url),
        ),
    )


async def close_window(claim: Claim, deps: FeedbackDeps) -> bool:
    """Issue the window's document and close it; False when there was nothing to do."""
    post_id = str(claim.payload["post_id"])
    window = await deps.repo.get_window(post_id)
    if window is None or window["state"] != WindowState.OPEN.value:
        await deps.jobs.complete(claim, result={"skipped": "no open window"})
        return False
    async with _lease_kept(deps.jobs, claim, every=deps.settings.job_lease_seconds / 3):
        inputs = await _gather(window, deps)
        generated_at = deps.clock.now()
        rendered = await asyncio.to_thread(
            _build, window, inputs, generated_at, deps.settings.reply_limit
        )
    digest_id = digest_id_for(post_id)
    summary = _summary(rendered.digest, len(inputs.items))

    async def work(tx: Tx) -> bool:
        closed = await deps.repo.close_window(
            post_id,
            closed_at=generated_at,
            digest_id=digest_id,
            summary=summary,
            tail=inputs.tail,
            session=tx.session,
        )
        if not closed:
            await deps.jobs.complete(claim, result={"skipped": "closed"}, session=tx.session)
            return False
        await deps.repo.mark_tail_late(
            post_id,
            since=inputs.tail["since"],
            included=inputs.tail["included"],
            session=tx.session,
        )
        await deps.repo.store_document(
            {
                "_id": digest_id,
                "post_id": post_id,
                "generated_at": generated_at,
                "window_start": window["starts_at"],
                "window_end": window["ends_at"],
                "digest": rendered.digest.model_dump(mode="json"),
                "md": rendered.markdown,
                "html": rendered.html,
                "docx": rendered.docx,
            },
            session=tx.session,
        )
        for channel in deps.settings.delivery_channels:
            await deps.jobs.schedule(
                delivery_key(digest_id, channel),
                kind=DIGEST_DELIVERY,
                due_at=generated_at,
                payload={"digest_id": digest_id, "post_id": post_id, "channel": channel},
                session=tx.session,
            )
        tx.emit(_ready_event(window, digest_id, rendered, summary, deps))
        await deps.jobs.complete(claim, result={"digest_id": digest_id}, session=tx.session)
        return True

    issued = await deps.uow.run(work)
    if issued:
        deps.metrics.digests.inc()
        deps.metrics.window_items.observe(len(inputs.items))
        deps.metrics.windows_open.set(await deps.repo.count_open_windows())
        _log.info("window_closed", post_id=post_id, digest_id=digest_id, items=len(inputs.items))
    return issued


async def mark_stragglers_late(deps: FeedbackDeps, *, horizon_seconds: float = 600.0) -> int:
    """Flag late what reached a recently closed window after its document's snapshot.

    The close itself flags what was stored by then; an item whose write was in flight
    at that moment lands just after, and is caught here (the sweep calls this).
    """
    since = deps.clock.now() - deps.real_to_business(horizon_seconds)
    flagged = 0
    for window in await deps.repo.recently_closed(since):
        tail = window.get("tail")
        if tail:
            flagged += await deps.repo.mark_tail_late(
                window["post_id"], since=tail["since"], included=tail["included"]
            )
    return flagged


async def run_window_closer(deps: FeedbackDeps) -> None:
    """The background loop: claim due window closes and issue their documents."""
    await deps.job_loop(WINDOW_CLOSE, lambda claim: close_window(claim, deps)).run()
