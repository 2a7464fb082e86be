"""What every use case shares: dependencies, the retried unit of work, audit."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from services.drafting.content import DraftContent, Material
from services.drafting.errors import ConcurrentUpdate
from services.drafting.metrics import DraftingMetrics
from services.drafting.repository import (
    MongoDraftRepository,
    MongoMaterialRepository,
    MongoTopicIdeaRepository,
)
from shared.clock import Clock
from shared.http import record_audit
from shared.outbox import Tx, UnitOfWork
from shared.settings import Principal

__all__ = ["SERVICE", "DraftingDeps", "audit", "materials_of", "new_id", "run_work"]

SERVICE = "drafting"
ATTEMPTS = 3
T = TypeVar("T")


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


def new_id(prefix: str) -> str:
    """A short random id such as ``d-9c1f2b7a0e4d``."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def run_work(
    uow: UnitOfWork, work: Callable[[Tx], Awaitable[T]], *, consumed: tuple[str, str] | None = None
) -> T:
    """Run ``work`` in a unit of work; re-run it when the draft changed underneath."""
    for attempt in range(ATTEMPTS):
        try:
            return await uow.run(work, consumed=consumed)
        except ConcurrentUpdate:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def materials_of(
    deps: DraftingDeps, content: DraftContent, tx: Tx | None = None
) -> dict[str, Material]:
    """The materials a draft's pictures use (read in the transaction when given)."""
    ids = sorted({p.material_id for p in content.pictures})
    return await deps.materials.get_many(ids, session=tx.session if tx else None)


async def audit(
    tx: Tx, actor: Principal, action: str, target: str, at: datetime, **details: Any
) -> None:
    """Append an audit entry in the unit of work's transaction."""
    await record_audit(
        tx.db, actor=actor, action=action, target=target, details=details, at=at, session=tx.session
    )
