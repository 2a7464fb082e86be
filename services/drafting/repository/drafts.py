"""Drafts, their revisions and the snapshots submitted for review, in MongoDB.

``drafts``       one document per draft (the aggregate), saved with an optimistic lock
``revisions``    every revision's content (``_id`` = ``<draft>:<n>``)
``submissions``  the exact snapshot sent for review (``_id`` = ``<draft>:<revision>``;
                 the unique id is what makes a double submit store one submission)

Every document carries its draft's ``account`` (#12); the list's indexes lead with it.
"""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.drafting.domain.draft import Draft
from services.drafting.domain.facts import Submission
from services.drafting.domain.listing import DraftFilter, DraftSummary
from services.drafting.domain.revisions import Revision, RevisionInfo
from services.drafting.errors import ConcurrentUpdate
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import ContentSnapshot
from shared.mongo import IndexSpec, MongoDoc, account_filter

__all__ = ["DRAFT_INDEXES", "MongoDraftRepository"]

DRAFTS, REVISIONS, SUBMISSIONS = "drafts", "revisions", "submissions"
Session = AsyncClientSession | None

DRAFT_INDEXES = (
    IndexSpec(
        DRAFTS,
        (
            # The list reads one account (or a few) first: every list index leads with it.
            IndexModel(
                [("account", ASCENDING), ("state", ASCENDING), ("updated_at", DESCENDING)],
                name="account_state",
            ),
            IndexModel(
                [
                    ("account", ASCENDING),
                    ("content.category", ASCENDING),
                    ("updated_at", DESCENDING),
                ],
                name="account_cat",
            ),
            IndexModel(
                [("account", ASCENDING), ("content.author", ASCENDING), ("updated_at", DESCENDING)],
                name="account_author",
            ),
            IndexModel([("account", ASCENDING), ("wished_slot", ASCENDING)], name="account_wished"),
            IndexModel(
                [("account", ASCENDING), ("scheduled_slot", ASCENDING)], name="account_scheduled"
            ),
            IndexModel(
                [("account", ASCENDING), ("updated_at", DESCENDING)], name="account_updated_at"
            ),
            # feedback.digest.ready names a post: its draft's account owns the ideas
            IndexModel([("publication.post_id", ASCENDING)], name="publication_post"),
        ),
    ),
    IndexSpec(REVISIONS, (IndexModel([("draft_id", ASCENDING), ("revision", ASCENDING)]),)),
    IndexSpec(SUBMISSIONS, (IndexModel([("draft_id", ASCENDING), ("revision", ASCENDING)]),)),
)

_SUMMARY_FIELDS = (
    "account", "state", "revision", "content.title", "content.category", "content.author",
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


def _list_query(criteria: DraftFilter, accounts: Sequence[str]) -> MongoDoc:
    query: MongoDoc = account_filter(accounts)
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

    def __init__(self, db: AsyncDatabase[MongoDoc], session: Session = None) -> None:
        self._session = session
        self._drafts = db[DRAFTS]
        self._revisions = db[REVISIONS]
        self._submissions = db[SUBMISSIONS]

    async def get(self, draft_id: str) -> Draft | None:
        doc = await self._drafts.find_one({"_id": draft_id}, session=self._session)
        return _draft(doc) if doc is not None else None

    async def insert(self, draft: Draft) -> None:
        await self._drafts.insert_one(_draft_doc(draft), session=self._session)

    async def save(self, draft: Draft) -> None:
        """Write the draft if nobody saved it since it was read; bumps its version."""
        expected = draft.version
        draft.version = expected + 1
        result = await self._drafts.replace_one(
            {"_id": draft.id, "version": expected}, _draft_doc(draft), session=self._session
        )
        if result.matched_count != 1:
            draft.version = expected
            raise ConcurrentUpdate(f"draft {draft.id} changed meanwhile")

    async def find(
        self, criteria: DraftFilter, *, accounts: Sequence[str], offset: int, limit: int
    ) -> tuple[list[DraftSummary], int]:
        query = _list_query(criteria, accounts)
        total = await self._drafts.count_documents(query, session=self._session)
        cursor = (
            self._drafts.find(query, dict.fromkeys(_SUMMARY_FIELDS, 1), session=self._session)
            .sort([("updated_at", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
        )
        docs = await cursor.to_list(None)
        return [_summary(d) for d in docs], total

    async def account_of_post(self, post_id: str) -> str | None:
        doc = await self._drafts.find_one(
            {"publication.post_id": post_id}, {"account": 1}, session=self._session
        )
        return str(doc.get("account", DEFAULT_ACCOUNT)) if doc is not None else None

    async def count_by_state(self) -> dict[str, int]:
        cursor = await self._drafts.aggregate(
            [{"$group": {"_id": "$state", "n": {"$sum": 1}}}], session=self._session
        )
        return {doc["_id"]: int(doc["n"]) async for doc in cursor}

    # -- revisions ----------------------------------------------------------------------
    async def add_revision(self, revision: Revision) -> None:
        doc = revision.model_dump(mode="python")
        doc["_id"] = f"{revision.draft_id}:{revision.revision}"
        await self._revisions.insert_one(doc, session=self._session)

    async def get_revision(self, draft_id: str, number: int) -> Revision | None:
        doc = await self._revisions.find_one({"_id": f"{draft_id}:{number}"}, session=self._session)
        return Revision.model_validate(doc) if doc is not None else None

    async def list_revisions(
        self, draft_id: str, *, offset: int, limit: int
    ) -> tuple[list[Revision], int]:
        query = {"draft_id": draft_id}
        total = await self._revisions.count_documents(query, session=self._session)
        cursor = (
            self._revisions.find(query, session=self._session)
            .sort("revision", DESCENDING)
            .skip(offset)
            .limit(limit)
        )
        return [Revision.model_validate(d) for d in await cursor.to_list(None)], total

    async def revision_infos(self, draft_id: str, *, limit: int) -> tuple[list[RevisionInfo], int]:
        """The newest revisions of a draft, without their content."""
        query = {"draft_id": draft_id}
        total = await self._revisions.count_documents(query, session=self._session)
        cursor = (
            self._revisions.find(
                query, {"revision": 1, "by": 1, "at": 1, "changed": 1}, session=self._session
            )
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
        account: str,
    ) -> None:
        await self._submissions.insert_one(
            {
                "_id": f"{draft_id}:{submission.revision}",
                "draft_id": draft_id,
                "account": account,
                **submission.model_dump(mode="python"),
                "content": snapshot.model_dump(mode="json"),
            },
            session=self._session,
        )

    async def get_submission(
        self, draft_id: str, revision: int
    ) -> tuple[Submission, ContentSnapshot] | None:
        doc = await self._submissions.find_one(
            {"_id": f"{draft_id}:{revision}"}, session=self._session
        )
        if doc is None:
            return None
        return Submission.model_validate(doc), ContentSnapshot.model_validate(doc["content"])
