"""Run-time lexicon changes (``lexicon_changes``) and the revision replicas watch
(the single ``lexicon`` document of ``lexicon_meta``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.review.domain.lexicon import LexiconChange
from shared.mongo import MongoDoc

__all__ = ["LEXICON_CHANGES", "LEXICON_META", "MongoLexiconRepository"]

LEXICON_CHANGES = "lexicon_changes"
LEXICON_META = "lexicon_meta"
_META_ID = "lexicon"


class MongoLexiconRepository:
    """Run-time lexicon changes and the revision replicas watch."""

    def __init__(
        self, db: AsyncDatabase[MongoDoc], session: AsyncClientSession | None = None
    ) -> None:
        self._changes = db[LEXICON_CHANGES]
        self._meta = db[LEXICON_META]
        self._session = session

    async def meta(self) -> MongoDoc:
        """``{"revision": n, "changed_at", "changed_by"}``; revision 0 before any change."""
        doc = await self._meta.find_one({"_id": _META_ID}, session=self._session)
        return doc or {"_id": _META_ID, "revision": 0}

    async def revision(self) -> int:
        doc = await self._meta.find_one({"_id": _META_ID}, {"revision": 1}, session=self._session)
        return int(doc["revision"]) if doc else 0

    async def changes(self) -> list[LexiconChange]:
        docs = await self._changes.find({}, session=self._session).to_list(None)
        return [LexiconChange(d) for d in docs]

    async def put_change(self, key: str, change: Mapping[str, Any]) -> int:
        """Record the latest instruction for ``key`` and bump the revision; returns it."""
        await self._changes.replace_one(
            {"_id": key}, dict(change), upsert=True, session=self._session
        )
        await self._meta.update_one(
            {"_id": _META_ID},
            {
                "$inc": {"revision": 1},
                "$set": {"changed_at": change["at"], "changed_by": change["by"]},
            },
            upsert=True,
            session=self._session,
        )
        doc = await self._meta.find_one({"_id": _META_ID}, session=self._session)
        assert doc is not None
        return int(doc["revision"])
