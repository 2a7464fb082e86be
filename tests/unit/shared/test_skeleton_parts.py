"""The skeleton's shared parts: domain errors answered by a problem map, the fake unit
of work's all-or-nothing runs."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from shared.errors import AlreadyProcessed
from shared.http import install_problem_handlers
from shared.problems import ProblemSpec
from tests.fakes.uow import FakeStore, FakeTx, FakeUnitOfWork


class NotFoundError(Exception):
    pass


class ClosedError(Exception):
    pass


class AlreadyClosedError(ClosedError):
    def __init__(self) -> None:
        super().__init__("closed twice")
        self.errors = [{"field": "state", "message": "already closed"}]


async def test_domain_errors_are_answered_by_the_most_specific_problem() -> None:
    app = FastAPI()
    install_problem_handlers(
        app,
        {
            NotFoundError: ProblemSpec(404, "Not found"),
            ClosedError: ProblemSpec(409, "Closed"),
            AlreadyClosedError: ProblemSpec(409, "Already closed", type="urn:x:closed"),
        },
    )

    @app.get("/missing")
    async def missing() -> None:
        raise NotFoundError("no draft d-1")

    @app.get("/twice")
    async def twice() -> None:
        raise AlreadyClosedError()

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        first = await client.get("/missing")
        second = await client.get("/twice")
    assert first.status_code == 404
    assert first.headers["content-type"] == "application/problem+json"
    assert first.json()["detail"] == "no draft d-1"
    assert second.status_code == 409
    assert second.json()["title"] == "Already closed"
    assert second.json()["type"] == "urn:x:closed"
    assert second.json()["errors"] == [{"field": "state", "message": "already closed"}]


class Counter(FakeStore):
    def __init__(self) -> None:
        self.values: dict[str, int] = {}


class View(FakeTx):
    def __init__(self) -> None:
        super().__init__()
        self.counts = Counter()


async def test_a_failed_run_leaves_no_change_and_no_event() -> None:
    uow = FakeUnitOfWork(View())

    async def bump_then_fail(tx: View) -> None:
        tx.counts.values["a"] = 1
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await uow.run(bump_then_fail)
    assert uow.view.counts.values == {}
    assert uow.rollbacks == 1


async def test_a_consumed_event_runs_once() -> None:
    uow = FakeUnitOfWork(View())

    async def bump(tx: View) -> int:
        tx.counts.values["a"] = tx.counts.values.get("a", 0) + 1
        return tx.counts.values["a"]

    assert await uow.run(bump, consumed=("svc", "e-1")) == 1
    with pytest.raises(AlreadyProcessed):
        await uow.run(bump, consumed=("svc", "e-1"))
    assert uow.view.counts.values == {"a": 1}
