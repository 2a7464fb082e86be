"""Topic ideas: kept from reports and feedback digests, ranked for editors."""

from __future__ import annotations

from services.drafting.deps import DraftingDeps
from services.drafting.handlers.common import SERVICE
from services.drafting.topics import (
    IdeaSource,
    RankedIdea,
    ideas_from_digest,
    ideas_from_report,
    rank_ideas,
)
from shared.events import Category, FeedbackDigestReady, ReportReady
from shared.outbox import Tx

__all__ = ["list_topic_ideas", "receive_digest", "receive_report"]


async def receive_report(event: ReportReady, *, deps: DraftingDeps) -> int:
    """``report.ready``: keep the report's topic ideas."""
    records = ideas_from_report(event.payload)

    async def work(tx: Tx) -> None:
        await deps.ideas.put(records, session=tx.session)

    await deps.uow.run(work, consumed=(SERVICE, str(event.event_id)))
    deps.metrics.topic_ideas.labels(IdeaSource.REPORT.value).inc(len(records))
    return len(records)


async def receive_digest(event: FeedbackDigestReady, *, deps: DraftingDeps) -> int:
    """``feedback.digest.ready``: keep the digest's themes and questions as topic ideas."""
    records = ideas_from_digest(event.payload)

    async def work(tx: Tx) -> None:
        await deps.ideas.put(records, session=tx.session)

    await deps.uow.run(work, consumed=(SERVICE, str(event.event_id)))
    for record in records:
        deps.metrics.topic_ideas.labels(record.source.value).inc()
    return len(records)


async def list_topic_ideas(
    *,
    category: Category | None,
    source: IdeaSource | None,
    offset: int,
    limit: int,
    deps: DraftingDeps,
    cap: int = 5000,
) -> tuple[list[RankedIdea], int]:
    """Topic ideas of the recent window, merged and ranked."""
    now = deps.clock.now()
    records = await deps.ideas.recent(
        since=now - deps.topic_window, category=category, source=source, cap=cap
    )
    ranked = rank_ideas(records, now=now, half_life=deps.topic_half_life)
    return ranked[offset : offset + limit], len(ranked)
