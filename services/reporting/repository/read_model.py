"""The read model: posts, feedback and counters, digests, and their sizes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from services.reporting.domain.accounts import account_of
from services.reporting.repository.followers import BRANCHES, FOLLOWER_CHANGES
from services.reporting.repository.indexes import (
    CANCELLED,
    DIGESTS,
    FEEDBACK,
    POST_METRICS,
    POSTS,
    READ_MODEL,
    SessionRepository,
    facts_of,
)
from shared.mongo import MongoDoc

__all__ = [
    "MongoDigestRepository",
    "MongoFeedbackRepository",
    "MongoPostRepository",
    "MongoReadModelStats",
]


class MongoPostRepository(SessionRepository):
    """``posts``: one document per post, written in the consumer's transaction."""

    async def get(self, post_id: str) -> MongoDoc | None:
        return await self._db[POSTS].find_one({"_id": post_id}, session=self._session)

    async def save(self, doc: MongoDoc) -> None:
        await self._db[POSTS].replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=self._session
        )

    async def account_of(self, post_id: str) -> str | None:
        """The account of a stored post (None when the post is not stored)."""
        doc = await self._db[POSTS].find_one(
            {"_id": post_id}, {"account": 1}, session=self._session
        )
        return account_of(doc)

    async def between(
        self, start: datetime, end: datetime, accounts: Sequence[str]
    ) -> list[MongoDoc]:
        """Posts of ``accounts`` placed in ``[start, end)`` (by publish or failure time)."""
        query = {**facts_of(accounts), "at": {"$gte": start, "$lt": end}}
        cursor = self._db[POSTS].find(query, session=self._session)
        return await cursor.sort("at", ASCENDING).to_list(None)


class MongoDigestRepository(SessionRepository):
    """``digests``: the latest core-issues document per post."""

    async def get(self, post_id: str) -> MongoDoc | None:
        return await self._db[DIGESTS].find_one({"_id": post_id}, session=self._session)

    async def save(self, doc: MongoDoc) -> None:
        await self._db[DIGESTS].replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=self._session
        )

    async def of_posts(self, post_ids: Sequence[str]) -> list[MongoDoc]:
        cursor = self._db[DIGESTS].find({"_id": {"$in": list(post_ids)}}, session=self._session)
        return await cursor.to_list(None)


class MongoFeedbackRepository(SessionRepository):
    """``feedback`` and ``post_metrics``: one write per event, no transaction."""

    async def insert(self, doc: MongoDoc) -> bool:
        """Store a feedback item; False when its natural key is already stored."""
        try:
            await self._db[FEEDBACK].insert_one(doc, session=self._session)
        except DuplicateKeyError:
            return False
        return True

    async def save_metric(self, doc: MongoDoc) -> bool:
        """Keep the snapshot if it is newer than the stored one; False when it is not."""
        fields = {k: v for k, v in doc.items() if k != "_id"}
        try:
            await self._db[POST_METRICS].update_one(
                {"_id": doc["_id"], "at": {"$lt": doc["at"]}},
                {"$set": fields},
                upsert=True,
                session=self._session,
            )
        except DuplicateKeyError:  # the stored snapshot is as new or newer
            return False
        return True

    async def post_of(self, ref: str) -> str | None:
        """The post a stored feedback item is about, if known."""
        doc = await self._db[FEEDBACK].find_one({"_id": ref}, {"post_id": 1}, session=self._session)
        return None if doc is None else doc.get("post_id")

    async def of_posts(self, post_ids: Sequence[str]) -> list[MongoDoc]:
        """Feedback items of the posts, and replies without a post that answer them."""
        fields = {"kind": 1, "post_id": 1, "at": 1, "in_reply_to": 1}
        coll = self._db[FEEDBACK]
        query = {"post_id": {"$in": list(post_ids)}}
        items = await coll.find(query, fields, session=self._session).to_list(None)
        refs = {d["_id"] for d in items if d["kind"] != "reply"}
        # Few replies lack a post (those that came before the item they answer), so they
        # are fetched by the indexed null post_id and matched here: an ``$in`` over every
        # item id costs far more on the embedded store.
        orphans = await coll.find(
            {"post_id": None, "kind": "reply"}, fields, session=self._session
        ).to_list(None)
        items.extend(d for d in orphans if d.get("in_reply_to") in refs)
        return items

    async def metrics_of(self, post_ids: Sequence[str]) -> list[MongoDoc]:
        query = {"_id": {"$in": list(post_ids)}}
        return await self._db[POST_METRICS].find(query, session=self._session).to_list(None)


class MongoReadModelStats(SessionRepository):
    async def sizes(self) -> dict[str, int]:
        """Documents in each read-model collection."""
        return {name: await self._db[name].estimated_document_count() for name in READ_MODEL}

    async def holds_data_before(self, end: datetime, accounts: Sequence[str]) -> bool:
        """Anything of ``accounts`` placed before ``end``: a post published or failed
        (not cancelled), a feedback item, a metric snapshot, a follower's change or a
        branch saved (#14: an account whose branches promote it before its first post
        gets its followers section). Posts and follower changes use their ``account_at``
        index; the other collections stop at the first match (once an account runs, one
        of the first)."""
        before = {**facts_of(accounts), "at": {"$lt": end}}
        post = {**before, "$or": [{"status": "published"}, {"failure.code": {"$ne": CANCELLED}}]}
        branch = {**facts_of(accounts), "saved_at": {"$lt": end}}
        for name, query in (
            (POSTS, post),
            (FEEDBACK, before),
            (POST_METRICS, before),
            (FOLLOWER_CHANGES, before),
            (BRANCHES, branch),
        ):
            if await self._db[name].find_one(query, {"_id": 1}, session=self._session):
                return True
        return False
