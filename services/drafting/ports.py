"""What the drafting use cases need of the store, as Protocols.

``DraftingTx`` is the transaction view a unit of work hands a use case: the repositories
bound to that transaction, the audit trail, and ``emit`` (an event published if, and
only if, the transaction commits). Outside a transaction the same repositories serve
the read-only routes (``DraftingDeps``). ``repository`` implements them on MongoDB;
``tests/unit/drafting/fakes.py`` in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from services.drafting.domain.content import Material
from services.drafting.domain.draft import Draft
from services.drafting.domain.facts import Submission
from services.drafting.domain.listing import DraftFilter, DraftSummary
from services.drafting.domain.revisions import Revision, RevisionInfo
from services.drafting.domain.topics import IdeaSource, TopicIdeaRecord
from shared.events import Category, ContentSnapshot
from shared.outbox import Transaction
from shared.ports import AuditTrail

__all__ = [
    "DraftRepository",
    "DraftingTx",
    "MaterialRepository",
    "TopicIdeaRepository",
]


class DraftRepository(Protocol):
    """Drafts, their revisions and the snapshots submitted for review."""

    async def get(self, draft_id: str) -> Draft | None: ...

    async def insert(self, draft: Draft) -> None: ...

    async def save(self, draft: Draft) -> None:
        """Write the draft if nobody saved it since it was read (bumping its ``version``);
        else raise :class:`~services.drafting.errors.ConcurrentUpdate`."""

    async def find(
        self, criteria: DraftFilter, *, accounts: Sequence[str], offset: int, limit: int
    ) -> tuple[list[DraftSummary], int]:
        """A page of the list of ``accounts``' drafts, most recently changed first, and
        its total (no accounts: nothing)."""

    async def account_of_post(self, post_id: str) -> str | None:
        """The account of the draft published as ``post_id``, if drafting knows it."""

    async def add_revision(self, revision: Revision) -> None: ...

    async def get_revision(self, draft_id: str, number: int) -> Revision | None: ...

    async def list_revisions(
        self, draft_id: str, *, offset: int, limit: int
    ) -> tuple[list[Revision], int]:
        """A page of a draft's revisions, newest first, and its total."""

    async def revision_infos(self, draft_id: str, *, limit: int) -> tuple[list[RevisionInfo], int]:
        """The newest revisions of a draft without their content, and their total."""

    async def add_submission(
        self, draft_id: str, submission: Submission, snapshot: ContentSnapshot, *, account: str
    ) -> None:
        """Keep the snapshot submitted for a revision of a draft of ``account``."""

    async def get_submission(
        self, draft_id: str, revision: int
    ) -> tuple[Submission, ContentSnapshot] | None: ...


class MaterialRepository(Protocol):
    """Pictures and their recorded origin."""

    async def get(self, material_id: str) -> Material | None: ...

    async def get_many(self, material_ids: Sequence[str]) -> dict[str, Material]:
        """The materials of ``material_ids`` that exist, by id."""

    async def insert(self, material: Material) -> None: ...

    async def replace(self, material: Material) -> None: ...

    async def find(
        self, *, accounts: Sequence[str], missing_origin: bool | None, offset: int, limit: int
    ) -> tuple[list[Material], int]:
        """A page of ``accounts``' materials, newest first (``missing_origin``: only
        without / with one)."""


class TopicIdeaRepository(Protocol):
    """Topic ideas as received (merged and ranked when read)."""

    async def put(self, records: Sequence[TopicIdeaRecord]) -> None:
        """Keep ``records``, replacing those with the same id."""

    async def recent(
        self,
        *,
        accounts: Sequence[str],
        since: datetime,
        category: Category | None,
        source: IdeaSource | None,
        cap: int,
    ) -> list[TopicIdeaRecord]:
        """The newest ``cap`` ideas of ``accounts`` dated ``since`` or later."""


class DraftingTx(Transaction, Protocol):
    """What a use case sees of one transaction: its repositories, audit trail and ``emit``."""

    @property
    def drafts(self) -> DraftRepository: ...

    @property
    def materials(self) -> MaterialRepository: ...

    @property
    def ideas(self) -> TopicIdeaRepository: ...

    @property
    def audit(self) -> AuditTrail: ...
