"""What the use cases share: ids, the retried unit of work, the pictures' materials, and
the count of refused inputs."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from services.drafting.deps import DraftingDeps
from services.drafting.domain.content import DraftContent, Material
from services.drafting.errors import ConcurrentUpdate, InvalidContent
from services.drafting.ports import DraftingTx, MaterialRepository
from shared.outbox import UnitOfWorkPort

__all__ = ["SERVICE", "counts_refusals", "materials_of", "new_id", "run_work"]

SERVICE = "drafting"
ATTEMPTS = 3
T = TypeVar("T")
P = ParamSpec("P")


def new_id(prefix: str) -> str:
    """A short random id such as ``d-9c1f2b7a0e4d``."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


async def run_work(
    uow: UnitOfWorkPort[DraftingTx],
    work: Callable[[DraftingTx], Awaitable[T]],
    *,
    consumed: tuple[str, str] | None = None,
) -> T:
    """Run ``work`` in a unit of work; re-run it when the draft changed underneath."""
    for attempt in range(ATTEMPTS):
        try:
            return await uow.run(work, consumed=consumed)
        except ConcurrentUpdate:
            if attempt == ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


async def materials_of(materials: MaterialRepository, content: DraftContent) -> dict[str, Material]:
    """The materials a draft's pictures use."""
    return await materials.get_many(sorted({p.material_id for p in content.pictures}))


def counts_refusals(use_case: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Count the use case's :class:`InvalidContent` refusals (by first offending field)
    in ``contentops_draft_inputs_refused_total``; the use case takes ``deps=``."""

    @functools.wraps(use_case)
    async def counted(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await use_case(*args, **kwargs)
        except InvalidContent as exc:
            deps = kwargs["deps"]
            assert isinstance(deps, DraftingDeps)
            deps.metrics.refused.labels(exc.fields[0]).inc()
            raise

    return counted
