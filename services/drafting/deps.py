"""What the drafting use cases are given: unit of work, repositories, clock, metrics, knobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from services.drafting.metrics import DraftingMetrics
from services.drafting.ports import (
    DraftingTx,
    DraftRepository,
    MaterialRepository,
    TopicIdeaRepository,
)
from shared.accounts import Accounts
from shared.clock import Clock
from shared.outbox import UnitOfWorkPort

__all__ = ["DraftingDeps"]


@dataclass(frozen=True)
class DraftingDeps:
    """What the use cases need: the unit of work (its work gets a :class:`DraftingTx`),
    the repositories outside a transaction (for reads), clock, metrics and knobs."""

    uow: UnitOfWorkPort[DraftingTx]
    drafts: DraftRepository
    materials: MaterialRepository
    ideas: TopicIdeaRepository
    clock: Clock
    metrics: DraftingMetrics
    topic_half_life: timedelta = timedelta(days=14)
    topic_window: timedelta = timedelta(days=120)
    accounts: Accounts = field(default_factory=Accounts)
    """The deployment's official accounts (#12); unset: the one account ``default``."""
