"""A job locked by a transaction left open does not stop a replica claiming the others."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient

from shared.jobs import TimedJobs
from shared.mongo import MongoDoc

pytestmark = pytest.mark.integration

BOUND = 0.5


async def test_a_claim_on_a_document_locked_by_an_open_transaction_is_skipped_in_time(
    mongo_url: str,
) -> None:
    client: AsyncMongoClient[MongoDoc] = AsyncMongoClient(mongo_url, tz_aware=True)
    db = client[f"t{uuid.uuid4().hex[:10]}_jobs"]
    try:
        jobs = TimedJobs(db, owner="replica-b", claim_op_timeout=BOUND)
        now = datetime.now(UTC)
        await jobs.schedule("locked", kind="k", due_at=now - timedelta(minutes=2))
        await jobs.schedule("free", kind="k", due_at=now - timedelta(minutes=1))
        # A replica that was killed mid-transaction: its write lock on "locked" stays.
        session = client.start_session()
        await session.start_transaction()
        await db["jobs"].update_one(
            {"_id": "locked"}, {"$set": {"payload.touched": True}}, session=session
        )
        try:
            started = time.monotonic()
            async with asyncio.timeout(BOUND * 10):  # unbounded, the claim would wait for ever
                claims = await jobs.claim_due("k", now=now, limit=2)
            elapsed = time.monotonic() - started
        finally:
            await session.abort_transaction()
            await session.end_session()
        assert [claim.key for claim in claims] == ["free"]
        assert elapsed < BOUND * 4
        assert (await jobs.get("free") or {})["owner"] == "replica-b"
        locked = await jobs.get("locked") or {}
        assert locked["state"] == "pending"
        assert locked["fence"] == 0
    finally:
        await client.drop_database(db.name)
        await client.close()
