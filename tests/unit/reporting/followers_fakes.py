"""The followers read model in memory, for the followers use cases (issue #14)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from services.reporting.deps import FollowersDeps
from services.reporting.domain import Doc
from services.reporting.domain.followers import BranchRef
from shared.accounts import Accounts
from shared.clock import FixedClock
from tests.fakes.uow import FakeStore, FakeTx, FakeUnitOfWork
from tests.unit.reporting.fakes import FakePosts

__all__ = ["FakeFollowers", "FakeFollowersTx", "followers_deps"]


class FakeFollowers(FakeStore):
    def __init__(self) -> None:
        self.followers: dict[str, Doc] = {}
        self.changes: dict[str, Doc] = {}
        self.branch_docs: dict[str, Doc] = {}

    async def get_follower(self, key: str) -> Doc | None:
        return self.followers.get(key)

    async def save_follower(self, doc: Doc) -> None:
        self.followers[doc["_id"]] = dict(doc)

    async def save_change(self, doc: Doc) -> None:
        self.changes[doc["_id"]] = dict(doc)

    async def get_branch(self, key: str) -> Doc | None:
        return self.branch_docs.get(key)

    async def save_branch(self, doc: Doc) -> None:
        self.branch_docs[doc["_id"]] = dict(doc)

    async def changes_between(
        self, start: datetime, end: datetime, accounts: Sequence[str]
    ) -> list[Doc]:
        inside = [
            d for d in self.changes.values() if start <= d["at"] < end and d["account"] in accounts
        ]
        return sorted(inside, key=lambda d: d["at"])

    async def branches(self, accounts: Sequence[str]) -> list[Doc]:
        return [d for d in self.branch_docs.values() if d["account"] in accounts]

    async def attributed_before(
        self, end: datetime, accounts: Sequence[str]
    ) -> dict[BranchRef, int]:
        totals: dict[BranchRef, int] = {}
        for d in self.changes.values():
            if d["at"] < end and d.get("branch_code") is not None and d["account"] in accounts:
                sign = 1 if d["kind"] == "subscribed" else -1
                ref = (d["account"], d["branch_code"])
                totals[ref] = totals.get(ref, 0) + sign
        return totals


class FakeFollowersTx(FakeTx):
    def __init__(self) -> None:
        super().__init__()
        self.followers = FakeFollowers()


def followers_deps(
    at: datetime, posts: FakePosts | None = None, accounts: str | None = None
) -> FollowersDeps:
    """Use-case deps whose unit of work and reads share one in-memory model."""
    view = FakeFollowersTx()
    return FollowersDeps(
        uow=FakeUnitOfWork(view),
        followers=view.followers,
        posts=posts or FakePosts(),
        clock=FixedClock(at),
        zone="Asia/Shanghai",
        accounts=Accounts.parse(accounts),
    )
