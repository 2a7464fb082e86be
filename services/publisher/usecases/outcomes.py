"""Recording what became of a post: the transitions after a channel answered (or not).

Every recording is one transaction: the post's transition (fenced by the call that was
made, or the reconcile round that asked), the event it causes (outbox) and the
completion of the job. ``complete_job`` tolerates a newer fence: the post's own guard
has already decided whether this answer counts.
"""

from __future__ import annotations

import structlog

from services.publisher.channels import PublishOutcome, PublishState
from services.publisher.deps import PublisherDeps
from services.publisher.domain import ACTOR, Guard, Post
from services.publisher.ports import PublisherTx
from services.publisher.usecases.common import apply, complete_job, schedule_reconcile
from shared.events import FailureCode
from shared.jobs import Claim

__all__ = [
    "count_published",
    "fail_post",
    "mark_unknown",
    "record_outcome",
    "record_pending",
    "record_published",
]

_log = structlog.get_logger("publisher")


async def fail_post(
    deps: PublisherDeps,
    claim: Claim | None,
    post: Post,
    *,
    code: FailureCode,
    reason: str,
    guard: Guard,
) -> None:
    """The post will not go out: ``failed`` with ``post.failed`` for whoever must act."""
    transition = post.fail(
        guard=guard,
        code=code,
        reason=reason,
        channel=deps.channel_for(post.account).name,
        now=deps.clock.now(),
    )

    async def work(tx: PublisherTx) -> bool:
        done = await apply(tx, transition)
        if claim is not None:
            await complete_job(deps, claim, "failed", tx)
        return done

    if await deps.uow.run(work):
        deps.metrics.failed.labels(code.value).inc()
        _log.error("post_failed", post_id=post.post_id, code=str(code), reason=reason[:500])


async def mark_unknown(
    deps: PublisherDeps, claim: Claim, post: Post, *, reason: str, publish_id: str | None
) -> None:
    """The call may have gone out: reconcile, never resubmit."""
    transition = post.mark_unknown(
        fence=claim.fence, reason=reason, publish_id=publish_id, now=deps.clock.now()
    )

    async def work(tx: PublisherTx) -> bool:
        done = await apply(tx, transition)
        if done:
            delay = deps.settings.reconcile_interval_seconds
            await schedule_reconcile(deps, tx, post, post.next_round, delay_real=delay)
        await complete_job(deps, claim, "unknown", tx)
        return done

    if await deps.uow.run(work):
        deps.metrics.unknown.labels(deps.channel_for(post.account).name).inc()
        _log.warning("outcome_unknown", post_id=post.post_id, reason=reason[:500])


async def record_outcome(
    deps: PublisherDeps, post: Post, outcome: PublishOutcome, *, guard: Guard, claim: Claim
) -> None:
    """Record a channel's definite answer (published, pending, failed) or an unknown one."""
    if outcome.replayed:
        deps.metrics.duplicates_prevented.labels("channel_replay").inc()
    if outcome.state is PublishState.PUBLISHED:
        await record_published(deps, post, outcome, guard=guard, claim=claim)
    elif outcome.state is PublishState.PENDING:
        await record_pending(deps, post, outcome, guard=guard, claim=claim)
    elif outcome.state is PublishState.FAILED:
        await fail_post(
            deps,
            claim,
            post,
            code=FailureCode.CHANNEL_ERROR,
            reason=outcome.reason or "the channel refused the post",
            guard=guard,
        )
    else:
        await mark_unknown(
            deps,
            claim,
            post,
            reason=outcome.reason or "channel cannot tell",
            publish_id=outcome.publish_id,
        )


async def record_published(
    deps: PublisherDeps, post: Post, outcome: PublishOutcome, *, guard: Guard, claim: Claim
) -> None:
    """The post is live: ``published`` with ``post.published`` (lateness, channel ids)."""
    transition = post.publish(outcome, guard=guard, actor=ACTOR, now=deps.clock.now())

    async def work(tx: PublisherTx) -> bool:
        done = await apply(tx, transition)
        await complete_job(deps, claim, "published", tx)
        return done

    if await deps.uow.run(work):
        count_published(deps, transition.applied_to(post))
    else:
        _log.info("publication_already_recorded", post_id=post.post_id)


def count_published(deps: PublisherDeps, published: Post) -> None:
    """Metrics and log line of a publication just recorded (``published`` as stored)."""
    lateness = published.lateness_seconds or 0.0
    deps.metrics.published.labels(
        published.channel or deps.channel_for(published.account).name
    ).inc()
    deps.metrics.published_by_account.labels(published.account).inc()
    deps.metrics.lateness.observe(lateness)
    _log.info("post_published", post_id=published.post_id, url=published.url, lateness=lateness)


async def record_pending(
    deps: PublisherDeps,
    post: Post,
    outcome: PublishOutcome,
    *,
    guard: Guard,
    claim: Claim,
    delay_real: float | None = None,
) -> None:
    """The channel accepted the post and is still publishing it: ask again later."""
    transition = post.pending(outcome, guard=guard, now=deps.clock.now())
    delay = deps.settings.reconcile_interval_seconds if delay_real is None else delay_real

    async def work(tx: PublisherTx) -> bool:
        done = await apply(tx, transition)
        if done:
            await schedule_reconcile(deps, tx, post, post.next_round, delay_real=delay)
        await complete_job(deps, claim, "pending", tx)
        return done

    await deps.uow.run(work)
