"""The only code that touches the drafting service's collections.

``drafts``       one document per draft (the aggregate), saved with an optimistic lock
``revisions``    every revision's content (``_id`` = ``<draft>:<n>``)
``submissions``  the exact snapshot sent for review (``_id`` = ``<draft>:<revision>``;
                 the unique id is what makes a double submit store one submission)
``materials``    pictures and their origin
``topic_ideas``  ideas from reports and feedback digests (``_id`` from the document, so
                 a re-sent report replaces its ideas instead of adding them twice)

Writes take the unit of work's ``session``; reads inside a unit of work pass it too, so
they see the transaction's snapshot.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel, ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.drafting.domain.content import Material
from services.drafting.domain.draft import Draft
from services.drafting.domain.facts import Submission
from services.drafting.domain.listing import DraftFilter, DraftSummary
from services.drafting.domain.revisions import Revision, RevisionInfo
from services.drafting.domain.topics import IdeaSource, TopicIdeaRecord
from services.drafting.errors import ConcurrentUpdate
from shared.events import Category, ContentSnapshot
from shared.mongo import IndexSpec, MongoDoc

__all__ = [
    "INDEXES",
    "MongoDraftRepository",
    "MongoMaterialRepository",
    "MongoTopicIdeaRepository",
]

DRAFTS, REVISIONS, SUBMISSIONS = "drafts", "revisions", "submissions"
MATERIALS, TOPIC_IDEAS = "materials", "topic_ideas"

INDEXES = (
    IndexSpec(
        DRAFTS,
        (
            IndexModel([("state", ASCENDING), ("updated_at", DESCENDING)], name="state"),
            IndexModel([("content.category", ASCENDING), ("updated_at", DESCENDING)], name="cat"),
            IndexModel([("content.author", ASCENDING), ("updated_at", DESCENDING)], name="author"),
            IndexModel([("wished_slot", ASCENDING)], name="wished_slot"),
            IndexModel([("scheduled_slot", ASCENDING)], name="scheduled_slot"),
            IndexModel([("updated_at", DESCENDING)], name="updated_at"),
        ),
    ),
    IndexSpec(REVISIONS, (IndexModel([("draft_id", ASCENDING), ("revision", ASCENDING)]),)),
    IndexSpec(SUBMISSIONS, (IndexModel([("draft_id", ASCENDING), ("revision", ASCENDING)]),)),
    IndexSpec(
        MATERIALS,
        (
            IndexModel([("created_at", DESCENDING)], name="created_at"),
            IndexModel([("has_origin", ASCENDING), ("created_at", DESCENDING)], name="origin"),
        ),
    ),
    IndexSpec(
        TOPIC_IDEAS,
        (
            IndexModel([("date", DESCENDING)], name="date"),
            IndexModel([("category", ASCENDING), ("date", DESCENDING)], name="category"),
        ),
    ),
)

Session = AsyncClientSession | None
_SUMMARY_FIELDS = (
    "state", "revision", "content.title", "content.category", "content.author",
    "wished_slot", "scheduled_slot", "created_by", "created_at", "updated_at",
    "submission.content_hash",
)  # fmt: skip


def _summary(doc: MongoDoc) -> DraftSummary:
    content = doc["content"]
    return DraftSummary(
        id=doc["_id"],
        title=content["title"],
        category=content["category"],
        author=content["author"],
        submitted_hash=(doc.get("submission") or {}).get("content_hash"),
        **{k: v for k, v in doc.items() if k not in ("_id", "content", "submission")},
    )


def _list_query(criteria: DraftFilter) -> MongoDoc:
    query: MongoDoc = {}
    if criteria.state is not None:
        query["state"] = criteria.state.value
    if criteria.category is not None:
        query["content.category"] = criteria.category.value
    if criteria.author is not None:
        query["content.author"] = criteria.author
    if criteria.slot is not None:
        query["$or"] = [{"wished_slot": criteria.slot}, {"scheduled_slot": criteria.slot}]
    return query


def _draft_doc(draft: Draft) -> MongoDoc:
    doc = draft.model_dump(mode="python", exclude={"id"})
    doc["_id"] = draft.id
    return doc


def _draft(doc: MongoDoc) -> Draft:
    return Draft.model_validate({**doc, "id": doc["_id"]})


class MongoDraftRepository:
    """Drafts, their revisions and submissions."""

    def __init__(self, db: AsyncDatabase[MongoDoc]) -> None:
        self._drafts = db[DRAFTS]
        self._revisions = db[REVISIONS]
        self._submissions = db[SUBMISSIONS]

    async def get(self, draft_id: str, *, session: Session = None) -> Draft | None:
        doc = await self._drafts.find_one({"_id": draft_id}, session=session)
        return _draft(doc) if doc is not None else None

    async def insert(self, draft: Draft, *, session: AsyncClientSession) -> None:
        await self._drafts.insert_one(_draft_doc(draft), session=session)

    async def save(self, draft: Draft, *, session: AsyncClientSession) -> None:
        """Write the draft if nobody saved it since it was read; bumps its version."""
        expected = draft.version
        draft.version = expected + 1
        result = await self._drafts.replace_one(
            {"_id": draft.id, "version": expected}, _draft_doc(draft), session=session
        )
        if result.matched_count != 1:
            draft.version = expected
            raise ConcurrentUpdate(f"draft {draft.id} changed meanwhile")

    async def find(
        self, criteria: DraftFilter, *, offset: int, limit: int
    ) -> tuple[list[DraftSummary], int]:
        query = _list_query(criteria)
        total = await self._drafts.count_documents(query)
        cursor = (
            self._drafts.find(query, dict.fromkeys(_SUMMARY_FIELDS, 1))
            .sort([("updated_at", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
        )
        docs = await cursor.to_list(None)
        return [_summary(d) for d in docs], total

    async def count_by_state(self) -> dict[str, int]:
        cursor = await self._drafts.aggregate([{"$group": {"_id": "$state", "n": {"$sum": 1}}}])
        return {doc["_id"]: int(doc["n"]) async for doc in cursor}

    # -- revisions ----------------------------------------------------------------------
    async def add_revision(self, revision: Revision, *, session: AsyncClientSession) -> None:
        doc = revision.model_dump(mode="python")
        doc["_id"] = f"{revision.draft_id}:{revision.revision}"
        await self._revisions.insert_one(doc, session=session)

    async def get_revision(self, draft_id: str, number: int) -> Revision | None:
        doc = await self._revisions.find_one({"_id": f"{draft_id}:{number}"})
        return Revision.model_validate(doc) if doc is not None else None

    async def list_revisions(
        self, draft_id: str, *, offset: int, limit: int
    ) -> tuple[list[Revision], int]:
        query = {"draft_id": draft_id}
        total = await self._revisions.count_documents(query)
        cursor = self._revisions.find(query).sort("revision", DESCENDING).skip(offset).limit(limit)
        return [Revision.model_validate(d) for d in await cursor.to_list(None)], total

    async def revision_infos(self, draft_id: str, *, limit: int) -> tuple[list[RevisionInfo], int]:
        """The newest revisions of a draft, without their content."""
        query = {"draft_id": draft_id}
        total = await self._revisions.count_documents(query)
        cursor = (
            self._revisions.find(query, {"revision": 1, "by": 1, "at": 1, "changed": 1})
            .sort("revision", DESCENDING)
            .limit(limit)
        )
        return [RevisionInfo.model_validate(d) for d in await cursor.to_list(None)], total

    # -- submissions --------------------------------------------------------------------
    async def add_submission(
        self,
        draft_id: str,
        submission: Submission,
        snapshot: ContentSnapshot,
        *,
        session: AsyncClientSession,
    ) -> None:
        await self._submissions.insert_one(
            {
                "_id": f"{draft_id}:{submission.revision}",
                "draft_id": draft_id,
                **submission.model_dump(mode="python"),
                "content": snapshot.model_dump(mode="json"),
            },
            session=session,
        )

    async def get_submission(
        self, draft_id: str, revision: int, *, session: Session = None
    ) -> tuple[Submission, ContentSnapshot] | None:
        doc = await self._submissions.find_one({"_id": f"{draft_id}:{revision}"}, session=session)
        if doc is None:
            return None
        return Submission.model_validate(doc), ContentSnapshot.model_validate(doc["content"])


def _material_doc(material: Material) -> MongoDoc:
    doc = material.model_dump(mode="python", exclude={"id"})
    doc["_id"] = material.id
    doc["has_origin"] = material.origin is not None
    return doc


def _material(doc: MongoDoc) -> Material:
    return Material.model_validate({**doc, "id": doc["_id"]})


class MongoMaterialRepository:
    """Pictures and their recorded origin."""

    def __init__(self, db: AsyncDatabase[MongoDoc]) -> None:
        self._materials = db[MATERIALS]

    async def get(self, material_id: str, *, session: Session = None) -> Material | None:
        doc = await self._materials.find_one({"_id": material_id}, session=session)
        return _material(doc) if doc is not None else None

    async def get_many(
        self, material_ids: list[str], *, session: Session = None
    ) -> dict[str, Material]:
        if not material_ids:
            return {}
        cursor = self._materials.find({"_id": {"$in": material_ids}}, session=session)
        return {doc["_id"]: _material(doc) async for doc in cursor}

    async def insert(self, material: Material, *, session: AsyncClientSession) -> None:
        await self._materials.insert_one(_material_doc(material), session=session)

    async def replace(self, material: Material, *, session: AsyncClientSession) -> None:
        await self._materials.replace_one(
            {"_id": material.id}, _material_doc(material), session=session
        )

    async def find(
        self, *, missing_origin: bool | None, offset: int, limit: int
    ) -> tuple[list[Material], int]:
        query: MongoDoc = {}
        if missing_origin is not None:
            query["has_origin"] = not missing_origin
        total = await self._materials.count_documents(query)
        cursor = (
            self._materials.find(query)
            .sort([("created_at", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return [_material(d) for d in await cursor.to_list(None)], total


class MongoTopicIdeaRepository:
    """Topic ideas as received (merged and ranked when read)."""

    def __init__(self, db: AsyncDatabase[MongoDoc]) -> None:
        self._ideas = db[TOPIC_IDEAS]

    async def put(self, records: list[TopicIdeaRecord], *, session: AsyncClientSession) -> None:
        if not records:
            return
        ops: list[ReplaceOne[MongoDoc]] = []
        for record in records:
            doc: dict[str, Any] = record.model_dump(mode="python", exclude={"id"})
            ops.append(ReplaceOne({"_id": record.id}, {"_id": record.id, **doc}, upsert=True))
        await self._ideas.bulk_write(ops, ordered=False, session=session)

    async def recent(
        self,
        *,
        since: datetime,
        category: Category | None,
        source: IdeaSource | None,
        cap: int,
    ) -> list[TopicIdeaRecord]:
        query: MongoDoc = {"date": {"$gte": since}}
        if category is not None:
            query["category"] = category.value
        if source is not None:
            query["source"] = source.value
        cursor = self._ideas.find(query).sort("date", DESCENDING).limit(cap)
        return [TopicIdeaRecord.model_validate({**d, "id": d["_id"]}) async for d in cursor]
