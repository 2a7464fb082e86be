"""Every service's audit trail: who did what to which target, when, with what details.

Each service keeps its own ``audit`` collection. Inside a unit of work the trail is bound
to the transaction's session (``AuditLog(tx.db, tx.session)``), so the audit line commits
with the change it describes, or not at all. ``details`` is a mapping, so a detail may be
named like a parameter of :meth:`AuditLog.record` (a resolution's ``action``).

MongoDB only (no web framework): a service's repository imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from shared.mongo import MongoDoc
from shared.settings import Principal

__all__ = ["AUDIT", "AuditLog", "record_audit"]

AUDIT = "audit"


class AuditLog:
    """The service's ``audit`` collection, bound to a transaction's session (or none).

    Implements :class:`shared.ports.AuditTrail`.
    """

    def __init__(
        self, db: AsyncDatabase[MongoDoc], session: AsyncClientSession | None = None
    ) -> None:
        self._db = db
        self._session = session

    async def record(
        self,
        actor: Principal,
        action: str,
        target: str,
        *,
        at: datetime,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        """Append one entry: who did what to which target, when (business time), with
        what details."""
        await record_audit(
            self._db,
            actor=actor,
            action=action,
            target=target,
            details=details,
            at=at,
            session=self._session,
        )


async def record_audit(
    db: AsyncDatabase[MongoDoc],
    *,
    actor: Principal,
    action: str,
    target: str,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
    session: AsyncClientSession | None = None,
) -> None:
    """Append an audit entry to the service's own ``audit`` collection (``at`` defaults
    to now)."""
    await db[AUDIT].insert_one(
        {
            "actor": actor.subject,
            "roles": sorted(actor.roles),
            "action": action,
            "target": target,
            "details": dict(details or {}),
            "at": at or datetime.now(UTC),
        },
        session=session,
    )
