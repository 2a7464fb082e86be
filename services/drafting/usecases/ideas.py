"""Topic ideas: kept from reports and feedback digests, ranked for editors.

Each idea belongs to an account (#12): a report's ideas to the report's (the event's)
account; a digest's to the account of the post it is about when drafting published it
(that draft's account wins over a version-1 digest; a version-2 digest naming another
account is dead-lettered), else to the event's account.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.drafting.deps import DraftingDeps
from services.drafting.domain.topics import (
    IdeaSource,
    RankedIdea,
    TopicIdeaRecord,
    ideas_from_digest,
    ideas_from_report,
    rank_ideas,
)
from services.drafting.ports import DraftingTx
from services.drafting.usecases.common import SERVICE, event_account
from shared.events import Category, FeedbackDigestReady, ReportReady

__all__ = ["TopicIdeaQuery", "list_topic_ideas", "receive_digest", "receive_report"]

RANK_CAP = 5000
"""At most this many of the newest ideas are merged and ranked."""


async def receive_report(event: ReportReady, *, deps: DraftingDeps) -> int:
    """``report.ready``: keep the report's topic ideas, as the report's account's."""
    records = ideas_from_report(event.payload, account=event.account)

    async def work(tx: DraftingTx) -> None:
        await tx.ideas.put(records)

    await deps.uow.run(work, consumed=(SERVICE, str(event.event_id)))
    deps.metrics.topic_ideas.labels(IdeaSource.REPORT.value).inc(len(records))
    return len(records)


async def receive_digest(event: FeedbackDigestReady, *, deps: DraftingDeps) -> int:
    """``feedback.digest.ready``: keep the digest's themes and questions as topic ideas
    of the account of the post it is about."""
    post_id = event.payload.post_id

    async def work(tx: DraftingTx) -> list[TopicIdeaRecord]:
        stored = await tx.drafts.account_of_post(post_id)
        account = event_account(event, stored, what=f"the draft of post {post_id}")
        records = ideas_from_digest(event.payload, account=account)
        await tx.ideas.put(records)
        return records

    records = await deps.uow.run(work, consumed=(SERVICE, str(event.event_id)))
    for record in records:
        deps.metrics.topic_ideas.labels(record.source.value).inc()
    return len(records)


@dataclass(frozen=True)
class TopicIdeaQuery:
    """Which page of the ranked topic ideas of ``accounts``; ``None`` criteria mean any."""

    accounts: tuple[str, ...] = ()
    """The accounts read (``shared.http.account_scope``); none: nothing is read."""
    category: Category | None = None
    source: IdeaSource | None = None
    offset: int = 0
    limit: int = 20


async def list_topic_ideas(
    query: TopicIdeaQuery, *, deps: DraftingDeps
) -> tuple[list[RankedIdea], int]:
    """A page of the recent window's topic ideas, merged and ranked; and how many there are."""
    now = deps.clock.now()
    records = await deps.ideas.recent(
        accounts=query.accounts,
        since=now - deps.topic_window,
        category=query.category,
        source=query.source,
        cap=RANK_CAP,
    )
    ranked = rank_ideas(records, now=now, half_life=deps.topic_half_life)
    return ranked[query.offset : query.offset + query.limit], len(ranked)
