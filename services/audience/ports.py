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
    async def get(self, code: str) -> Branch | None: ...
    async def insert(self, branch: Branch, image: bytes | None) -> None: ...
    async def image(self, code: str) -> bytes | None: ...
    async def all(self) -> list[Branch]: ...


class Campaigns(Protocol):
    async def get(self, code: str) -> Campaign | None: ...
    async def insert(self, campaign: Campaign, image: bytes | None) -> None: ...
    async def image(self, code: str) -> bytes | None: ...
    async def all(self) -> list[Campaign]: ...


class Pushes(Protocol):
    async def record(self, key: str, *, openid: str, kind: str, at: datetime) -> None:
        """Record the push; :class:`~.errors.DuplicatePush` when it was (which, in a
        transaction, aborts it)."""
        ...

    async def count_click(self, key: str, day: date) -> None:
        """Count one click of the menu button ``key`` on China day ``day``."""
        ...


class Followers(Protocol):
    async def get(self, openid: str) -> Follower | None: ...
    async def save(self, follower: Follower) -> None: ...
    async def insert_new(self, follower: Follower) -> bool:
        """Insert unless the openid is known; True when inserted."""
        ...

    async def record_change(
        self, follower: Follower, change: Change, *, at: datetime, day: date, event_id: str
    ) -> None:
        """Keep the change by China day (reconciliation and the report read these)."""
        ...

    async def changes_by_day(self, first: date, last: date) -> dict[date, dict[str, int]]:
        """``{day: {"new": n, "cancelled": m}}`` from recorded pushes (back-fill excluded)."""
        ...

    async def total_at(self, instant: datetime) -> int:
        """Followers subscribed at ``instant`` as far as we know (current subscriptions)."""
        ...

    async def page(
        self, *, offset: int, limit: int, branch_code: str | None, subscribed: bool | None
    ) -> tuple[list[Follower], int]: ...

    async def summary(self) -> list[dict[str, Any]]:
        """Counts grouped by source, branch_code, campaign_code and subscribed."""
        ...


class Rules(Protocol):
    async def get(self, rule_id: str) -> KeywordRule | None: ...
    async def all(self) -> list[KeywordRule]: ...
    async def count(self) -> int: ...
    async def save(self, rule: KeywordRule) -> None: ...
    async def delete(self, rule_id: str) -> bool: ...
    async def next_seq(self) -> int: ...
    async def defaults(self) -> tuple[Reply | None, Reply | None]:
        """``(default reply, default greeting)``."""
        ...

    async def set_defaults(self, default: Reply | None, greeting: Reply | None) -> None: ...
    async def bump_revision(self) -> int:
        """A new revision of the rules (replicas recompile their matcher)."""
        ...

    async def revision(self) -> int: ...


class Menus(Protocol):
    async def add(self, menu: Menu, *, at: datetime, by: str, note: str) -> int:
        """Store a new version; returns its number (1, 2, ...)."""
        ...

    async def get(self, version: int) -> MenuVersion | None: ...
    async def mark_published(self, version: int, *, at: datetime) -> None: ...
    async def current(self) -> int | None: ...
    async def versions(self, limit: int) -> list[MenuVersion]: ...
    async def clicks(self, first: date, last: date) -> list[dict[str, Any]]: ...


class Backfill(Protocol):
    async def state(self) -> dict[str, Any] | None: ...
    async def start(self, *, at: datetime) -> bool:
        """Mark a back-fill running (resuming the saved cursor); False if running."""
        ...

    async def claim(self, owner: str, *, now: datetime, until: datetime) -> bool:
        """Hold the running back-fill until ``until`` (real time); False when another
        replica holds it (or none is running)."""
        ...

    async def advance(
        self, *, next_openid: str, offset: int, seen: int, added: int, pages: int
    ) -> None:
        """Save the cursor: the page's start and how many of its openids are done."""
        ...

    async def finish(self, *, at: datetime, error: str | None = None) -> None: ...


class Reconciliations(Protocol):
    async def save(self, day: DayReconciliation, *, at: datetime) -> None: ...
    async def page(self, limit: int) -> list[dict[str, Any]]: ...


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
