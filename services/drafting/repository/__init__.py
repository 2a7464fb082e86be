"""The only code that touches the drafting service's collections (``drafts``,
``revisions``, ``submissions``, ``materials``, ``topic_ideas``; ``audit`` through
:class:`shared.audit.AuditLog`).

A repository takes the database and, inside a unit of work, the transaction's session:
:func:`bind` builds the transaction view use cases get (:class:`MongoDraftingTx`, the
``DraftingTx`` of ``ports``), so every read and write of a use case is in its
transaction. Without a session the same repositories serve the read-only routes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.drafting.repository.drafts import DRAFT_INDEXES, MongoDraftRepository
from services.drafting.repository.materials import MATERIAL_INDEXES, MongoMaterialRepository
from services.drafting.repository.topic_ideas import TOPIC_IDEA_INDEXES, MongoTopicIdeaRepository
from shared.audit import AuditLog
from shared.events import EventEnvelope
from shared.outbox import Tx

__all__ = [
    "ACCOUNT_COLLECTIONS",
    "INDEXES",
    "MongoDraftRepository",
    "MongoDraftingTx",
    "MongoMaterialRepository",
    "MongoTopicIdeaRepository",
    "bind",
]

INDEXES = (*DRAFT_INDEXES, *MATERIAL_INDEXES, *TOPIC_IDEA_INDEXES)
ACCOUNT_COLLECTIONS = ("drafts", "revisions", "submissions", "materials", "topic_ideas")
"""Every collection whose documents carry ``account`` (#12): those written before it are
the default account's (``shared.mongo.adopt_default_account`` at start-up)."""


@dataclass(frozen=True)
class MongoDraftingTx:
    """The drafting repositories and audit trail bound to one transaction, and ``emit``."""

    drafts: MongoDraftRepository
    materials: MongoMaterialRepository
    ideas: MongoTopicIdeaRepository
    audit: AuditLog
    emit: Callable[[EventEnvelope], None]


def bind(tx: Tx) -> MongoDraftingTx:
    """The transaction view of ``tx``: every repository uses its session."""
    return MongoDraftingTx(
        drafts=MongoDraftRepository(tx.db, tx.session),
        materials=MongoMaterialRepository(tx.db, tx.session),
        ideas=MongoTopicIdeaRepository(tx.db, tx.session),
        audit=AuditLog(tx.db, tx.session),
        emit=tx.emit,
    )
