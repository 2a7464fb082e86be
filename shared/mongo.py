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

__all__ = ["IndexSpec", "MongoDoc", "ensure_indexes", "make_client"]

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
