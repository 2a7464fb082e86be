"""The shared transaction ports: timed jobs and the audit trail bound to one session,
their Protocols importing no store library, and the in-memory fakes standing for them."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from shared.audit import AuditLog
from shared.jobs import Claim, FencedOut, TimedJobs
from shared.mongo import MongoDoc
from shared.settings import Principal, Role
from tests.fakes.audit import FakeAudit
from tests.fakes.jobs import FakeJobs
from tests.fakes.uow import FakeTx, FakeUnitOfWork

T0 = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
LIU = Principal(subject="liu", roles=frozenset({Role.DIRECTOR}))
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

    async def insert_one(self, doc: MongoDoc, *, session: Any = None) -> None:
        self.calls.append(("insert_one", (doc,), session))


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


async def test_the_audit_log_writes_in_its_session_details_named_like_its_parameters() -> None:
    db, raw = _db()
    await AuditLog(db, SESSION).record(
        LIU, "post.resolve", "p1", at=T0, details={"action": "retry", "target": "x"}
    )
    [(_, (doc,), session)] = raw["audit"].calls
    assert session is SESSION
    assert doc == {
        "actor": "liu",
        "roles": ["director"],
        "action": "post.resolve",
        "target": "p1",
        "details": {"action": "retry", "target": "x"},
        "at": T0,
    }


def test_the_shared_ports_import_no_store_broker_or_web_library() -> None:
    code = (
        "import sys, shared.ports; "
        "print(sorted(m for m in ('pymongo', 'bson', 'fastapi', 'faststream', 'httpx') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


class _View(FakeTx):
    def __init__(self) -> None:
        super().__init__()
        self.jobs = FakeJobs()
        self.audit = FakeAudit()


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
        await tx.audit.record(LIU, "window.close", "p1", at=T0, details={"n": 1})
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await uow.run(complete_then_fail)
    assert (jobs.jobs["k"]["state"], uow.view.audit.entries) == ("running", [])

    async def complete(tx: _View) -> None:
        await tx.jobs.complete(fresh, outcome="failed", result={"error": "x"})
        await tx.audit.record(LIU, "window.close", "p1", at=T0, details={"action": "a"})

    await uow.run(complete)
    assert (jobs.jobs["k"]["state"], jobs.jobs["k"].get("result")) == ("failed", {"error": "x"})
    [entry] = uow.view.audit.of("window.close")
    assert (entry.actor, entry.at, entry.details) == ("liu", T0, {"action": "a"})
    assert not await jobs.cancel("k")  # only a pending job is cancelled
