"""Closing a window: build the core-issues document, store it, announce it, exactly once.

The close is a claimed timed job (``window-close:<post>``): one replica holds it, under a
lease it renews while the document is built (CPU work, in a thread so ingestion goes
on). Everything that makes the close visible commits in **one transaction**: the window
turns ``closed``, the document (Markdown, HTML, .docx) is stored, items stored after the
document's snapshot are flagged late, the delivery jobs are scheduled,
``feedback.digest.ready`` goes to the outbox, and the job is completed with its fencing
token. A replica that lost its lease fails that last step, so its whole transaction
rolls back: the window closes once even if replicas die or stall mid-way.

Accounts (#12): the document is the window's account's: its items are that account's,
its comparison is with that account's earlier posts of the category, its reply limit is
the account's, and ``feedback.digest.ready`` carries the account.

"Late" therefore means "not in the issued document": said outside the window, stored
after its close, or written while the snapshot was read (:func:`mark_stragglers_late`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import structlog

from services.feedback.analysis import FeedbackItem as AnalysedItem
from services.feedback.deps import DIGEST_DELIVERY, WINDOW_CLOSE, FeedbackDeps, delivery_key
from services.feedback.digest import (
    CoreIssuesDigest,
    build_digest,
    render_docx,
    render_html,
    render_markdown,
)
from services.feedback.digest.model import CategoryHistoryRow, EnquiryInfo
from services.feedback.domain.document import IssuedDocument, document_paths
from services.feedback.domain.keys import digest_id_for
from services.feedback.domain.window import Tail, Window
from services.feedback.ports import FeedbackTx
from shared.events import (
    DigestQuestion,
    DigestTheme,
    FeedbackDigestReady,
    FeedbackDigestReadyPayload,
)
from shared.jobs import Claim, FencedOut, TimedJobs

__all__ = ["Rendered", "close_window", "mark_stragglers_late", "run_window_closer"]

_log = structlog.get_logger("feedback.closing")
TAIL_SECONDS = 30.0
"""Real seconds before a close's snapshot within which an item may be in flight."""


@dataclass(frozen=True)
class Rendered:
    """The document and its three renderings."""

    digest: CoreIssuesDigest
    markdown: str
    html: str
    docx: bytes


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
    items: list[AnalysedItem]
    enquiries: list[EnquiryInfo]
    history: list[CategoryHistoryRow]
    tail: Tail


async def _gather(window: Window, deps: FeedbackDeps) -> _Inputs:
    """The window's items, the replies to them, the enquiries the document must list."""
    post_id = window.post_id
    snapshot_at = deps.clock.now()
    stored = await deps.items.of_post(post_id, account=window.account)
    # Items being written while we read may or may not be in this snapshot: remember
    # which recent ones are, so the others can be flagged late (left out of the document).
    tail_since = snapshot_at - deps.real_to_business(TAIL_SECONDS)
    tail = Tail(tail_since, tuple(i.ref for i in stored if i.ingested_at >= tail_since))
    keys = {i.key for i in stored}
    items = [i.analysed() for i in stored]
    # Replies count wherever they were filed (an external system may not name the post).
    for reply in await deps.items.replies_to(sorted(keys)):
        if reply.key not in keys:
            items.append(reply.analysed(post_id=post_id))
    span = window.span
    enquiries = [i.enquiry_info() for i in stored if i.listed_as_enquiry(span)]
    history = [
        w.history_row()
        for w in await deps.windows.category_history(
            window.category,
            account=window.account,
            before=window.published_at,
            limit=deps.settings.history_posts,
        )
    ]
    return _Inputs(items, enquiries, history, tail)


def _build(
    window: Window, inputs: _Inputs, generated_at: datetime, reply_limit: timedelta
) -> Rendered:
    digest = build_digest(
        window.post_info(),
        inputs.items,
        inputs.enquiries,
        inputs.history,
        window.starts_at,
        window.ends_at,
        generated_at,
        reply_limit=reply_limit,
    )
    return Rendered(digest, render_markdown(digest), render_html(digest), render_docx(digest))


def _summary(digest: CoreIssuesDigest, items: int) -> dict[str, Any]:
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
    window: Window,
    digest_id: str,
    rendered: Rendered,
    summary: Mapping[str, Any],
    deps: FeedbackDeps,
) -> FeedbackDigestReady:
    digest = rendered.digest
    counts = {k: int(summary[k]) for k in _COUNTS if summary.get(k) is not None}
    return FeedbackDigestReady(
        account=window.account,
        occurred_at=digest.generated_at,
        producer="feedback",
        correlation_id=window.correlation_id or window.post_id,
        payload=FeedbackDigestReadyPayload(
            digest_id=digest_id,
            post_id=window.post_id,
            title=window.title,
            category=cast(Any, window.category),
            window_start=window.starts_at,
            window_end=window.ends_at,
            counts=counts,
            sentiment={
                "positive": digest.sentiment.positive,
                "neutral": digest.sentiment.neutral,
                "negative": digest.sentiment.negative,
            },
            themes=tuple(
                DigestTheme(
                    label=t.label,
                    terms=tuple(t.terms),
                    count=t.count,
                    quotes=tuple(t.quotes),
                    stance=t.stance,
                    intent=t.intent,
                    about_form=t.about_form,
                )
                for t in digest.themes
            ),
            questions=tuple(
                DigestQuestion(
                    text=q.text,
                    asked_at=q.asked_at,
                    answered=not q.is_open,
                    reply=q.reply_text,
                    replied_at=q.answered_at,
                    intent=q.intent,
                )
                for q in digest.questions
            ),
            documents=document_paths(window.post_id, deps.settings.public_base_url),
        ),
    )


async def close_window(claim: Claim, *, deps: FeedbackDeps) -> bool:
    """Issue the window's document and close it; False when there was nothing to do."""
    post_id = str(claim.payload["post_id"])
    window = await deps.windows.get(post_id)
    if window is None or not window.is_open:
        await deps.jobs.complete(claim, result={"skipped": "no open window"})
        return False
    async with _lease_kept(deps.jobs, claim, every=deps.settings.job_lease_seconds / 3):
        inputs = await _gather(window, deps)
        generated_at = deps.clock.now()
        rendered = await asyncio.to_thread(
            _build, window, inputs, generated_at, deps.reply_limit(window.account)
        )
    digest_id = digest_id_for(post_id)
    summary = _summary(rendered.digest, len(inputs.items))
    closed = window.closed(at=generated_at, digest_id=digest_id, summary=summary, tail=inputs.tail)
    document = IssuedDocument(
        digest_id=digest_id,
        post_id=post_id,
        generated_at=generated_at,
        window_start=window.starts_at,
        window_end=window.ends_at,
        digest=rendered.digest.model_dump(mode="json"),
        markdown=rendered.markdown,
        html=rendered.html,
        docx=rendered.docx,
        account=window.account,
    )

    async def work(tx: FeedbackTx) -> bool:
        if not await tx.windows.close(closed):
            await tx.jobs.complete(claim, result={"skipped": "closed"})
            return False
        await tx.items.mark_tail_late(post_id, inputs.tail)
        await tx.documents.store(document)
        for channel in deps.settings.delivery_channels:
            await tx.jobs.schedule(
                delivery_key(digest_id, channel),
                kind=DIGEST_DELIVERY,
                due_at=generated_at,
                payload={"digest_id": digest_id, "post_id": post_id, "channel": channel},
            )
        tx.emit(_ready_event(window, digest_id, rendered, summary, deps))
        await tx.jobs.complete(claim, result={"digest_id": digest_id})
        return True

    issued = await deps.uow.run(work)
    if issued:
        deps.metrics.digests.inc()
        deps.metrics.window_items.observe(len(inputs.items))
        deps.metrics.windows_open.set(await deps.windows.count_open())
        _log.info(
            "window_closed",
            post_id=post_id,
            account=window.account,
            digest_id=digest_id,
            items=len(inputs.items),
        )
    return issued


async def mark_stragglers_late(horizon_seconds: float = 600.0, *, deps: FeedbackDeps) -> int:
    """Flag late what reached a recently closed window after its document's snapshot.

    The close itself flags what was stored by then; an item whose write was in flight
    at that moment lands just after, and is caught here (the sweep calls this).
    """
    since = deps.clock.now() - deps.real_to_business(horizon_seconds)
    flagged = 0
    for window in await deps.windows.recently_closed(since):
        if window.tail is not None:
            flagged += await deps.items.mark_tail_late(window.post_id, window.tail)
    return flagged


async def run_window_closer(*, deps: FeedbackDeps) -> None:
    """The background loop: claim due window closes and issue their documents."""
    await deps.job_loop(WINDOW_CLOSE, lambda claim: close_window(claim, deps=deps)).run()
