"""The only code that touches the gateway's collections (``users``, ``sessions``,
``signin_attempts``, ``opened``; ``audit`` through :class:`shared.audit.AuditLog`).

:func:`bind` builds the transaction view use cases get (:class:`MongoGatewayTx`); without
a session the same repositories serve reads and the per-request session checks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.gateway.repository.opened import MongoOpenedRepository
from services.gateway.repository.people import PEOPLE_INDEXES, MongoPersonRepository
from services.gateway.repository.sessions import (
    SESSION_INDEXES,
    MongoAttemptRepository,
    MongoSessionRepository,
)
from shared.audit import AuditLog
from shared.events import EventEnvelope
from shared.outbox import Tx

__all__ = [
    "INDEXES",
    "MongoAttemptRepository",
    "MongoGatewayTx",
    "MongoOpenedRepository",
    "MongoPersonRepository",
    "MongoSessionRepository",
    "bind",
]

INDEXES = (*PEOPLE_INDEXES, *SESSION_INDEXES)


@dataclass(frozen=True)
class MongoGatewayTx:
    """People, sessions and the audit trail bound to one transaction, and ``emit``."""

    people: MongoPersonRepository
    sessions: MongoSessionRepository
    audit: AuditLog
    emit: Callable[[EventEnvelope], None]


def bind(tx: Tx) -> MongoGatewayTx:
    """The transaction view of ``tx``: every repository uses its session."""
    return MongoGatewayTx(
        people=MongoPersonRepository(tx.db, tx.session),
        sessions=MongoSessionRepository(tx.db, tx.session),
        audit=AuditLog(tx.db, tx.session),
        emit=tx.emit,
    )
