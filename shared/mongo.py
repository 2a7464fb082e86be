"""The ``AsyncMongoClient`` factory and start-up index creation.

PyMongo's native async API is Motor's successor. Everything here is plain MongoDB API,
so ``MONGO_URL`` may point at the embedded SecantusDB default or a real replica set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo import AsyncMongoClient, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from shared.accounts import DEFAULT_ACCOUNT

__all__ = [
    "IndexSpec",
    "MIGRATIONS",
    "MongoDoc",
    "account_filter",
    "adopt_default_account",
    "ensure_indexes",
    "make_client",
]

MIGRATIONS = "_migrations"
"""The collection recording one-time data migrations done in a service's database."""

MongoDoc = dict[str, Any]


@dataclass(frozen=True)
class IndexSpec:
    """Indexes a collection needs; created idempotently at start-up."""

    collection: str
    indexes: Sequence[IndexModel] = field(default_factory=tuple)


def make_client(url: str, *, app_name: str, timeout_ms: int = 5_000) -> AsyncMongoClient[MongoDoc]:
    """A client returning aware UTC datetimes, with bounded server-selection time."""
    return AsyncMongoClient(
        url,
        tz_aware=True,
        appname=app_name,
        serverSelectionTimeoutMS=timeout_ms,
        connectTimeoutMS=timeout_ms,
        retryWrites=True,
    )


async def ensure_indexes(db: AsyncDatabase[MongoDoc], specs: Sequence[IndexSpec]) -> None:
    """Create every index (a no-op for those that exist)."""
    for spec in specs:
        if spec.indexes:
            await db[spec.collection].create_indexes(list(spec.indexes))


def account_filter(accounts: Sequence[str]) -> MongoDoc:
    """The query part that keeps to ``accounts`` (one: equality, so an index is used)."""
    if len(accounts) == 1:
        return {"account": accounts[0]}
    return {"account": {"$in": list(accounts)}}


async def adopt_default_account(db: AsyncDatabase[MongoDoc], collections: Sequence[str]) -> None:
    """Give every document written before accounts (#12) the account ``default``.

    Once per collection: a marker in :data:`MIGRATIONS` records it, so a restart does not
    scan again. Idempotent, so replicas starting together may both run it; a crash before
    the marker only means the next start repeats it. After it every query can filter on
    ``account`` alone.
    """
    for name in collections:
        marker = f"account-default:{name}"
        if await db[MIGRATIONS].find_one({"_id": marker}) is not None:
            continue
        await db[name].update_many(
            {"account": {"$exists": False}}, {"$set": {"account": DEFAULT_ACCOUNT}}
        )
        await db[MIGRATIONS].update_one({"_id": marker}, {"$set": {"done": True}}, upsert=True)
