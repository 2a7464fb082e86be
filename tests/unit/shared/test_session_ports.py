"""Timed jobs bound to one transaction's session, and the in-memory fake standing for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from shared.jobs import Claim, FencedOut, TimedJobs
from shared.mongo import MongoDoc
from tests.fakes.jobs import FakeJobs
from tests.fakes.uow import FakeTx, FakeUnitOfWork

T0 = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
SESSION = cast(AsyncClientSession, object())


class _Result:
    upserted_id = "k"
    modified_count = 1


class _Collection:
    """Records each write and the session it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, tuple[Any, ...], Any]] = []

    async def update_one(self, *args: Any, session: Any = None, **_: Any) -> _Result:
        self.calls.append(("update_one", args, session))
        return _Result()


class _Db(dict[str, _Collection]):
    def __missing__(self, name: str) -> _Collection:
        self[name] = _Collection()
        return self[name]


def _db() -> tuple[AsyncDatabase[MongoDoc], _Db]:
    db = _Db()
    return cast(AsyncDatabase[MongoDoc], db), db


async def test_jobs_in_session_schedule_cancel_and_complete_in_that_session() -> None:
    db, raw = _db()
    jobs = TimedJobs(db).in_session(SESSION)
    claim = Claim(key="k", kind="publish", fence=3, due_at=T0, payload={}, attempts=1)

    assert await jobs.schedule("k", kind="publish", due_at=T0, payload={"post": "p1"})
    assert await jobs.cancel("other")
    await jobs.complete(claim, outcome="published", result={"url": "u"})

    calls = raw["jobs"].calls
    assert [session for _, _, session in calls] == [SESSION, SESSION, SESSION]
    (_, (where, scheduled), _), (_, (cancelled, _), _), (_, (done, finished), _) = calls
    assert where == {"_id": "k"}
    assert scheduled["$setOnInsert"]["payload"] == {"post": "p1"}
    assert cancelled == {"_id": "other", "state": "pending"}
    assert done == {"_id": "k", "fence": 3, "state": "running"}
    assert (finished["$set"]["state"], finished["$set"]["result"]) == ("published", {"url": "u"})


class _View(FakeTx):
    def __init__(self) -> None:
        super().__init__()
        self.jobs = FakeJobs()


async def test_the_fake_jobs_keep_the_fence_and_roll_back_with_the_unit_of_work() -> None:
    uow = FakeUnitOfWork(_View())
    jobs = uow.view.jobs
    assert await jobs.schedule("k", kind="close", due_at=T0)
    assert not await jobs.schedule("k", kind="close", due_at=T0 + timedelta(hours=1))
    stale = jobs.claim("k")
    fresh = jobs.claim("k")  # another replica took it over
    with pytest.raises(FencedOut):
        await jobs.complete(stale)
    await jobs.release(stale, retry_in=timedelta(minutes=5), now=T0)  # changes nothing
    assert jobs.jobs["k"]["state"] == "running"

    async def complete_then_fail(tx: _View) -> None:
        await tx.jobs.complete(fresh, result={"n": 1})
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await uow.run(complete_then_fail)
    assert jobs.jobs["k"]["state"] == "running"

    async def complete(tx: _View) -> None:
        await tx.jobs.complete(fresh, outcome="failed", result={"error": "x"})

    await uow.run(complete)
    assert (jobs.jobs["k"]["state"], jobs.jobs["k"].get("result")) == ("failed", {"error": "x"})
    assert not await jobs.cancel("k")  # only a pending job is cancelled
