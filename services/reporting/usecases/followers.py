"""Use cases of the audience service's events, and the followers summary (issue #14).

Each event runs in one transaction with its inbox record (``consumed=(reporting,
event_id)``): a redelivered event is :class:`~shared.errors.AlreadyProcessed` and
changes nothing; the same change under another event id lands on the same natural key.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from services.reporting.deps import FollowersDeps
from services.reporting.domain.followers import (
    AFTER_POST,
    Branch,
    FollowerChange,
    FollowersSummary,
    PublishedPost,
    branch_doc,
    branch_key,
    change_doc,
    follower_doc,
    follower_key,
    followers_summary,
)
from services.reporting.ports import FollowerRepository, FollowersTx, PostRepository
from services.reporting.usecases.ingest import CONSUMER
from shared.accounts import DEFAULT_ACCOUNT
from shared.calendar import custom_period
from shared.events import BranchSaved, FollowerSubscribed, FollowerUnsubscribed
from shared.settings import Principal

__all__ = [
    "read_followers_summary",
    "record_branch",
    "record_follower_change",
    "summarise_followers",
]


async def record_follower_change(
    event: FollowerSubscribed | FollowerUnsubscribed,
    *,
    deps: FollowersDeps,
    actor: Principal | None = None,
) -> None:
    """Store the change and, unless a later one is stored, the follower's new state."""

    async def work(tx: FollowersTx) -> None:
        await tx.followers.save_change(change_doc(event))
        existing = await tx.followers.get_follower(
            follower_key(event.account, event.payload.openid)
        )
        doc = follower_doc(event, existing)
        if doc is not None:
            await tx.followers.save_follower(doc)

    await deps.uow.run(work, consumed=(CONSUMER, str(event.event_id)))


async def record_branch(
    event: BranchSaved, *, deps: FollowersDeps, actor: Principal | None = None
) -> None:
    """Keep the branch's latest name and head-count target."""

    async def work(tx: FollowersTx) -> None:
        existing = await tx.followers.get_branch(branch_key(event.account, event.payload.code))
        doc = branch_doc(event, existing)
        if doc is not None:
            await tx.followers.save_branch(doc)

    await deps.uow.run(work, consumed=(CONSUMER, str(event.event_id)))


async def summarise_followers(
    start: date,
    end: date,
    *,
    accounts: Sequence[str] = (DEFAULT_ACCOUNT,),
    deps: FollowersDeps,
    actor: Principal | None = None,
) -> FollowersSummary:
    """The followers summary of ``accounts`` (together, each beside the others) over
    local days ``start``..``end`` (inclusive).

    Raises ``ValueError`` for a range :func:`shared.calendar.custom_period` refuses.
    """
    period = custom_period(start, end, zone=deps.zone).current
    return await read_followers_summary(
        deps.followers,
        deps.posts,
        period.start,
        period.end,
        accounts=accounts,
        as_of=deps.clock.now(),
        target_days=deps.target_days,
    )


async def read_followers_summary(
    followers: FollowerRepository,
    posts: PostRepository,
    start: datetime,
    end: datetime,
    *,
    accounts: Sequence[str],
    as_of: datetime,
    target_days: float,
) -> FollowersSummary:
    """The followers summary of ``[start, end)`` read from the read model: what the route
    answers and a report's followers section holds."""
    changes = await followers.changes_between(start, end + AFTER_POST, accounts)
    branches = await followers.branches(accounts)
    attributed = await followers.attributed_before(end, accounts)
    published = [p for d in await posts.between(start, end, accounts) if (p := PublishedPost.of(d))]
    return followers_summary(
        accounts=accounts,
        start=start,
        end=end,
        changes=[FollowerChange.of(d) for d in changes],
        branches=[Branch.of(d) for d in branches],
        attributed_at_end=attributed,
        posts=published,
        as_of=as_of,
        target_days=target_days,
    )
