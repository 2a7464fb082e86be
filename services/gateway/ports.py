"""What the gateway's use cases need from the store, as Protocols (Mongo in ``repository``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal, Protocol

from services.gateway.domain.backoff import Attempts
from services.gateway.domain.people import Person
from services.gateway.domain.sessions import SessionRecord
from shared.outbox import Transaction
from shared.ports import AuditTrail

__all__ = [
    "AttemptRepository",
    "GatewayTx",
    "OpenedKind",
    "OpenedRepository",
    "PersonRepository",
    "SessionRepository",
]

OpenedKind = Literal["document", "report"]


class PersonRepository(Protocol):
    """People who may sign in (``users``)."""

    async def get(self, username: str) -> Person | None: ...

    async def insert(self, person: Person) -> bool:
        """Add ``person``; False when the user name is taken."""

    async def replace(self, person: Person) -> None: ...

    async def find(self, *, offset: int, limit: int) -> tuple[list[Person], int]:
        """People by user name, and how many there are."""

    async def active_admins(self) -> int: ...


class SessionRepository(Protocol):
    """Signed-in browsers (``sessions``), by the hash of their cookie."""

    async def create(self, session: SessionRecord) -> None: ...

    async def get(self, session_id: str) -> SessionRecord | None: ...

    async def touch(self, session_id: str, at: datetime) -> None: ...

    async def set_account(self, session_id: str, account: str) -> bool:
        """Keep the account the person works in; False if the session is gone."""

    async def delete(self, session_id: str) -> None: ...

    async def delete_for(self, username: str) -> int:
        """End every session of ``username``; how many there were."""

    async def count_for(self, username: str) -> int: ...


class AttemptRepository(Protocol):
    """Failed sign-ins per key (``signin_attempts``)."""

    async def get(self, key: str) -> Attempts | None: ...

    async def put(self, attempts: Attempts) -> None: ...

    async def clear(self, key: str) -> None: ...


class OpenedRepository(Protocol):
    """What each person has opened (``opened``): core-issues documents and reports."""

    async def mark(self, kind: OpenedKind, item: str, username: str, at: datetime) -> None:
        """Record that ``username`` opened ``item`` (the first opening is kept)."""

    async def opened(self, kind: OpenedKind, items: Iterable[str], username: str) -> set[str]:
        """Which of ``items`` ``username`` has opened."""


class GatewayTx(Transaction, Protocol):
    """What a use case sees of one transaction: people and the audit trail."""

    @property
    def people(self) -> PersonRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def audit(self) -> AuditTrail: ...
