"""An in-memory audit trail (``shared.ports.AuditTrail``) for the use cases' unit tests.

:class:`FakeAudit` is a :class:`~tests.fakes.uow.FakeStore`, so the lines of a failed unit
of work are dropped with the rest of its change; ``entries`` are the lines written, in
order. Setting ``fail`` to an exception makes every write raise it (a store going down in
the middle of a unit of work).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.settings import Principal
from tests.fakes.uow import FakeStore

__all__ = ["AuditEntry", "FakeAudit"]


@dataclass(frozen=True)
class AuditEntry:
    """One audit line: who (the principal's subject) did what to which target, when."""

    actor: str
    action: str
    target: str
    at: datetime
    details: dict[str, Any]


class FakeAudit(FakeStore):
    """The service's audit trail as a list of :class:`AuditEntry`."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []
        self.fail: Exception | None = None

    async def record(
        self,
        actor: Principal,
        action: str,
        target: str,
        *,
        at: datetime,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        if self.fail is not None:
            raise self.fail
        self.entries.append(AuditEntry(actor.subject, action, target, at, dict(details or {})))

    def actions(self) -> list[str]:
        """The actions recorded, in order."""
        return [e.action for e in self.entries]

    def of(self, action: str) -> list[AuditEntry]:
        """The lines of ``action``, in order."""
        return [e for e in self.entries if e.action == action]
