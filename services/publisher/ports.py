"""What the publisher's use cases need of the outside world, as Protocols.

``PublisherTx`` is the transaction view ``deps.uow.run`` hands a use case's work: the
repositories bound to that transaction and ``emit``. The Mongo implementations are in
:mod:`services.publisher.repository`; the unit tests' in-memory ones in
``tests/unit/publisher/fakes.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from services.publisher.domain import Post, PostState, Transition
from shared.jobs import Claim
from shared.outbox import Transaction
from shared.ports import AuditTrail, JobsInTransaction

__all__ = [
    "CalendarRepository",
    "JobClaims",
    "PostRepository",
    "PublisherTx",
    "SeatRepository",
]


class PostRepository(Protocol):
    async def get(self, post_id: str) -> Post | None: ...

    async def by_revision(self, draft_id: str, revision: int) -> Post | None: ...

    async def draft_account(self, draft_id: str) -> str | None:
        """The account of the draft's posts stored so far (None: none stored)."""
        ...

    async def open_older_revisions(self, draft_id: str, revision: int) -> list[Post]:
        """Earlier revisions of the draft that have not started publishing."""
        ...

    async def earlier_revision_out(self, draft_id: str, revision: int) -> Post | None:
        """An earlier revision of the draft that went out, or may have (in flight)."""
        ...

    async def insert(self, post: Post) -> None:
        """Store a new post; ``SeatTaken`` when its revision was stored meanwhile."""
        ...

    async def apply(self, transition: Transition) -> bool:
        """Apply ``transition`` if the post still matches its guard; False otherwise."""
        ...

    async def in_states(self, accounts: Sequence[str], states: Sequence[PostState]) -> list[Post]:
        """The posts of ``accounts`` in ``states``."""
        ...

    async def in_slots(self, accounts: Sequence[str], slot_keys: Sequence[str]) -> list[Post]:
        """The posts of ``accounts`` in the slots ``slot_keys``."""
        ...

    async def page(
        self, *, accounts: Sequence[str], states: Sequence[PostState], offset: int, limit: int
    ) -> tuple[list[Post], int]:
        """Posts of ``accounts``, newest slot first, and how many match."""
        ...


class SeatRepository(Protocol):
    """Each account's seats: two accounts' slots at one instant do not share seats."""

    async def occupancy(self, account: str, since: datetime) -> dict[str, int]:
        """Taken seats of ``account`` per slot key, for slots at or after ``since``."""
        ...

    async def taken(self, account: str, slot_key: str) -> set[int]: ...

    async def take(
        self, account: str, slot_key: str, seat: int, *, at: datetime, post_id: str
    ) -> None:
        """Take the seat; ``SeatTaken`` when another transaction took it."""
        ...

    async def free(self, account: str, slot_key: str, seat: int | None) -> None: ...


class CalendarRepository(Protocol):
    """Each account's hold."""

    async def hold(self, account: str = ...) -> Mapping[str, Any]: ...

    async def is_held(self, account: str = ...) -> bool: ...

    async def set_hold(
        self, account: str, *, held: bool, actor: str, reason: str, at: datetime
    ) -> bool:
        """Hold or release ``account``'s calendar; False when it already was in that state."""
        ...


class JobClaims(Protocol):
    """What a running job does with its own claim, outside any transaction."""

    async def renew(self, claim: Claim) -> None: ...

    async def release(self, claim: Claim, *, retry_in: timedelta, now: datetime) -> None: ...

    async def complete(self, claim: Claim, *, outcome: str = ...) -> None: ...


class PublisherTx(Transaction, Protocol):
    """The publisher's repositories bound to one transaction, and ``emit``."""

    @property
    def posts(self) -> PostRepository: ...

    @property
    def seats(self) -> SeatRepository: ...

    @property
    def calendar(self) -> CalendarRepository: ...

    @property
    def jobs(self) -> JobsInTransaction: ...

    @property
    def audit(self) -> AuditTrail: ...
