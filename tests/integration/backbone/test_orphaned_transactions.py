"""A replica killed inside a transaction does not hold its locks for the transaction's
lifetime: once its lease runs out another replica ends its sessions (#11, found by
``make test-chaos``: a publisher killed while committing left a post unpublishable for the
store's 60 s transaction lifetime)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import timedelta

import pymongo
import pytest
from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

from shared.jobs import ReplicaSessions
from shared.mongo import MongoDoc
from tests.support.servers import ROOT, die_with_parent

pytestmark = pytest.mark.integration

LEASE = 1.0

# A replica: lists its session under a 1 s lease, writes a document inside a transaction
# (taking its lock), says so, and waits there to be killed.
_REPLICA = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import timedelta
    from pymongo import AsyncMongoClient
    from shared.jobs import ReplicaSessions
    from shared.outbox import UnitOfWork

    LEASE = float(sys.argv[3])

    async def main(url, name):
        client = AsyncMongoClient(url, tz_aware=True)
        db = client[name]
        replicas = ReplicaSessions(client, db, owner="doomed", lease=timedelta(seconds=LEASE))
        await replicas.beat()
        uow = UnitOfWork(client, db, on_session=replicas.track)

        async def work(tx):
            await db["posts"].update_one(
                {"_id": "p-1"}, {"$set": {"state": "published"}}, session=tx.session
            )
            print("locked", flush=True)
            await asyncio.sleep(600)

        await uow.run(work)

    asyncio.run(main(sys.argv[1], sys.argv[2]))
    """
)


async def _write_within(client: AsyncMongoClient[MongoDoc], name: str, seconds: float) -> bool:
    """Whether a plain update of the document gets through within ``seconds``."""
    try:
        with pymongo.timeout(seconds):
            await client[name]["posts"].update_one({"_id": "p-1"}, {"$inc": {"touched": 1}})
    except PyMongoError as exc:
        if (
            exc.timeout
            or "WriteConflict" in str(exc)
            or exc.has_error_label("TransientTransactionError")
        ):
            return False
        raise
    return True


async def test_the_sessions_of_a_replica_killed_inside_a_transaction_are_ended_after_its_lease(
    mongo_url: str,
) -> None:
    name = f"t{uuid.uuid4().hex[:10]}_orphans"
    client: AsyncMongoClient[MongoDoc] = AsyncMongoClient(mongo_url, tz_aware=True)
    await client[name]["posts"].insert_one({"_id": "p-1", "state": "submitting"})
    proc = subprocess.Popen(
        [sys.executable, "-c", _REPLICA, mongo_url, name, str(LEASE)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        preexec_fn=die_with_parent,
    )
    try:
        assert proc.stdout is not None
        line = await asyncio.wait_for(asyncio.to_thread(proc.stdout.readline), timeout=30)
        assert line.strip() == b"locked", line
        os.kill(proc.pid, signal.SIGKILL)  # inside its transaction
        proc.wait(10)
        killed = time.monotonic()

        # the orphaned transaction holds the document: a plain write cannot get through
        assert not await _write_within(client, name, 0.5)

        survivor = ReplicaSessions(
            client, client[name], owner="survivor", lease=timedelta(seconds=1)
        )
        while not await survivor.reap():  # the dead replica's lease runs out
            assert time.monotonic() - killed < LEASE + 5, "the dead replica was never reaped"
            await asyncio.sleep(0.1)
        assert await _write_within(client, name, 2.0)
        assert time.monotonic() - killed < LEASE + 5  # not the store's 60 s lifetime

        doc = await client[name]["posts"].find_one({"_id": "p-1"})
        assert doc is not None
        assert doc["state"] == "submitting"  # the killed transaction's write never happened
        # the write that timed out above waited on the lock and went through once it was
        # released; ours went through after it
        assert doc["touched"] in (1, 2)
        assert await client[name]["replicas"].count_documents({"_id": "doomed"}) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
        await client.drop_database(name)
        await client.close()


async def test_a_replica_lists_each_session_once_and_leaves_at_a_clean_stop(
    mongo_url: str,
) -> None:
    name = f"t{uuid.uuid4().hex[:10]}_replicas"
    client: AsyncMongoClient[MongoDoc] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        replicas = ReplicaSessions(client, client[name], owner="r-1", lease=timedelta(seconds=5))
        async with client.start_session() as session:
            await replicas.track(session)
            await replicas.track(session)
            lsid = session.session_id
        doc = await client[name]["replicas"].find_one({"_id": "r-1"})
        assert doc is not None
        assert [bytes(s["id"]) for s in doc["lsids"]] == [bytes(lsid["id"])]
        assert await replicas.reap() == 0  # its own lease is never reaped by itself
        await replicas.leave()
        assert await client[name]["replicas"].count_documents({}) == 0
    finally:
        await client.drop_database(name)
        await client.close()


async def test_a_replica_takes_no_one_for_dead_before_its_second_renewal_in_a_row(
    mongo_url: str,
) -> None:
    """After the store was away every lease ran out: the first replica back must give the
    others a period to renew before it ends their sessions."""
    name = f"t{uuid.uuid4().hex[:10]}_replicas"
    client: AsyncMongoClient[MongoDoc] = AsyncMongoClient(mongo_url, tz_aware=True)
    try:
        quiet = ReplicaSessions(client, client[name], owner="quiet", lease=timedelta(0))
        await quiet.beat()  # its lease is over at once
        back = ReplicaSessions(client, client[name], owner="back")
        await back.beat()
        assert await client[name]["replicas"].count_documents({"_id": "quiet"}) == 1
        await back.beat()
        assert await client[name]["replicas"].count_documents({"_id": "quiet"}) == 0
        assert back.reaped == 1
    finally:
        await client.drop_database(name)
        await client.close()
