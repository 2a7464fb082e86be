"""The audience use cases' transaction view on MongoDB (``ports.AudienceTx``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.audience.repository.branches import MongoBranches, MongoCampaigns
from services.audience.repository.followers import MongoFollowers, MongoPushes
from services.audience.repository.menus import MongoMenus
from services.audience.repository.ops import MongoBackfill
from services.audience.repository.replies import MongoRules
from shared.audit import AuditLog
from shared.events import EventEnvelope
from shared.outbox import Tx

__all__ = ["MongoAudienceTx", "bind"]


@dataclass(frozen=True)
class MongoAudienceTx:
    """Every audience repository bound to one transaction's session, and ``emit``."""

    branches: MongoBranches
    campaigns: MongoCampaigns
    pushes: MongoPushes
    followers: MongoFollowers
    rules: MongoRules
    menus: MongoMenus
    backfill: MongoBackfill
    audit: AuditLog
    emit: Callable[[EventEnvelope], None]


def bind(tx: Tx) -> MongoAudienceTx:
    """``bind(tx)`` for ``BoundUnitOfWork``: every repository on the transaction's session."""
    db, session = tx.db, tx.session
    return MongoAudienceTx(
        branches=MongoBranches(db, session),
        campaigns=MongoCampaigns(db, session),
        pushes=MongoPushes(db, session),
        followers=MongoFollowers(db, session),
        rules=MongoRules(db, session),
        menus=MongoMenus(db, session),
        backfill=MongoBackfill(db, session),
        audit=AuditLog(db, session),
        emit=tx.emit,
    )
