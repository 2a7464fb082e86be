"""The reconcile job: ask the channel what became of a pending or unknown post."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import structlog

from services.publisher.channels import (
    ChannelError,
    PublishOutcome,
    PublishState,
)
from services.publisher.deps import PublisherDeps
from services.publisher.domain import (
    Post,
    PostState,
    failed_event,
    history_entry,
)
from services.publisher.publishing.outcomes import (
    ACTOR,
    complete_job,
    complete_job_alone,
    fail_post,
    rearm,
    record_pending,
    record_published,
    schedule_reconcile,
)
from shared.events import FailureCode
from shared.jobs import Claim
from shared.mongo import MongoDoc
from shared.outbox import Tx

__all__ = ["reconcile_post"]

_log = structlog.get_logger("publisher")


# -- the reconcile job ----------------------------------------------------------------
async def reconcile_post(claim: Claim, *, deps: PublisherDeps) -> None:
    """Ask the channel what became of a post whose outcome is pending or unknown."""
    post = await deps.repo.get(str(claim.payload.get("post_id")))
    round_ = int(claim.payload.get("round", -1))
    if (
        post is None
        or post.state not in (PostState.PENDING, PostState.UNKNOWN)
        or post.reconcile_round != round_
    ):
        await complete_job_alone(deps, claim, "skipped")
        return
    try:
        outcome = await deps.channel.status(post.publish_id or post.post_id)
    except ChannelError as exc:
        outcome = PublishOutcome(
            state=PublishState.UNKNOWN,
            channel=deps.channel.name,
            post_id=post.post_id,
            reason=exc.message,
        )
    expect = {"state": post.state, "reconcile_round": round_}
    backoff = min(
        deps.settings.reconcile_max_interval_seconds,
        deps.settings.reconcile_interval_seconds * 2 ** min(round_, 16),
    )
    if outcome.state is PublishState.PUBLISHED:
        await record_published(deps, post, outcome, expect=expect, claim=claim)
    elif outcome.state is PublishState.PENDING and post.state is PostState.PENDING:
        # still publishing: ask again, and tell a person once if it takes too long
        await _still_unknown(deps, claim, post, outcome, expect=expect, delay_real=backoff)
    elif outcome.state is PublishState.PENDING:
        await record_pending(deps, post, outcome, expect=expect, claim=claim, delay_real=backoff)
    elif (
        outcome.state is PublishState.FAILED
        and post.state is PostState.UNKNOWN
        and not (outcome.needs_person)
    ):
        await _rearm(deps, claim, post, expect=expect, reason=outcome.reason or "not published")
    elif outcome.state is PublishState.FAILED:
        await fail_post(
            deps,
            claim,
            post,
            code=FailureCode.CHANNEL_ERROR,
            reason=outcome.reason or "the channel reports the publication failed",
            expect=expect,
        )
    else:
        await _still_unknown(deps, claim, post, outcome, expect=expect, delay_real=backoff)


async def _rearm(
    deps: PublisherDeps, claim: Claim, post: Post, *, expect: Mapping[str, Any], reason: str
) -> None:
    """The channel confirms nothing went out: publishing may be tried again, now."""
    now = deps.clock.now()

    async def work(tx: Tx) -> None:
        await rearm(deps, tx, post, expect=expect, now=now, actor=ACTOR, reason=reason)
        await complete_job(deps, claim, "rearmed", tx)

    await deps.uow.run(work)
    _log.warning("unknown_resolved_not_published", post_id=post.post_id)


async def _still_unknown(
    deps: PublisherDeps,
    claim: Claim,
    post: Post,
    outcome: PublishOutcome,
    *,
    expect: Mapping[str, Any],
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
    round_ = post.reconcile_round + 1
    reason = outcome.reason or "the channel cannot tell whether the post went out"
    changes: MongoDoc = {"reconcile_round": round_, "updated_at": now}
    if escalate:
        changes["escalated_at"] = now

    async def work(tx: Tx) -> bool:
        done = await deps.repo.transition(
            post.post_id,
            expect=expect,
            set_=changes,
            history=history_entry(
                "escalated",
                at=now,
                actor=ACTOR,
                from_state=post.state,
                to_state=post.state,
                reason=reason[:500],
            )
            if escalate
            else None,
            session=tx.session,
        )
        if done:
            await schedule_reconcile(deps, tx, post.post_id, round_, delay_real=delay_real)
            if escalate:
                tx.emit(
                    failed_event(
                        post,
                        code=FailureCode.OUTCOME_UNKNOWN,
                        reason=f"{reason}; still reconciling, never resubmitted",
                        needs_person=True,
                        at=now,
                        channel=post.channel,
                    )
                )
        await complete_job(deps, claim, "still_unknown", tx)
        return done and escalate

    if await deps.uow.run(work):
        deps.metrics.failed.labels(FailureCode.OUTCOME_UNKNOWN.value).inc()
        _log.error("outcome_unknown_escalated", post_id=post.post_id, reason=reason[:500])
