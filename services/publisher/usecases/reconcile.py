"""The reconcile job: ask the channel what became of a pending or unknown post."""

from __future__ import annotations

import structlog

from services.publisher.channels import ChannelError, PublishOutcome, PublishState
from services.publisher.deps import PublisherDeps
from services.publisher.domain import ACTOR, Guard, Post, PostState, retry_due_at
from services.publisher.ports import PublisherTx
from services.publisher.usecases.common import (
    apply,
    complete_job,
    schedule_publish,
    schedule_reconcile,
)
from services.publisher.usecases.outcomes import fail_post, record_pending, record_published
from shared.events import FailureCode
from shared.jobs import Claim
from shared.settings import Principal

__all__ = ["reconcile_post"]

_log = structlog.get_logger("publisher")


async def reconcile_post(
    claim: Claim, *, deps: PublisherDeps, actor: Principal | None = None
) -> None:
    """Ask the channel what became of a post whose outcome is pending or unknown."""
    post = await deps.posts.get(str(claim.payload.get("post_id")))
    round_ = int(claim.payload.get("round", -1))
    if (
        post is None
        or post.state not in (PostState.PENDING, PostState.UNKNOWN)
        or post.reconcile_round != round_
    ):
        await complete_job(deps, claim, "skipped", None)
        return
    channel = deps.channel_for(post.account)
    try:
        outcome = await channel.status(post.publish_id or post.post_id)
    except ChannelError as exc:
        outcome = PublishOutcome(
            state=PublishState.UNKNOWN,
            channel=channel.name,
            post_id=post.post_id,
            reason=exc.message,
        )
    guard = Guard.reconciling(post, round_)
    backoff = min(
        deps.settings.reconcile_max_interval_seconds,
        deps.settings.reconcile_interval_seconds * 2 ** min(round_, 16),
    )
    if outcome.state is PublishState.PUBLISHED:
        await record_published(deps, post, outcome, guard=guard, claim=claim)
    elif outcome.state is PublishState.PENDING and post.state is PostState.PENDING:
        # still publishing: ask again, and tell a person once if it takes too long
        await _still_unknown(deps, claim, post, outcome, guard=guard, delay_real=backoff)
    elif outcome.state is PublishState.PENDING:
        await record_pending(deps, post, outcome, guard=guard, claim=claim, delay_real=backoff)
    elif (
        outcome.state is PublishState.FAILED
        and post.state is PostState.UNKNOWN
        and not (outcome.needs_person)
    ):
        await _rearm(deps, claim, post, guard=guard, reason=outcome.reason or "not published")
    elif outcome.state is PublishState.FAILED:
        await fail_post(
            deps,
            claim,
            post,
            code=FailureCode.CHANNEL_ERROR,
            reason=outcome.reason or "the channel reports the publication failed",
            guard=guard,
        )
    else:
        await _still_unknown(deps, claim, post, outcome, guard=guard, delay_real=backoff)


async def _rearm(
    deps: PublisherDeps, claim: Claim, post: Post, *, guard: Guard, reason: str
) -> None:
    """The channel confirms nothing went out: publishing may be tried again, now."""
    now = deps.clock.now()
    transition = post.rearm(guard=guard, actor=ACTOR, now=now, reason=reason)

    async def work(tx: PublisherTx) -> None:
        if await apply(tx, transition):
            rearmed = transition.applied_to(post)
            await schedule_publish(tx, rearmed, due_at=retry_due_at(post.slot_at, now))
        await complete_job(deps, claim, "rearmed", tx)

    await deps.uow.run(work)
    _log.warning("unknown_resolved_not_published", post_id=post.post_id)


async def _still_unknown(
    deps: PublisherDeps,
    claim: Claim,
    post: Post,
    outcome: PublishOutcome,
    *,
    guard: Guard,
    delay_real: float,
) -> None:
    """Ask again later; tell a person once when it stays unclear (or the channel says so).

    Also for a post still ``pending`` on its channel: it is not escalated before
    ``escalate_unknown_after_seconds``.
    """
    now = deps.clock.now()
    since = post.unknown_since or post.submit_started_at or post.updated_at
    overdue = now - since >= deps.real_to_business(deps.settings.escalate_unknown_after_seconds)
    escalate = post.escalated_at is None and (outcome.needs_person or overdue)
    reason = outcome.reason or "the channel cannot tell whether the post went out"
    transition = post.reconcile_later(guard=guard, reason=reason, escalate=escalate, now=now)

    async def work(tx: PublisherTx) -> bool:
        done = await apply(tx, transition)
        if done:
            await schedule_reconcile(deps, tx, post, post.next_round, delay_real=delay_real)
        await complete_job(deps, claim, "still_unknown", tx)
        return done and escalate

    if await deps.uow.run(work):
        deps.metrics.failed.labels(FailureCode.OUTCOME_UNKNOWN.value).inc()
        _log.error("outcome_unknown_escalated", post_id=post.post_id, reason=reason[:500])
