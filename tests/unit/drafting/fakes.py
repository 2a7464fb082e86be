"""In-memory doubles of the drafting service's ports, to run its use cases without a store.

Each repository is a :class:`~tests.fakes.uow.FakeStore` (so a failed unit of work puts
it back as it was) implementing the Protocol of ``services.drafting.ports`` it stands
for; like the store, it hands out copies, so only what a use case saves is kept, and
``save`` refuses a draft someone else saved since it was read (optimistic lock).
:func:`fake_drafting` wires them into a ``DraftingDeps`` on a :class:`FakeUnitOfWork`.

Import it as ``tests.unit.drafting.fakes``: other services' unit tests have a
``fakes.py`` too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry

from services.drafting.deps import DraftingDeps
from services.drafting.domain.content import Material
from services.drafting.domain.draft import Draft
from services.drafting.domain.facts import Submission
from services.drafting.domain.listing import DraftFilter, DraftSummary
from services.drafting.domain.revisions import Revision, RevisionInfo
from services.drafting.domain.topics import IdeaSource, TopicIdeaRecord
from services.drafting.errors import ConcurrentUpdate
from services.drafting.metrics import DraftingMetrics
from shared.accounts import Accounts
from shared.clock import FixedClock
from shared.events import Category, ContentSnapshot
from tests.fakes.audit import FakeAudit
from tests.fakes.uow import FakeStore, FakeTx, FakeUnitOfWork
from tests.support.metrics import metric_value

__all__ = [
    "FakeDrafting",
    "FakeDraftingTx",
    "FakeDrafts",
    "FakeMaterials",
    "FakeTopicIdeas",
    "fake_drafting",
]


class FakeDrafts(FakeStore):
    """``DraftRepository`` over dicts of drafts, revisions and submissions."""

    def __init__(self) -> None:
        self.drafts: dict[str, Draft] = {}
        self.revisions: dict[tuple[str, int], Revision] = {}
        self.submissions: dict[tuple[str, int], tuple[Submission, ContentSnapshot]] = {}
        self.submission_accounts: dict[tuple[str, int], str] = {}
        self._stale: dict[str, tuple[Draft, int]] = {}

    def read_before_another_writer(self, draft: Draft, *, times: int) -> None:
        """The next ``times`` reads of the draft return ``draft``, as read just before
        another writer saved it (so saving what was read meets the optimistic lock)."""
        self._stale[draft.id] = (draft.model_copy(deep=True), times)

    # What read_before_another_writer arranged is not store state: a rollback keeps it.
    def snapshot(self) -> dict[str, Any]:
        saved = super().snapshot()
        del saved["_stale"]
        return saved

    def restore(self, saved: dict[str, Any]) -> None:
        stale = self._stale
        super().restore(saved)
        self._stale = stale

    async def get(self, draft_id: str) -> Draft | None:
        stale, times = self._stale.get(draft_id, (None, 0))
        if stale is not None and times > 0:
            self._stale[draft_id] = (stale, times - 1)
            return stale.model_copy(deep=True)
        draft = self.drafts.get(draft_id)
        return None if draft is None else draft.model_copy(deep=True)

    async def insert(self, draft: Draft) -> None:
        assert draft.id not in self.drafts, f"duplicate draft {draft.id}"
        self.drafts[draft.id] = draft.model_copy(deep=True)

    async def save(self, draft: Draft) -> None:
        stored = self.drafts.get(draft.id)
        if stored is None or stored.version != draft.version:
            raise ConcurrentUpdate(f"draft {draft.id} changed meanwhile")
        draft.version += 1
        self.drafts[draft.id] = draft.model_copy(deep=True)

    async def find(
        self, criteria: DraftFilter, *, accounts: Sequence[str], offset: int, limit: int
    ) -> tuple[list[DraftSummary], int]:
        found = [
            d
            for d in self.drafts.values()
            if d.account in accounts
            and criteria.state in (None, d.state)
            and criteria.category in (None, d.content.category)
            and criteria.author in (None, d.content.author)
            and (criteria.slot is None or criteria.slot in (d.wished_slot, d.scheduled_slot))
        ]
        found.sort(key=lambda d: d.id)
        found.sort(key=lambda d: d.updated_at, reverse=True)
        lines = [
            DraftSummary(
                id=d.id,
                account=d.account,
                state=d.state,
                revision=d.revision,
                title=d.content.title,
                category=d.content.category,
                author=d.content.author,
                wished_slot=d.wished_slot,
                scheduled_slot=d.scheduled_slot,
                created_by=d.created_by,
                created_at=d.created_at,
                updated_at=d.updated_at,
                submitted_hash=d.submission.content_hash if d.submission else None,
            )
            for d in found
        ]
        return lines[offset : offset + limit], len(lines)

    async def account_of_post(self, post_id: str) -> str | None:
        for draft in self.drafts.values():
            if draft.publication is not None and draft.publication.post_id == post_id:
                return draft.account
        return None

    async def add_revision(self, revision: Revision) -> None:
        key = (revision.draft_id, revision.revision)
        assert key not in self.revisions, f"duplicate revision {key}"
        self.revisions[key] = revision

    async def get_revision(self, draft_id: str, number: int) -> Revision | None:
        return self.revisions.get((draft_id, number))

    def _revisions_of(self, draft_id: str) -> list[Revision]:
        mine = [r for (d, _), r in self.revisions.items() if d == draft_id]
        return sorted(mine, key=lambda r: r.revision, reverse=True)

    async def list_revisions(
        self, draft_id: str, *, offset: int, limit: int
    ) -> tuple[list[Revision], int]:
        mine = self._revisions_of(draft_id)
        return mine[offset : offset + limit], len(mine)

    async def revision_infos(self, draft_id: str, *, limit: int) -> tuple[list[RevisionInfo], int]:
        mine = self._revisions_of(draft_id)
        infos = [
            RevisionInfo(revision=r.revision, by=r.by, at=r.at, changed=r.changed) for r in mine
        ]
        return infos[:limit], len(mine)

    async def add_submission(
        self, draft_id: str, submission: Submission, snapshot: ContentSnapshot, *, account: str
    ) -> None:
        key = (draft_id, submission.revision)
        assert key not in self.submissions, f"duplicate submission {key}"
        self.submissions[key] = (submission, snapshot)
        self.submission_accounts[key] = account

    async def get_submission(
        self, draft_id: str, revision: int
    ) -> tuple[Submission, ContentSnapshot] | None:
        return self.submissions.get((draft_id, revision))


class FakeMaterials(FakeStore):
    """``MaterialRepository`` over a dict of materials by id."""

    def __init__(self) -> None:
        self.materials: dict[str, Material] = {}

    async def get(self, material_id: str) -> Material | None:
        return self.materials.get(material_id)

    async def get_many(self, material_ids: Sequence[str]) -> dict[str, Material]:
        return {i: self.materials[i] for i in material_ids if i in self.materials}

    async def insert(self, material: Material) -> None:
        assert material.id not in self.materials, f"duplicate material {material.id}"
        self.materials[material.id] = material

    async def replace(self, material: Material) -> None:
        self.materials[material.id] = material

    async def find(
        self, *, accounts: Sequence[str], missing_origin: bool | None, offset: int, limit: int
    ) -> tuple[list[Material], int]:
        found = [
            m
            for m in self.materials.values()
            if m.account in accounts
            and (missing_origin is None or (m.origin is None) == missing_origin)
        ]
        found.sort(key=lambda m: m.id)
        found.sort(key=lambda m: m.created_at, reverse=True)
        return found[offset : offset + limit], len(found)


class FakeTopicIdeas(FakeStore):
    """``TopicIdeaRepository`` over a dict of ideas by id."""

    def __init__(self) -> None:
        self.ideas: dict[str, TopicIdeaRecord] = {}

    async def put(self, records: Sequence[TopicIdeaRecord]) -> None:
        for record in records:
            self.ideas[record.id] = record

    async def recent(
        self,
        *,
        accounts: Sequence[str],
        since: datetime,
        category: Category | None,
        source: IdeaSource | None,
        cap: int,
    ) -> list[TopicIdeaRecord]:
        found = [
            i
            for i in self.ideas.values()
            if i.account in accounts
            and i.date >= since
            and category in (None, i.category)
            and source in (None, i.source)
        ]
        return sorted(found, key=lambda i: i.date, reverse=True)[:cap]


class FakeDraftingTx(FakeTx):
    """``DraftingTx`` over the in-memory stores (the audit trail is ``tests.fakes.audit``'s)."""

    def __init__(self) -> None:
        super().__init__()
        self.drafts = FakeDrafts()
        self.materials = FakeMaterials()
        self.ideas = FakeTopicIdeas()
        self.audit = FakeAudit()


@dataclass
class FakeDrafting:
    """The drafting use cases' deps over in-memory stores (reads see the same stores)."""

    deps: DraftingDeps
    uow: FakeUnitOfWork[FakeDraftingTx]
    store: FakeDraftingTx
    clock: FixedClock
    registry: CollectorRegistry

    def metric(self, name: str, **labels: str) -> float:
        return metric_value(self.registry, name, **labels)


def fake_drafting(now: datetime, accounts: Accounts | None = None) -> FakeDrafting:
    """Empty stores, a clock fixed at ``now``, metrics in a registry of their own, and
    the deployment's ``accounts`` (unset: the one account ``default``)."""
    store = FakeDraftingTx()
    uow = FakeUnitOfWork(store)
    clock = FixedClock(now)
    registry = CollectorRegistry()
    deps = DraftingDeps(
        uow=uow,
        drafts=store.drafts,
        materials=store.materials,
        ideas=store.ideas,
        clock=clock,
        metrics=DraftingMetrics.create(registry),
        accounts=accounts or Accounts(),
    )
    return FakeDrafting(deps=deps, uow=uow, store=store, clock=clock, registry=registry)
