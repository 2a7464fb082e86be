"""What the use cases share: ids, the retried unit of work, the pictures' materials, the
count of refused inputs, and the account rules (#12): whose event it is, who may see."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

from services.drafting.deps import DraftingDeps
from services.drafting.domain.content import DraftContent, Material
from services.drafting.errors import ConcurrentUpdate, InvalidContent, NotFound
from services.drafting.ports import DraftingTx, MaterialRepository
from shared.errors import PoisonMessage
from shared.events import EventEnvelope
from shared.outbox import UnitOfWorkPort
from shared.settings import Principal

__all__ = [
    "ACCOUNT_MISMATCH",
    "SERVICE",
    "counts_refusals",
    "event_account",
    "materials_of",
    "must_see",
    "new_id",
    "run_work",
]

ACCOUNT_MISMATCH = "account_mismatch"
"""The dead-letter reason of an event naming another account than its resource's."""

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


def event_account(event: EventEnvelope, stored: str | None, *, what: str) -> str:
    """The account a consumed event's effect belongs to.

    ``stored``: the account of the resource the event is about (``what``, e.g. ``draft
    d-1``), when drafting knows it. It wins over a version-1 event (which knew no
    accounts); a version-2 event naming another account can never apply: poison,
    dead-lettered as ``account_mismatch``. Without a known resource: the event's account.
    """
    if stored is None:
        return event.account
    if event.schema_version >= 2 and event.account != stored:
        raise PoisonMessage(
            ACCOUNT_MISMATCH,
            f"{event.EVENT_TYPE} names account {event.account!r} but {what} belongs to "
            f"account {stored!r}",
        )
    return stored


def must_see(viewer: Principal, account: str, what: str) -> None:
    """:class:`NotFound` unless ``viewer`` holds some role on ``account``: a resource of
    an account the caller cannot read is answered as if it did not exist."""
    if not viewer.roles_on(account):
        raise NotFound(f"no {what}")
