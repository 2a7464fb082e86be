"""The ``sessions`` collection (by the SHA-256 of the cookie) and ``signin_attempts``."""

from __future__ import annotations

from datetime import datetime

from pymongo import ASCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from services.gateway.domain.backoff import Attempts
from services.gateway.domain.sessions import SessionRecord
from shared.mongo import IndexSpec, MongoDoc

__all__ = ["SESSION_INDEXES", "MongoAttemptRepository", "MongoSessionRepository"]

SESSIONS = "sessions"
ATTEMPTS = "signin_attempts"
SESSION_INDEXES = (
    IndexSpec(
        SESSIONS,
        (
            IndexModel([("username", ASCENDING)], name="username"),
            IndexModel([("expires_at", ASCENDING)], name="expires", expireAfterSeconds=0),
        ),
    ),
    IndexSpec(
        ATTEMPTS,
        (IndexModel([("last_failure_at", ASCENDING)], name="forget", expireAfterSeconds=86_400),),
    ),
)


def _session(doc: MongoDoc) -> SessionRecord:
    return SessionRecord(
        id=doc["_id"],
        username=doc["username"],
        csrf=doc["csrf"],
        created_at=doc["created_at"],
        last_seen_at=doc["last_seen_at"],
        expires_at=doc["expires_at"],
        address=doc.get("address", ""),
        user_agent=doc.get("user_agent", ""),
        account=doc.get("account"),
    )


class MongoSessionRepository:
    """``SessionRepository`` on MongoDB; expired sessions are swept by a TTL index."""

    def __init__(
        self, db: AsyncDatabase[MongoDoc], session: AsyncClientSession | None = None
    ) -> None:
        self._sessions = db[SESSIONS]
        self._session = session

    async def create(self, session: SessionRecord) -> None:
        await self._sessions.insert_one(
            {
                "_id": session.id,
                "username": session.username,
                "csrf": session.csrf,
                "created_at": session.created_at,
                "last_seen_at": session.last_seen_at,
                "expires_at": session.expires_at,
                "address": session.address,
                "user_agent": session.user_agent,
                "account": session.account,
            },
            session=self._session,
        )

    async def get(self, session_id: str) -> SessionRecord | None:
        doc = await self._sessions.find_one({"_id": session_id}, session=self._session)
        return None if doc is None else _session(doc)

    async def touch(self, session_id: str, at: datetime) -> None:
        await self._sessions.update_one(
            {"_id": session_id}, {"$set": {"last_seen_at": at}}, session=self._session
        )

    async def set_account(self, session_id: str, account: str) -> bool:
        result = await self._sessions.update_one(
            {"_id": session_id}, {"$set": {"account": account}}, session=self._session
        )
        return result.matched_count == 1

    async def delete(self, session_id: str) -> None:
        await self._sessions.delete_one({"_id": session_id}, session=self._session)

    async def delete_for(self, username: str) -> int:
        result = await self._sessions.delete_many({"username": username}, session=self._session)
        return result.deleted_count

    async def count_for(self, username: str) -> int:
        return await self._sessions.count_documents({"username": username}, session=self._session)


class MongoAttemptRepository:
    """``AttemptRepository`` on MongoDB."""

    def __init__(self, db: AsyncDatabase[MongoDoc]) -> None:
        self._attempts = db[ATTEMPTS]

    async def get(self, key: str) -> Attempts | None:
        doc = await self._attempts.find_one({"_id": key})
        if doc is None:
            return None
        return Attempts(
            key=key,
            failures=int(doc["failures"]),
            last_failure_at=doc["last_failure_at"],
            locked_until=doc.get("locked_until"),
        )

    async def put(self, attempts: Attempts) -> None:
        await self._attempts.replace_one(
            {"_id": attempts.key},
            {
                "failures": attempts.failures,
                "last_failure_at": attempts.last_failure_at,
                "locked_until": attempts.locked_until,
            },
            upsert=True,
        )

    async def clear(self, key: str) -> None:
        await self._attempts.delete_one({"_id": key})
