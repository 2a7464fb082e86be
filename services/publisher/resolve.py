"""Use case: a person settles a post whose publishing outcome the channel cannot tell.

The rules are in :mod:`services.publisher.resolution`; the transitions are the ones the
publisher records itself (``mark_published``, ``rearm``, ``cancel_within``), so the
events and what reacts to them are the same. One transaction with its audit line
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
from datetime import datetime
from typing import Any

import structlog

from services.publisher.channels import PublishOutcome
from services.publisher.commands import cancel_within
from services.publisher.deps import PublisherDeps
from services.publisher.domain import Command, Post, refused
from services.publisher.errors import PostNotFound
from services.publisher.publishing.outcomes import count_published, mark_published, rearm
from services.publisher.resolution import (
    Resolution,
    ResolveAction,
    ResolveOutcome,
    check_resolution,
    vouched_outcome,
)
from shared.events import FailureCode
from shared.http import record_audit
from shared.outbox import Tx
from shared.settings import Principal

__all__ = ["resolve_post"]

_log = structlog.get_logger("publisher")


@dataclass(frozen=True)
class _Resolved:
    """What the transaction settled: the post before and after, for metrics and logs."""

    before: Post
    after: Post
    published: PublishOutcome | None
    at: datetime


async def resolve_post(
    post_id: str, resolution: Resolution, *, actor: Principal, deps: PublisherDeps
) -> Post:
    """Record what a person found: published, or not (then retry or cancel)."""

    async def work(tx: Tx) -> _Resolved:
        now = deps.clock.now()
        post = await deps.repo.get(post_id, session=tx.session)
        if post is None:
            raise PostNotFound(post_id)
        check_resolution(post, resolution)
        expect = {"state": post.state, "rev": post.rev}
        who = actor.subject
        published: PublishOutcome | None = None
        if resolution.outcome is ResolveOutcome.PUBLISHED:
            channel = post.channel or deps.channel.name
            published = vouched_outcome(post, resolution, channel=channel, now=now)
            done = await mark_published(
                deps,
                tx,
                post,
                published,
                expect=expect,
                now=now,
                actor=who,
                from_state=post.state,
                note=resolution.note,
            )
        elif resolution.action is ResolveAction.RETRY:
            done = await rearm(
                deps,
                tx,
                post,
                expect=expect,
                now=now,
                actor=who,
                reason=f"{who} confirmed nothing went out",
                note=resolution.note,
                confirmed_unsent=True,
            )
        else:
            done = await cancel_within(deps, tx, post, reason=resolution.note, actor=who, now=now)
        if not done:  # it moved since it was read: say where it is now
            current = await deps.repo.get(post_id)
            raise refused(post_id, (current or post).state, Command.RESOLVE)
        await record_audit(
            tx.db,
            actor=actor,
            action="post.resolve",
            target=post_id,
            details=_audit_details(post, resolution),
            at=now,
            session=tx.session,
        )
        after = await deps.repo.get(post_id, session=tx.session)
        assert after is not None
        return _Resolved(before=post, after=after, published=published, at=now)

    resolved = await deps.uow.run(work)
    if resolved.published is not None:
        count_published(deps, resolved.before, resolved.published, now=resolved.at)
    elif resolution.action is ResolveAction.CANCEL:
        deps.metrics.failed.labels(FailureCode.CANCELLED.value).inc()
    _log.warning(
        "outcome_resolved_by_person",
        post_id=post_id,
        actor=actor.subject,
        outcome=str(resolution.outcome),
        action=str(resolution.action or ""),
        from_state=str(resolved.before.state),
    )
    return resolved.after


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
