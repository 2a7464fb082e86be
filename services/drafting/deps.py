"""What the drafting use cases are given: unit of work, repositories, clock, metrics, knobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from services.drafting.metrics import DraftingMetrics
from services.drafting.repository import (
    MongoDraftRepository,
    MongoMaterialRepository,
    MongoTopicIdeaRepository,
)
from shared.clock import Clock
from shared.outbox import UnitOfWork

__all__ = ["DraftingDeps"]


@dataclass(frozen=True)
class DraftingDeps:
    """What the use cases need: repositories, unit of work, clock, metrics, knobs."""

    drafts: MongoDraftRepository
    materials: MongoMaterialRepository
    ideas: MongoTopicIdeaRepository
    uow: UnitOfWork
    clock: Clock
    metrics: DraftingMetrics
    topic_half_life: timedelta = timedelta(days=14)
    topic_window: timedelta = timedelta(days=120)
