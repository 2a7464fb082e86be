"""Recording what became of a post: the transitions after a channel answered (or not).

Every recording is one transaction: the conditional update of the post (under the fence
that made the call, or the reconcile round that asked), the event it causes (outbox) and
the completion of the job. ``complete_job`` tolerates a newer fence: the post's own
condition has already decided whether this answer counts.

``mark_published`` and ``rearm`` only write, in a transaction they are given: a person's
resolution of an unknown outcome (:mod:`services.publisher.resolve`) records the same
transitions, with the same event, as the channel's answer does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import structlog

from services.publisher.channels import (
    PublishOutcome,
    PublishState,
)
from services.publisher.deps import (
    PUBLISH_JOB,
    RECONCILE_JOB,
    PublisherDeps,
    publish_job_key,
    reconcile_job_key,
)
from services.publisher.domain import (
    Post,
    PostState,
    channel_ids,
    failed_event,
    history_entry,
    lateness_seconds,
    published_event,
    retry_due_at,
)
from shared.events import FailureCode
from shared.jobs import Claim, FencedOut
from shared.mongo import MongoDoc
from shared.outbox import Tx

__all__ = [
    "ACTOR",
    "OPEN_STATES",
    "complete_job",
    "complete_job_alone",
    "count_published",
    "fail_post",
    "fenced",
    "mark_published",
    "mark_unknown",
    "rearm",
    "record_outcome",
    "record_pending",
    "record_published",
    "schedule_reconcile",
]

_log = structlog.get_logger("publisher")
ACTOR = "publisher"
OPEN_STATES = [PostState.SUBMITTING, PostState.UNKNOWN, PostState.PENDING]


def fenced(fence: int) -> MongoDoc:
    """Matches a post still open under the call made with ``fence``."""
    return {"state": {"$in": OPEN_STATES}, "submit_fence": fence}


async def complete_job(deps: PublisherDeps, claim: Claim, outcome: str, tx: Tx | None) -> None:
    """Finish the job (in ``tx`` when given) unless a newer fence holds it."""
    try:
        await deps.jobs.complete(claim, outcome=outcome, session=tx.session if tx else None)
    except FencedOut:  # a newer holder owns the job; the post's fence decided the outcome
        _log.info("job_already_taken_over", key=claim.key)


async def complete_job_alone(deps: PublisherDeps, claim: Claim, outcome: str) -> None:
    """Finish the job outside any transaction."""
    await complete_job(deps, claim, outcome, None)


async def fail_post(
    deps: PublisherDeps,
    claim: Claim | None,
    post: Post,
    *,
    code: FailureCode,
    reason: str,
    expect: Mapping[str, Any],
    needs_person: bool = True,
) -> None:
    """The post will not go out: ``failed`` with ``post.failed`` for whoever must act."""
    now = deps.clock.now()

    async def work(tx: Tx) -> bool:
        done = await deps.repo.transition(
            post.post_id,
            expect=expect,
            set_={
                "state": PostState.FAILED,
                "updated_at": now,
                "failure": {
                    "code": str(code),
                    "reason": reason[:2000],
                    "needs_person": needs_person,
                },
            },
            history=history_entry(
                "failed",
                at=now,
                actor=ACTOR,
                from_state=None,
                to_state=PostState.FAILED,
                code=str(code),
                reason=reason[:500],
            ),
            session=tx.session,
        )
        if done:
            tx.emit(
                failed_event(
                    post,
                    code=code,
                    reason=reason,
                    needs_person=needs_person,
                    at=now,
                    channel=deps.channel.name,
                )
            )
        if claim is not None:
            await complete_job(deps, claim, "failed", tx)
        return done

    if await deps.uow.run(work):
        deps.metrics.failed.labels(code.value).inc()
        _log.error("post_failed", post_id=post.post_id, code=str(code), reason=reason[:500])


async def schedule_reconcile(
    deps: PublisherDeps, tx: Tx, post_id: str, round_: int, *, delay_real: float
) -> None:
    """Schedule reconcile round ``round_`` of a post, in ``tx``."""
    await deps.jobs.schedule(
        reconcile_job_key(post_id, round_),
        kind=RECONCILE_JOB,
        due_at=deps.after_real(delay_real),
        payload={"post_id": post_id, "round": round_},
        session=tx.session,
    )


async def mark_unknown(
    deps: PublisherDeps, claim: Claim, post: Post, *, reason: str, publish_id: str | None
) -> None:
    """The call may have gone out: reconcile, never resubmit."""
    now = deps.clock.now()
    round_ = post.reconcile_round + 1
    changes: MongoDoc = {
        "state": PostState.UNKNOWN,
        "unknown_since": now,
        "reconcile_round": round_,
        "last_error": reason[:500],
        "updated_at": now,
    }
    if publish_id:
        changes["publish_id"] = publish_id

    async def work(tx: Tx) -> bool:
        done = await deps.repo.transition(
            post.post_id,
            expect={"state": PostState.SUBMITTING, "submit_fence": claim.fence},
            set_=changes,
            history=history_entry(
                "unknown",
                at=now,
                actor=ACTOR,
                from_state=PostState.SUBMITTING,
                to_state=PostState.UNKNOWN,
                reason=reason[:500],
            ),
            session=tx.session,
        )
        if done:
            await schedule_reconcile(
                deps, tx, post.post_id, round_, delay_real=deps.settings.reconcile_interval_seconds
            )
        await complete_job(deps, claim, "unknown", tx)
        return done

    if await deps.uow.run(work):
        deps.metrics.unknown.labels(deps.channel.name).inc()
        _log.warning("outcome_unknown", post_id=post.post_id, reason=reason[:500])


async def record_outcome(
    deps: PublisherDeps,
    post: Post,
    outcome: PublishOutcome,
    *,
    expect: Mapping[str, Any],
    claim: Claim,
) -> None:
    """Record a channel's definite answer (published, pending, failed) or an unknown one."""
    if outcome.replayed:
        deps.metrics.duplicates_prevented.labels("channel_replay").inc()
    if outcome.state is PublishState.PUBLISHED:
        await record_published(deps, post, outcome, expect=expect, claim=claim)
    elif outcome.state is PublishState.PENDING:
        await record_pending(deps, post, outcome, expect=expect, claim=claim)
    elif outcome.state is PublishState.FAILED:
        await fail_post(
            deps,
            claim,
            post,
            code=FailureCode.CHANNEL_ERROR,
            reason=outcome.reason or "the channel refused the post",
            expect=expect,
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
    deps: PublisherDeps,
    post: Post,
    outcome: PublishOutcome,
    *,
    expect: Mapping[str, Any],
    claim: Claim,
) -> None:
    """The post is live: ``published`` with ``post.published`` (lateness, channel ids)."""
    now = deps.clock.now()

    async def work(tx: Tx) -> bool:
        done = await mark_published(deps, tx, post, outcome, expect=expect, now=now, actor=ACTOR)
        await complete_job(deps, claim, "published", tx)
        return done

    if await deps.uow.run(work):
        count_published(deps, post, outcome, now=now)
    else:
        _log.info("publication_already_recorded", post_id=post.post_id)


async def mark_published(
    deps: PublisherDeps,
    tx: Tx,
    post: Post,
    outcome: PublishOutcome,
    *,
    expect: Mapping[str, Any],
    now: datetime,
    actor: str,
    from_state: PostState | None = None,
    note: str | None = None,
) -> bool:
    """In ``tx``: ``post`` is live as ``outcome`` says; emit ``post.published`` if it moved.

    ``published_at`` defaults to ``now``. False when ``expect`` no longer holds (someone
    else recorded the post first): then nothing is written and nothing emitted.
    """
    published_at = outcome.published_at or now
    lateness = lateness_seconds(post.slot_at, published_at)
    done = await deps.repo.transition(
        post.post_id,
        expect=expect,
        set_={
            "state": PostState.PUBLISHED,
            "publish_id": outcome.publish_id,
            "channel": outcome.channel,
            "channel_ids": channel_ids(post, outcome),
            "url": outcome.url,
            "published_at": published_at,
            "lateness_seconds": lateness,
            "updated_at": now,
        },
        history=history_entry(
            "published",
            at=now,
            actor=actor,
            from_state=from_state,
            to_state=PostState.PUBLISHED,
            url=outcome.url,
            lateness_seconds=lateness,
            replayed=outcome.replayed or None,
            note=note,
        ),
        session=tx.session,
    )
    if done:
        tx.emit(published_event(post, outcome, published_at=published_at))
    return done


def count_published(
    deps: PublisherDeps, post: Post, outcome: PublishOutcome, *, now: datetime
) -> None:
    """Metrics and log line of a publication :func:`mark_published` recorded at ``now``."""
    lateness = lateness_seconds(post.slot_at, outcome.published_at or now)
    deps.metrics.published.labels(outcome.channel).inc()
    deps.metrics.lateness.observe(lateness)
    _log.info("post_published", post_id=post.post_id, url=outcome.url, lateness=lateness)


async def rearm(
    deps: PublisherDeps,
    tx: Tx,
    post: Post,
    *,
    expect: Mapping[str, Any],
    now: datetime,
    actor: str,
    reason: str,
    note: str | None = None,
    confirmed_unsent: bool = False,
) -> bool:
    """In ``tx``: nothing went out, so ``scheduled`` again with a publish job due now.

    Due at the slot instead while that is still ahead; a new schedule revision, so any
    older job skips. The escalation is cleared: should the new attempt end unknown too, a
    person is told again. ``confirmed_unsent`` (a person's word, not the channel's) is
    passed on to the channel as ``confirmed_unsent_at`` (see ``PublishRequest``).
    """
    rev = post.rev + 1
    job_key = publish_job_key(post.post_id, rev)
    changes: MongoDoc = {
        "state": PostState.SCHEDULED,
        "rev": rev,
        "job_key": job_key,
        "submit_fence": None,
        "unknown_since": None,
        "escalated_at": None,
        "updated_at": now,
    }
    if confirmed_unsent:
        changes["confirmed_unsent_at"] = now
    done = await deps.repo.transition(
        post.post_id,
        expect=expect,
        set_=changes,
        history=history_entry(
            "not_published",
            at=now,
            actor=actor,
            from_state=post.state,
            to_state=PostState.SCHEDULED,
            reason=reason[:500],
            note=note,
        ),
        session=tx.session,
    )
    if done:
        await deps.jobs.schedule(
            job_key,
            kind=PUBLISH_JOB,
            due_at=retry_due_at(post.slot_at, now),
            payload={"post_id": post.post_id, "rev": rev},
            session=tx.session,
        )
    return done


async def record_pending(
    deps: PublisherDeps,
    post: Post,
    outcome: PublishOutcome,
    *,
    expect: Mapping[str, Any],
    claim: Claim,
    delay_real: float | None = None,
) -> None:
    """The channel accepted the post and is still publishing it: ask again later."""
    now = deps.clock.now()
    round_ = post.reconcile_round + 1
    delay = deps.settings.reconcile_interval_seconds if delay_real is None else delay_real

    async def work(tx: Tx) -> bool:
        done = await deps.repo.transition(
            post.post_id,
            expect=expect,
            set_={
                "state": PostState.PENDING,
                "publish_id": outcome.publish_id,
                "channel_ids": channel_ids(post, outcome),
                "reconcile_round": round_,
                "updated_at": now,
            },
            history=None
            if post.state is PostState.PENDING
            else history_entry(
                "pending",
                at=now,
                actor=ACTOR,
                from_state=None,
                to_state=PostState.PENDING,
                publish_id=outcome.publish_id,
            ),
            session=tx.session,
        )
        if done:
            await schedule_reconcile(deps, tx, post.post_id, round_, delay_real=delay)
        await complete_job(deps, claim, "pending", tx)
        return done

    await deps.uow.run(work)
