"""The publishing job: claim ahead, prepare, fire at the instant, record the answer.

(How it never goes out twice: see :mod:`services.publisher.usecases`.)
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable
from datetime import datetime

import structlog

from services.publisher.channels import (
    Channel,
    ChannelError,
    OutcomeUnknown,
    PermanentChannelError,
    PublishOutcome,
    PublishRequest,
    TransientChannelError,
)
from services.publisher.deps import PublisherDeps
from services.publisher.domain import (
    DueAction,
    Guard,
    Post,
    decide_due,
    publish_request,
    verified_content,
)
from services.publisher.errors import ContentMismatch
from services.publisher.ports import PublisherTx
from services.publisher.usecases.common import apply, complete_job, schedule_reconcile
from services.publisher.usecases.outcomes import fail_post, mark_unknown, record_outcome
from shared.clock import sleep_until
from shared.events import FailureCode
from shared.jobs import Claim, FencedOut
from shared.settings import Principal

__all__ = ["publish_due_post"]

_log = structlog.get_logger("publisher")


async def publish_due_post(
    claim: Claim, *, deps: PublisherDeps, actor: Principal | None = None
) -> None:
    """Publish the post of a due job once, or record why it does not go out."""
    claimed = time.monotonic()  # the claim's lease runs from (just before) here
    post = await deps.posts.get(str(claim.payload.get("post_id")))
    now = deps.clock.now()
    action, _ = decide_due(
        post,
        rev=int(claim.payload.get("rev", 0)),
        fence=claim.fence,
        now=now,
        grace=deps.settings.grace,
        tolerance=deps.settings.tolerance,
    )
    if post is None or action is DueAction.SKIP:
        await complete_job(deps, claim, "skipped", None)
        return
    if action is DueAction.TAKE_OVER:
        await _take_over(deps, claim, post)
        return
    if action is DueAction.MISS:
        await _miss(deps, claim, post)
        return
    try:
        snapshot = verified_content(post.content, post.content_hash)
    except ContentMismatch as exc:
        deps.metrics.duplicates_prevented.labels("content_mismatch").inc()
        await fail_post(
            deps,
            claim,
            post,
            code=FailureCode.HASH_MISMATCH,
            reason=str(exc),
            guard=Guard.scheduled(post.rev),
        )
        return
    request = publish_request(post, snapshot)
    channel = deps.channel_for(post.account)  # each account its own channel and app
    await _prepare(
        channel, deps, request, claim.due_at
    )  # claimed ahead: get ready, fire at the instant
    await _until(deps, claim.due_at)
    if not await _start_submitting(deps, claim, post, channel.name):
        await complete_job(deps, claim, "superseded", None)
        return
    # Checked after ``submitting`` is written, so a hold either stops this post here or
    # finds it submitting (and lists it as beyond recall).
    if await deps.calendar.is_held(post.account):
        await _back_to_schedule(deps, claim, post, reason="calendar held", retry_real=1.0)
        return
    try:
        outcome = await _with_lease(deps, claim, channel.publish(request), claimed=claimed)
    except TransientChannelError as exc:
        await _back_to_schedule(
            deps, claim, post, reason=str(exc), retry_real=deps.settings.retry_seconds
        )
        return
    except PermanentChannelError as exc:
        await fail_post(
            deps,
            claim,
            post,
            code=FailureCode.CHANNEL_ERROR,
            reason=str(exc),
            guard=Guard.open_under(claim.fence),
        )
        return
    except Exception as exc:  # OutcomeUnknown, or anything else: it may have gone out
        reason = exc.message if isinstance(exc, OutcomeUnknown) else repr(exc)
        await mark_unknown(deps, claim, post, reason=reason, publish_id=_publish_id(exc))
        return
    await record_outcome(deps, post, outcome, guard=Guard.open_under(claim.fence), claim=claim)


async def _prepare(
    channel: Channel, deps: PublisherDeps, request: PublishRequest, instant: datetime
) -> None:
    """Let a channel that can (``prepare``) do the side-effect-free work before the instant.

    Bounded by the time left: whatever is unfinished, ``publish`` completes. Failures are
    only logged; ``publish`` meets them again and reports them properly.
    """
    prepare = getattr(channel, "prepare", None)
    left = (instant - deps.clock.now()).total_seconds() / deps.clock.speed
    if prepare is None or left <= 0:
        return
    try:
        await asyncio.wait_for(prepare(request), timeout=left)
    except Exception as exc:
        _log.info("prepare_unfinished", post_id=request.post_id, error=repr(exc)[:300])


async def _until(deps: PublisherDeps, instant: datetime) -> None:
    while deps.clock.now() < instant:
        await sleep_until(deps.clock, instant, max_real=deps.settings.poll_max_seconds)


def _publish_id(exc: BaseException) -> str | None:
    return exc.publish_id if isinstance(exc, ChannelError) else None


async def _with_lease(
    deps: PublisherDeps, claim: Claim, call: Awaitable[PublishOutcome], *, claimed: float
) -> PublishOutcome:
    """Await the channel call while renewing the job's lease, so no one takes over.

    The first renewal comes a third of the lease after the claim (``claimed``, monotonic;
    the job may have been claimed ahead of its instant), not at once: at the instant the
    store is busy marking every due post ``submitting``, and a channel call that answers
    within that third needs no renewal at all.
    """
    period = max(deps.settings.job_lease_seconds / 3, 0.05)

    async def renew() -> None:
        await asyncio.sleep(max(0.0, claimed + period - time.monotonic()))
        while True:
            try:
                await deps.jobs.renew(claim)
            except FencedOut:
                _log.warning("lease_lost_during_call", key=claim.key)
                return
            except Exception as exc:  # store briefly away: try again next period
                _log.warning("lease_renew_failed", key=claim.key, error=repr(exc))
            await asyncio.sleep(period)

    renewer = asyncio.create_task(renew())
    try:
        return await call
    finally:
        renewer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await renewer


async def _start_submitting(deps: PublisherDeps, claim: Claim, post: Post, channel: str) -> bool:
    """One fenced update, outside a transaction (it writes nothing else): at the instant."""
    transition = post.start_submitting(fence=claim.fence, channel=channel, now=deps.clock.now())
    return await deps.posts.apply(transition)


async def _back_to_schedule(
    deps: PublisherDeps, claim: Claim, post: Post, *, reason: str, retry_real: float
) -> None:
    """Nothing went out: the post is scheduled again and the job retried later."""
    now = deps.clock.now()
    await deps.posts.apply(post.back_to_schedule(fence=claim.fence, reason=reason, now=now))
    await deps.jobs.release(claim, retry_in=deps.real_to_business(retry_real), now=now)


async def _miss(deps: PublisherDeps, claim: Claim, post: Post) -> None:
    transition = post.miss(grace_seconds=deps.settings.grace_seconds, now=deps.clock.now())

    async def work(tx: PublisherTx) -> bool:
        done = await apply(tx, transition)
        await complete_job(deps, claim, "missed", tx)
        return done

    if await deps.uow.run(work):
        deps.metrics.missed.inc()
        deps.metrics.failed.labels(FailureCode.MISSED.value).inc()
        _log.warning("slot_missed", post_id=post.post_id, slot_key=post.slot_key)


async def _take_over(deps: PublisherDeps, claim: Claim, post: Post) -> None:
    """The replica that was submitting this post is gone: find out, do not resubmit."""
    transition = post.take_over(fence=claim.fence, now=deps.clock.now())

    async def work(tx: PublisherTx) -> bool:
        done = await apply(tx, transition)
        if done:
            await schedule_reconcile(deps, tx, post, post.next_round, delay_real=0.0)
        await complete_job(deps, claim, "taken_over", tx)
        return done

    if await deps.uow.run(work):
        deps.metrics.unknown.labels(post.channel or deps.channel_for(post.account).name).inc()
        deps.metrics.duplicates_prevented.labels("takeover_not_resubmitted").inc()
        _log.warning("submitting_replica_lost", post_id=post.post_id, fence=post.submit_fence)
