"""In-memory doubles of the gateway's ports, to run its use cases without a store.

Import it as ``tests.unit.gateway.fakes``: other services' unit tests have a ``fakes.py``
too. Passwords are "hashed" by a reversible fake (argon2 is slow by design and is
exercised by the integration tests).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry

from services.gateway.deps import GatewayDeps
from services.gateway.domain.backoff import Attempts, BackoffPolicy
from services.gateway.domain.people import Person
from services.gateway.domain.sessions import SessionRecord, SessionRules
from services.gateway.metrics import GatewayMetrics
from shared.accounts import Accounts
from shared.clock import FixedClock
from shared.settings import Role
from tests.fakes.audit import FakeAudit
from tests.fakes.uow import FakeStore, FakeTx, FakeUnitOfWork

__all__ = ["FakeGateway", "fake_gateway"]

NOW = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)


class FakePasswords:
    decoy = "hash:decoy"

    def hash(self, password: str) -> str:
        return f"hash:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == f"hash:{password}"

    def needs_rehash(self, password_hash: str) -> bool:
        return False


class FakePeople(FakeStore):
    def __init__(self) -> None:
        self.people: dict[str, Person] = {}

    async def get(self, username: str) -> Person | None:
        return self.people.get(username)

    async def insert(self, person: Person) -> bool:
        if person.username in self.people:
            return False
        self.people[person.username] = person
        return True

    async def replace(self, person: Person) -> None:
        self.people[person.username] = person

    async def find(self, *, offset: int, limit: int) -> tuple[list[Person], int]:
        ordered = sorted(self.people.values(), key=lambda p: p.username)
        return ordered[offset : offset + limit], len(ordered)

    async def active_admins(self) -> int:
        return sum(1 for p in self.people.values() if Role.ADMIN in p.roles and p.active)


class FakeSessions(FakeStore):
    def __init__(self) -> None:
        self.sessions: dict[str, SessionRecord] = {}

    async def create(self, session: SessionRecord) -> None:
        self.sessions[session.id] = session

    async def get(self, session_id: str) -> SessionRecord | None:
        return self.sessions.get(session_id)

    async def touch(self, session_id: str, at: datetime) -> None:
        from dataclasses import replace

        if session_id in self.sessions:
            self.sessions[session_id] = replace(self.sessions[session_id], last_seen_at=at)

    async def set_account(self, session_id: str, account: str) -> bool:
        from dataclasses import replace

        if session_id not in self.sessions:
            return False
        self.sessions[session_id] = replace(self.sessions[session_id], account=account)
        return True

    async def delete(self, session_id: str) -> None:
        self.sessions.pop(session_id, None)

    async def delete_for(self, username: str) -> int:
        ended = [k for k, s in self.sessions.items() if s.username == username]
        for key in ended:
            del self.sessions[key]
        return len(ended)

    async def count_for(self, username: str) -> int:
        return sum(1 for s in self.sessions.values() if s.username == username)


class FakeAttempts:
    def __init__(self) -> None:
        self.records: dict[str, Attempts] = {}

    async def get(self, key: str) -> Attempts | None:
        return self.records.get(key)

    async def put(self, attempts: Attempts) -> None:
        self.records[attempts.key] = attempts

    async def clear(self, key: str) -> None:
        self.records.pop(key, None)


class FakeOpened:
    def __init__(self) -> None:
        self.first: dict[tuple[str, str, str], datetime] = {}

    async def mark(self, kind: str, item: str, username: str, at: datetime) -> None:
        self.first.setdefault((kind, item, username), at)

    async def opened(self, kind: str, items: Iterable[str], username: str) -> set[str]:
        return {i for i in items if (kind, i, username) in self.first}


class FakeGatewayTx(FakeTx):
    def __init__(self) -> None:
        super().__init__()
        self.people = FakePeople()
        self.sessions = FakeSessions()
        self.audit = FakeAudit()


@dataclass
class FakeGateway:
    deps: GatewayDeps
    tx: FakeGatewayTx
    wall: FixedClock

    def later(self, seconds: float) -> None:
        self.wall.advance(timedelta(seconds=seconds))


def fake_gateway(*, free: int = 3, accounts: Accounts | None = None) -> FakeGateway:
    tx = FakeGatewayTx()
    wall = FixedClock(NOW)
    deps = GatewayDeps(
        uow=FakeUnitOfWork(tx),
        people=tx.people,
        sessions=tx.sessions,
        attempts=FakeAttempts(),
        opened=FakeOpened(),
        passwords=FakePasswords(),
        clock=FixedClock(NOW),
        wall=wall,
        metrics=GatewayMetrics.create(CollectorRegistry()),
        session_rules=SessionRules(life=timedelta(hours=12), idle=timedelta(hours=2)),
        user_backoff=BackoffPolicy(free=free, base_seconds=2, cap_seconds=900),
        address_backoff=BackoffPolicy(free=20, base_seconds=2, cap_seconds=900),
        accounts=accounts or Accounts(),
    )
    return FakeGateway(deps=deps, tx=tx, wall=wall)
