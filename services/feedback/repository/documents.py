"""Issued core-issues documents (``documents``) and pushed WeChat events (``push_events``)."""

from __future__ import annotations

from datetime import datetime

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.feedback.domain.document import IssuedDocument
from services.feedback.repository.indexes import DOCUMENTS, PUSH_EVENTS
from services.feedback.repository.shapes import (
    document_from_stored,
    push_event_document,
    stored_document,
)
from shared.mongo import MongoDoc
from shared.wechat import PushMessage

__all__ = ["MongoDocumentRepository", "MongoPushEventRepository"]


class MongoDocumentRepository:
    """One document per post (unique on the post id), on the repository's session."""

    def __init__(
        self, db: AsyncDatabase[MongoDoc], session: AsyncClientSession | None = None
    ) -> None:
        self._documents = db[DOCUMENTS]
        self._session = session

    async def store(self, document: IssuedDocument) -> None:
        await self._documents.insert_one(stored_document(document), session=self._session)

    async def get(self, digest_id: str) -> IssuedDocument | None:
        doc = await self._documents.find_one({"_id": digest_id}, session=self._session)
        return document_from_stored(doc) if doc is not None else None


class MongoPushEventRepository:
    """Pushed WeChat events that are not feedback (subscribe, menu clicks, ...), once each."""

    def __init__(self, db: AsyncDatabase[MongoDoc]) -> None:
        self._events = db[PUSH_EVENTS]

    async def record(self, message: PushMessage, *, now: datetime) -> bool:
        """Keep a pushed event once; False when WeChat re-sent it."""
        try:
            await self._events.insert_one(push_event_document(message, now=now))
        except DuplicateKeyError:
            return False
        return True
