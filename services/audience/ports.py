"""What the audience use cases need of the store, as Protocols.

:class:`AudienceTx` is what a use case's unit of work hands it: the repositories bound
to one transaction, the audit trail and ``emit``. ``repository/`` implements them on
MongoDB (``repository.tx.binder``), ``tests/unit/audience/fakes.py`` in memory; the same
repositories without a transaction serve the routes' reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Protocol

from services.audience.domain.branches import Branch, Campaign
from services.audience.domain.followers import Change, Follower
from services.audience.domain.menu import Menu, MenuVersion
from services.audience.domain.reconcile import DayReconciliation
from services.audience.domain.replies import KeywordRule, Reply
from shared.outbox import Transaction
from shared.ports import AuditTrail

if TYPE_CHECKING:  # the WeChat client's value objects; no httpx at import time
    from shared.wechat.followers import (
        FollowerInfo,
        FollowerPage,
        QrTicket,
        UserCumulateRow,
        UserSummaryRow,
    )

__all__ = [
    "AudienceTx",
    "Backfill",
    "Branches",
    "Campaigns",
    "Followers",
    "Menus",
    "Pushes",
    "Reconciliations",
    "Rules",
    "WeChatAudience",
]


class Branches(Protocol):
    async def get(self, account: str, code: str) -> Branch | None: ...
    async def insert(self, branch: Branch, image: bytes | None) -> None: ...
    async def image(self, account: str, code: str) -> bytes | None: ...
    async def all(self, accounts: Sequence[str]) -> list[Branch]: ...


class Campaigns(Protocol):
    async def get(self, account: str, code: str) -> Campaign | None: ...
    async def insert(self, campaign: Campaign, image: bytes | None) -> None: ...
    async def image(self, account: str, code: str) -> bytes | None: ...
    async def all(self, accounts: Sequence[str]) -> list[Campaign]: ...


class Pushes(Protocol):
    async def record(self, key: str, *, account: str, openid: str, kind: str, at: datetime) -> None:
        """Record the push; :class:`~.errors.DuplicatePush` when it was (which, in a
        transaction, aborts it). ``key`` is :func:`~.domain.followers.push_key`'s."""
        ...

    async def count_click(self, account: str, key: str, day: date) -> None:
        """Count one click of the account's menu button ``key`` on China day ``day``."""
        ...


class Followers(Protocol):
    async def get(self, account: str, openid: str) -> Follower | None: ...
    async def save(self, follower: Follower) -> None: ...
    async def insert_new(self, follower: Follower) -> bool:
        """Insert unless the openid is known in its account; True when inserted."""
        ...

    async def record_change(
        self, follower: Follower, change: Change, *, at: datetime, day: date, event_id: str
    ) -> None:
        """Keep the change by China day (reconciliation and the report read these)."""
        ...

    async def changes_by_day(
        self, account: str, first: date, last: date
    ) -> dict[date, dict[str, int]]:
        """``{day: {"new": n, "cancelled": m}}`` from recorded pushes (back-fill excluded)."""
        ...

    async def total_at(self, account: str, instant: datetime) -> int:
        """Followers subscribed at ``instant`` as far as we know (current subscriptions)."""
        ...

    async def page(
        self,
        accounts: Sequence[str],
        *,
        offset: int,
        limit: int,
        branch_code: str | None,
        subscribed: bool | None,
    ) -> tuple[list[Follower], int]: ...

    async def summary(self, accounts: Sequence[str]) -> list[dict[str, Any]]:
        """Counts grouped by account, source, branch_code, campaign_code and subscribed."""
        ...


class Rules(Protocol):
    async def get(self, rule_id: str) -> KeywordRule | None: ...
    async def all(self, account: str) -> list[KeywordRule]: ...
    async def count(self, account: str) -> int: ...
    async def save(self, rule: KeywordRule) -> None: ...
    async def delete(self, rule_id: str) -> bool: ...
    async def next_seq(self, account: str) -> int: ...
    async def defaults(self, account: str) -> tuple[Reply | None, Reply | None]:
        """``(default reply, default greeting)`` of the account."""
        ...

    async def set_defaults(
        self, account: str, default: Reply | None, greeting: Reply | None
    ) -> None: ...
    async def bump_revision(self, account: str = ...) -> int:
        """A new revision of the account's rules (replicas recompile its matcher)."""
        ...

    async def revision(self, account: str) -> int: ...


class Menus(Protocol):
    async def add(self, account: str, menu: Menu, *, at: datetime, by: str, note: str) -> int:
        """Store a new version of the account's menu; returns its number (1, 2, ...)."""
        ...

    async def get(self, account: str, version: int) -> MenuVersion | None: ...
    async def mark_published(self, account: str, version: int, *, at: datetime) -> None: ...
    async def current(self, account: str) -> int | None: ...
    async def versions(self, account: str, limit: int) -> list[MenuVersion]: ...
    async def clicks(
        self, accounts: Sequence[str], first: date, last: date
    ) -> list[dict[str, Any]]: ...


class Backfill(Protocol):
    async def state(self, account: str) -> dict[str, Any] | None: ...
    async def start(self, account: str, *, at: datetime) -> bool:
        """Mark the account's back-fill running (resuming the saved cursor); False if
        running."""
        ...

    async def claim(self, account: str, owner: str, *, now: datetime, until: datetime) -> bool:
        """Hold the account's running back-fill until ``until`` (real time); False when
        another replica holds it (or none is running)."""
        ...

    async def advance(
        self, account: str, *, next_openid: str, offset: int, seen: int, added: int, pages: int
    ) -> None:
        """Save the cursor: the page's start and how many of its openids are done."""
        ...

    async def finish(self, account: str, *, at: datetime, error: str | None = None) -> None: ...


class Reconciliations(Protocol):
    async def save(self, day: DayReconciliation, *, at: datetime) -> None: ...
    async def page(self, accounts: Sequence[str], limit: int) -> list[dict[str, Any]]: ...


class AudienceTx(Transaction, Protocol):
    """The repositories bound to one transaction, the audit trail and ``emit``."""

    @property
    def branches(self) -> Branches: ...

    @property
    def campaigns(self) -> Campaigns: ...

    @property
    def pushes(self) -> Pushes: ...

    @property
    def followers(self) -> Followers: ...

    @property
    def rules(self) -> Rules: ...

    @property
    def menus(self) -> Menus: ...

    @property
    def backfill(self) -> Backfill: ...

    @property
    def audit(self) -> AuditTrail: ...


class WeChatAudience(Protocol):
    """WeChat's API as the use cases need it (``shared.wechat.followers.AudienceApi``)."""

    async def create_qrcode(self, scene: str, *, expire_seconds: int | None = None) -> QrTicket: ...
    async def show_qrcode(self, ticket: str) -> bytes: ...
    async def followers(self, next_openid: str = "") -> FollowerPage: ...
    async def follower_info(self, openid: str) -> FollowerInfo: ...
    async def user_summary(self, begin: date, end: date) -> list[UserSummaryRow]: ...
    async def user_cumulate(self, begin: date, end: date) -> list[UserCumulateRow]: ...
    async def create_menu(self, buttons: Sequence[Mapping[str, Any]]) -> None: ...
