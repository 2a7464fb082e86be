"""The publishing loop's claims of several accounts' jobs at once, on the real store.

One loop serves every account's job kind (``TimedJobs.claim_due_among`` and
``next_due_among``, one query each, on the ``due_any_kind`` index): it never claims more
of a kind than that kind's room, pending jobs are not hidden behind the jobs other
replicas are running, a job whose holder died is still taken over, and the next due
instant is that of the kinds asked about.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.jobs import JOB_INDEXES, TimedJobs
from shared.mongo import MongoDoc

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
async def db(mongo_url: str) -> AsyncIterator[AsyncDatabase[MongoDoc]]:
    client: AsyncMongoClient[MongoDoc] = AsyncMongoClient(mongo_url, tz_aware=True)
    database = client[f"t{uuid.uuid4().hex[:10]}_publisher_jobs"]
    for spec in JOB_INDEXES:
        await database[spec.collection].create_indexes(list(spec.indexes))
    try:
        yield database
    finally:
        await client.drop_database(database.name)
        await client.close()


async def _schedule(jobs: TimedJobs, key: str, kind: str, due_at: datetime) -> None:
    assert await jobs.schedule(key, kind=kind, due_at=due_at)


async def test_each_kind_gets_no_more_than_its_room_and_other_kinds_are_left_alone(
    db: AsyncDatabase[MongoDoc],
) -> None:
    jobs = TimedJobs(db, owner="replica-a")
    for n in range(3):
        await _schedule(jobs, f"a-{n}", "publish:a", NOW - timedelta(minutes=3 - n))
    await _schedule(jobs, "b-0", "publish:b", NOW)
    await _schedule(jobs, "b-later", "publish:b", NOW + timedelta(hours=1))
    await _schedule(jobs, "c-0", "publish:c", NOW)  # a kind with no room
    await _schedule(jobs, "r-0", "reconcile:a", NOW)  # a kind not asked about

    claims = await jobs.claim_due_among(
        {"publish:a": 2, "publish:b": 5, "publish:c": 0}, now=NOW, limit=10
    )
    assert sorted((c.kind, c.key) for c in claims) == [
        ("publish:a", "a-0"),
        ("publish:a", "a-1"),
        ("publish:b", "b-0"),
    ]
    assert all(c.fence == 1 and c.attempts == 1 for c in claims)
    for key, state in (("a-2", "pending"), ("b-later", "pending"), ("c-0", "pending")):
        assert (await jobs.get(key) or {})["state"] == state
    assert (await jobs.get("r-0") or {})["state"] == "pending"
    assert (await jobs.get("a-0") or {})["owner"] == "replica-a"
    # the total limit holds too
    more = await jobs.claim_due_among({"publish:a": 5, "publish:c": 5}, now=NOW, limit=1)
    assert [c.key for c in more] == ["a-2"]
    assert await jobs.claim_due_among({}, now=NOW, limit=4) == []


async def test_pending_jobs_are_not_hidden_behind_the_jobs_other_replicas_run(
    db: AsyncDatabase[MongoDoc],
) -> None:
    other = TimedJobs(db, owner="replica-a")  # a live replica, its leases valid
    for n in range(6):
        await _schedule(other, f"early-{n}", f"publish:k{n}", NOW - timedelta(minutes=10 - n))
    kinds = {f"publish:k{n}": 1 for n in range(6)}
    assert len(await other.claim_due_among(kinds, now=NOW, limit=6)) == 6
    await _schedule(other, "late", "publish:k6", NOW)  # due after all of those

    mine = TimedJobs(db, owner="replica-b")
    # one claim at a time looks at three candidates: the six running jobs come first by
    # due_at, yet the pending one is found
    claims = await mine.claim_due_among({**kinds, "publish:k6": 1}, now=NOW, limit=1)
    assert [c.key for c in claims] == ["late"]
    assert (await mine.get("early-0") or {})["owner"] == "replica-a"


async def test_a_job_whose_holder_died_is_taken_over_with_a_new_fence(
    db: AsyncDatabase[MongoDoc],
) -> None:
    dead = TimedJobs(db, owner="replica-dead", lease=timedelta(milliseconds=1))
    await _schedule(dead, "orphan", "publish:a", NOW - timedelta(minutes=1))
    [first] = await dead.claim_due_among({"publish:a": 1}, now=NOW, limit=1)
    live = TimedJobs(db, owner="replica-live")
    [taken] = await live.claim_due_among({"publish:a": 1}, now=NOW, limit=1)
    assert (taken.key, taken.fence, taken.attempts) == ("orphan", first.fence + 1, 2)
    assert (await live.get("orphan") or {})["owner"] == "replica-live"


async def test_the_next_due_instant_is_that_of_the_kinds_asked_about(
    db: AsyncDatabase[MongoDoc],
) -> None:
    jobs = TimedJobs(db, owner="replica-a")
    assert await jobs.next_due_among(["publish:a"]) is None
    await _schedule(jobs, "other-kind", "reconcile:a", NOW - timedelta(hours=2))
    await _schedule(jobs, "running", "publish:a", NOW - timedelta(hours=1))
    await jobs.claim_due_among({"publish:a": 1}, now=NOW, limit=1)  # running: not pending
    await _schedule(jobs, "b", "publish:b", NOW + timedelta(minutes=5))
    await _schedule(jobs, "a", "publish:a", NOW + timedelta(minutes=7))
    assert await jobs.next_due_among(["publish:a", "publish:b"]) == NOW + timedelta(minutes=5)
    assert await jobs.next_due_among(["publish:a"]) == NOW + timedelta(minutes=7)
    assert await jobs.next_due_among([]) is None
