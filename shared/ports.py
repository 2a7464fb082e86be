"""The ports every service's transaction view shares, as Protocols.

A use case gets its timed jobs and its audit trail from the unit of work's transaction
view (``tx.jobs``, ``tx.audit``), both bound to that transaction: what it schedules,
cancels, completes or audits commits with its change, or not at all. On MongoDB they are
``TimedJobs.in_session(session)`` (:mod:`shared.jobs`) and ``AuditLog(db, session)``
(:mod:`shared.audit`); in the unit tests ``tests.fakes.jobs.FakeJobs`` and
``tests.fakes.audit.FakeAudit``.

Pure: no store, broker or web library is imported here (``Claim`` only for type checking),
so a service's ``ports`` stays free of them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from shared.settings import Principal

if TYPE_CHECKING:
    from shared.jobs import Claim

__all__ = ["AuditTrail", "JobsInTransaction"]


class JobsInTransaction(Protocol):
    """The service's timed jobs (``shared.jobs``), scheduled, cancelled and completed in
    the transaction."""

    async def schedule(
        self, key: str, *, kind: str, due_at: datetime, payload: dict[str, Any] | None = None
    ) -> bool:
        """Create the job unless it exists; True when this call created it."""
        ...

    async def cancel(self, key: str) -> bool:
        """Cancel a pending job; False when it is not pending (or does not exist)."""
        ...

    async def complete(
        self, claim: Claim, *, outcome: str = "done", result: dict[str, Any] | None = None
    ) -> None:
        """Finish a claimed job as ``outcome`` with ``result``; ``FencedOut`` when another
        replica took it over (a newer fence holds it)."""
        ...


class AuditTrail(Protocol):
    """The service's audit log, written in the transaction."""

    async def record(
        self,
        actor: Principal,
        action: str,
        target: str,
        *,
        at: datetime,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Append who did what to which target, when (business time), with what details
        (a mapping: any name, ``action`` included)."""
        ...
