"""Topic ideas: kept from reports and feedback digests, ranked for editors."""

from __future__ import annotations

from dataclasses import dataclass

from services.drafting.deps import DraftingDeps
from services.drafting.domain.topics import (
    IdeaSource,
    RankedIdea,
    ideas_from_digest,
    ideas_from_report,
    rank_ideas,
)
from services.drafting.ports import DraftingTx
from services.drafting.usecases.common import SERVICE
from shared.events import Category, FeedbackDigestReady, ReportReady

__all__ = ["TopicIdeaQuery", "list_topic_ideas", "receive_digest", "receive_report"]

RANK_CAP = 5000
"""At most this many of the newest ideas are merged and ranked."""


async def receive_report(event: ReportReady, *, deps: DraftingDeps) -> int:
    """``report.ready``: keep the report's topic ideas."""
    records = ideas_from_report(event.payload)

    async def work(tx: DraftingTx) -> None:
        await tx.ideas.put(records)

    await deps.uow.run(work, consumed=(SERVICE, str(event.event_id)))
    deps.metrics.topic_ideas.labels(IdeaSource.REPORT.value).inc(len(records))
    return len(records)


async def receive_digest(event: FeedbackDigestReady, *, deps: DraftingDeps) -> int:
    """``feedback.digest.ready``: keep the digest's themes and questions as topic ideas."""
    records = ideas_from_digest(event.payload)

    async def work(tx: DraftingTx) -> None:
        await tx.ideas.put(records)

    await deps.uow.run(work, consumed=(SERVICE, str(event.event_id)))
    for record in records:
        deps.metrics.topic_ideas.labels(record.source.value).inc()
    return len(records)


@dataclass(frozen=True)
class TopicIdeaQuery:
    """Which page of the ranked topic ideas; ``None`` criteria mean any."""

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
        since=now - deps.topic_window, category=query.category, source=query.source, cap=RANK_CAP
    )
    ranked = rank_ideas(records, now=now, half_life=deps.topic_half_life)
    return ranked[query.offset : query.offset + query.limit], len(ranked)
