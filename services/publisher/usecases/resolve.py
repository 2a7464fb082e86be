"""Use case: a person settles a post whose publishing outcome the channel cannot tell.

The rules are in :mod:`services.publisher.domain.resolution`; the transitions are the
ones the publisher records itself (``Post.publish``, ``rearm``, a cancel), so the events
and what reacts to them are the same. One transaction with its audit line
(``post.resolve``).

Fenced like the other commands: the update is conditional on the state and schedule
revision the resolution was checked against. Of two resolutions at once, or a
resolution and the reconcile job finding the post published, exactly one moves the post
(and emits); the other is refused (409) — a conflicting commit makes the loser's
transaction run again, and it then finds the post settled. The reconcile job still due
for the post skips it: it only acts on a ``pending``/``unknown`` post of its round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog

from services.publisher.deps import PublisherDeps
from services.publisher.domain import Command, Post, PostState, retry_due_at
from services.publisher.domain.resolution import Resolution, ResolveAction
from services.publisher.domain.states import refused
from services.publisher.ports import PublisherTx
from services.publisher.usecases.common import apply, load, person, schedule_publish
from services.publisher.usecases.outcomes import count_published
from shared.events import FailureCode
from shared.settings import Principal

__all__ = ["ResolvePost", "resolve_post"]

_log = structlog.get_logger("publisher")


@dataclass(frozen=True)
class ResolvePost:
    """A person's checked resolution of ``post_id``."""

    post_id: str
    resolution: Resolution


async def resolve_post(
    command: ResolvePost, *, deps: PublisherDeps, actor: Principal | None = None
) -> Post:
    """Record what a person found: published, or not (then retry or cancel)."""
    who = person(actor)
    post_id, resolution = command.post_id, command.resolution

    async def work(tx: PublisherTx) -> tuple[Post, Post]:
        now = deps.clock.now()
        post = await load(tx, post_id)
        channel = post.channel or deps.channel_for(post.account).name
        transition = post.resolve(resolution, actor=who.subject, channel=channel, now=now)
        if not await apply(tx, transition):  # it moved since it was read: say where it is now
            current = await deps.posts.get(post_id)
            raise refused(post_id, (current or post).state, Command.RESOLVE)
        after = transition.applied_to(post)
        if after.state is PostState.SCHEDULED:  # retry: due now, or at its slot if ahead
            await schedule_publish(tx, after, due_at=retry_due_at(post.slot_at, now))
        elif after.state is PostState.CANCELLED:
            await tx.seats.free(post.account, post.slot_key, post.seat)
            if post.job_key:
                await tx.jobs.cancel(post.job_key)
        details = _audit_details(post, resolution)
        await tx.audit.record(who, "post.resolve", post_id, at=now, details=details)
        stored = await tx.posts.get(post_id)
        assert stored is not None
        return post, stored

    before, after = await deps.uow.run(work)
    if after.state is PostState.PUBLISHED:
        count_published(deps, after)
    elif resolution.action is ResolveAction.CANCEL:
        deps.metrics.failed.labels(FailureCode.CANCELLED.value).inc()
    _log.warning(
        "outcome_resolved_by_person",
        post_id=post_id,
        actor=who.subject,
        outcome=str(resolution.outcome),
        action=str(resolution.action or ""),
        from_state=str(before.state),
    )
    return after


def _audit_details(post: Post, resolution: Resolution) -> dict[str, Any]:
    details: dict[str, Any] = {
        "from": str(post.state),
        "outcome": str(resolution.outcome),
        "note": resolution.note,
    }
    if resolution.action is not None:
        details["action"] = str(resolution.action)
    if resolution.url is not None:
        details["url"] = resolution.url
    if resolution.published_at is not None:
        details["published_at"] = resolution.published_at
    return details
