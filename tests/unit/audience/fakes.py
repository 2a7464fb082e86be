"""In-memory doubles of the audience service's ports, to run its use cases without a store.

Each repository is a :class:`~tests.fakes.uow.FakeStore` (a failed unit of work puts it
back as it was) implementing the Protocol of ``services.audience.ports`` it stands for,
with the store's guarantees the use cases rely on: a push is recorded once per natural
key, a follower once per openid. :class:`FakeWeChatApi` stands for WeChat's API.
:func:`fake_audience` wires them into an ``AudienceDeps`` on a :class:`FakeUnitOfWork`.

Import it as ``tests.unit.audience.fakes``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any, cast

from prometheus_client import CollectorRegistry

from services.audience.deps import AudienceDeps
from services.audience.domain.branches import Branch, Campaign
from services.audience.domain.followers import Change, Follower
from services.audience.domain.menu import Menu, MenuVersion
from services.audience.domain.reconcile import DayReconciliation
from services.audience.domain.replies import KeywordRule, Reply
from services.audience.errors import DuplicatePush
from services.audience.metrics import AudienceMetrics
from services.audience.settings import AudienceSettings
from services.audience.usecases.reply_book import ReplyBook
from shared.accounts import DEFAULT_ACCOUNT
from shared.clock import FixedClock
from shared.wechat import WeChatError
from shared.wechat.followers import (
    FollowerInfo,
    FollowerPage,
    QrTicket,
    UserCumulateRow,
    UserSummaryRow,
)
from tests.fakes.audit import FakeAudit
from tests.fakes.uow import FakeStore, FakeTx, FakeUnitOfWork

__all__ = ["START", "FakeAudience", "FakeWeChatApi", "fake_audience"]

START = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
TOKENS = {"director-token-0000000001": {"subject": "liu", "roles": ["director"]}}


class FakeBranches(FakeStore):
    """Keyed by (account, code): a code is unique within its account."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], tuple[Branch, bytes | None]] = {}

    async def get(self, account: str, code: str) -> Branch | None:
        row = self.rows.get((account, code))
        return row[0] if row else None

    async def insert(self, branch: Branch, image: bytes | None) -> None:
        assert (branch.account, branch.code) not in self.rows, "duplicate key"
        self.rows[(branch.account, branch.code)] = (branch, image)

    async def image(self, account: str, code: str) -> bytes | None:
        row = self.rows.get((account, code))
        return row[1] if row else None

    async def all(self, accounts: Sequence[str]) -> list[Branch]:
        return [b for key, (b, _) in sorted(self.rows.items()) if key[0] in accounts]


class FakeCampaigns(FakeStore):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], tuple[Campaign, bytes | None]] = {}

    async def get(self, account: str, code: str) -> Campaign | None:
        row = self.rows.get((account, code))
        return row[0] if row else None

    async def insert(self, campaign: Campaign, image: bytes | None) -> None:
        assert (campaign.account, campaign.code) not in self.rows, "duplicate key"
        self.rows[(campaign.account, campaign.code)] = (campaign, image)

    async def image(self, account: str, code: str) -> bytes | None:
        row = self.rows.get((account, code))
        return row[1] if row else None

    async def all(self, accounts: Sequence[str]) -> list[Campaign]:
        return [c for key, (c, _) in sorted(self.rows.items()) if key[0] in accounts]


class FakePushes(FakeStore):
    def __init__(self) -> None:
        self.keys: dict[str, str] = {}
        self.clicks: dict[tuple[str, str, str], int] = {}

    async def record(self, key: str, *, account: str, openid: str, kind: str, at: datetime) -> None:
        if key in self.keys:
            raise DuplicatePush(key)
        self.keys[key] = kind

    async def count_click(self, account: str, key: str, day: date) -> None:
        slot = (account, day.isoformat(), key)
        self.clicks[slot] = self.clicks.get(slot, 0) + 1


@dataclass
class RecordedChange:
    openid: str
    change: Change
    day: date
    via: str
    event_id: str
    account: str = DEFAULT_ACCOUNT


class FakeFollowers(FakeStore):
    """Keyed by (account, openid)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Follower] = {}
        self.changes: list[RecordedChange] = []

    async def get(self, account: str, openid: str) -> Follower | None:
        return self.rows.get((account, openid))

    async def save(self, follower: Follower) -> None:
        self.rows[(follower.account, follower.openid)] = follower

    async def insert_new(self, follower: Follower) -> bool:
        if (follower.account, follower.openid) in self.rows:
            return False
        self.rows[(follower.account, follower.openid)] = follower
        return True

    async def record_change(
        self, follower: Follower, change: Change, *, at: datetime, day: date, event_id: str
    ) -> None:
        self.changes.append(
            RecordedChange(
                follower.openid, change, day, follower.via.value, event_id, follower.account
            )
        )

    async def changes_by_day(
        self, account: str, first: date, last: date
    ) -> dict[date, dict[str, int]]:
        out: dict[date, dict[str, int]] = {}
        for c in self.changes:
            if c.account == account and first <= c.day <= last and c.via == "push":
                counts = out.setdefault(c.day, {"new": 0, "cancelled": 0})
                counts["cancelled" if c.change is Change.UNSUBSCRIBED else "new"] += 1
        return out

    async def total_at(self, account: str, instant: datetime) -> int:
        return sum(
            1
            for f in self.rows.values()
            if f.account == account
            and f.subscribed_at is not None
            and f.subscribed_at <= instant
            and (f.subscribed or (f.unsubscribed_at is not None and f.unsubscribed_at > instant))
        )

    async def page(
        self,
        accounts: Sequence[str],
        *,
        offset: int,
        limit: int,
        branch_code: str | None,
        subscribed: bool | None,
    ) -> tuple[list[Follower], int]:
        rows = [
            f
            for _, f in sorted(self.rows.items())
            if f.account in accounts
            and (branch_code is None or f.attribution.branch_code == branch_code)
            and (subscribed is None or f.subscribed == subscribed)
        ]
        return rows[offset : offset + limit], len(rows)

    async def summary(self, accounts: Sequence[str]) -> list[dict[str, Any]]:
        return []


class FakeRules(FakeStore):
    """Rules by id (each of an account); defaults, revisions and order per account."""

    def __init__(self) -> None:
        self.rows: dict[str, KeywordRule] = {}
        self.replies: dict[str, tuple[Reply | None, Reply | None]] = {}
        self.revisions: dict[str, int] = {}
        self.seqs: dict[str, int] = {}

    async def get(self, rule_id: str) -> KeywordRule | None:
        return self.rows.get(rule_id)

    async def all(self, account: str) -> list[KeywordRule]:
        return sorted((r for r in self.rows.values() if r.account == account), key=lambda r: r.seq)

    async def count(self, account: str) -> int:
        return sum(1 for r in self.rows.values() if r.account == account)

    async def save(self, rule: KeywordRule) -> None:
        self.rows[rule.rule_id] = rule

    async def delete(self, rule_id: str) -> bool:
        return self.rows.pop(rule_id, None) is not None

    async def next_seq(self, account: str) -> int:
        self.seqs[account] = self.seqs.get(account, 0) + 1
        return self.seqs[account]

    async def defaults(self, account: str) -> tuple[Reply | None, Reply | None]:
        return self.replies.get(account, (None, None))

    async def set_defaults(
        self, account: str, default: Reply | None, greeting: Reply | None
    ) -> None:
        self.replies[account] = (default, greeting)

    async def bump_revision(self, account: str = DEFAULT_ACCOUNT) -> int:
        self.revisions[account] = self.revisions.get(account, 0) + 1
        return self.revisions[account]

    async def revision(self, account: str) -> int:
        return self.revisions.get(account, 0)


class FakeMenus(FakeStore):
    """Versions numbered per account."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, int], MenuVersion] = {}
        self.current_versions: dict[str, int] = {}

    @property
    def current_version(self) -> int | None:
        return self.current_versions.get(DEFAULT_ACCOUNT)

    async def add(self, account: str, menu: Menu, *, at: datetime, by: str, note: str) -> int:
        version = sum(1 for a, _ in self.rows if a == account) + 1
        self.rows[(account, version)] = MenuVersion(version, menu, at, by, note, None, account)
        return version

    async def get(self, account: str, version: int) -> MenuVersion | None:
        return self.rows.get((account, version))

    async def mark_published(self, account: str, version: int, *, at: datetime) -> None:
        self.rows[(account, version)] = replace(self.rows[(account, version)], published_at=at)
        self.current_versions[account] = version

    async def current(self, account: str) -> int | None:
        return self.current_versions.get(account)

    async def versions(self, account: str, limit: int) -> list[MenuVersion]:
        mine = [v for (a, _), v in self.rows.items() if a == account]
        return sorted(mine, key=lambda v: -v.version)[:limit]

    async def clicks(
        self, accounts: Sequence[str], first: date, last: date
    ) -> list[dict[str, Any]]:
        return []


class FakeBackfill(FakeStore):
    """One back-fill state per account."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}

    @property
    def doc(self) -> dict[str, Any] | None:
        return self.docs.get(DEFAULT_ACCOUNT)

    async def state(self, account: str) -> dict[str, Any] | None:
        doc = self.docs.get(account)
        return dict(doc) if doc else None

    async def start(self, account: str, *, at: datetime) -> bool:
        doc = self.docs.get(account)
        if doc and doc["status"] == "running":
            return False
        base = {"next_openid": "", "offset": 0, "seen": 0, "added": 0, "pages": 0}
        if doc and doc["status"] != "done":
            base = {k: doc[k] for k in base}
        self.docs[account] = {**base, "status": "running", "error": None}
        return True

    async def claim(self, account: str, owner: str, *, now: datetime, until: datetime) -> bool:
        doc = self.docs.get(account)
        if not doc or doc["status"] != "running":
            return False
        held = doc.get("lease_until")
        if held is not None and held > now and doc.get("lease_owner") != owner:
            return False
        doc.update(lease_owner=owner, lease_until=until)
        return True

    async def advance(
        self, account: str, *, next_openid: str, offset: int, seen: int, added: int, pages: int
    ) -> None:
        self.docs[account].update(
            next_openid=next_openid, offset=offset, seen=seen, added=added, pages=pages
        )

    async def finish(self, account: str, *, at: datetime, error: str | None = None) -> None:
        self.docs[account].update(
            status="stopped" if error else "done", error=error, lease_owner=None, lease_until=None
        )


class FakeReconciliations(FakeStore):
    def __init__(self) -> None:
        self.rows: dict[tuple[str, date], DayReconciliation] = {}

    async def save(self, day: DayReconciliation, *, at: datetime) -> None:
        self.rows[(day.account, day.day)] = day

    async def page(self, accounts: Sequence[str], limit: int) -> list[dict[str, Any]]:
        return []


class FakeAudienceTx(FakeTx):
    def __init__(self) -> None:
        super().__init__()
        self.branches = FakeBranches()
        self.campaigns = FakeCampaigns()
        self.pushes = FakePushes()
        self.followers = FakeFollowers()
        self.rules = FakeRules()
        self.menus = FakeMenus()
        self.backfill = FakeBackfill()
        self.audit = FakeAudit()


class FakeWeChatApi:
    """WeChat's API in memory: QR codes, followers (pages of ``page_size``), statistics,
    the menu; ``fail_info_after`` makes ``follower_info`` fail after that many calls."""

    def __init__(self, app_id: str = "wx-default") -> None:
        self.app_id = app_id
        self.qrcodes: list[tuple[str, int | None]] = []
        self.followers_list: list[FollowerInfo] = []
        self.page_size = 10_000
        self.info_calls = 0
        self.fail_info_after: int | None = None
        self.summary: list[UserSummaryRow] = []
        self.cumulate: list[UserCumulateRow] = []
        self.menus: list[list[dict[str, Any]]] = []

    async def create_qrcode(self, scene: str, *, expire_seconds: int | None = None) -> QrTicket:
        self.qrcodes.append((scene, expire_seconds))
        n = len(self.qrcodes)
        return QrTicket(f"ticket-{n}", f"http://weixin.qq.com/q/{n}", expire_seconds)

    async def show_qrcode(self, ticket: str) -> bytes:
        return b"not-an-image"  # the poster draws the code from its URL then

    async def followers(self, next_openid: str = "") -> FollowerPage:
        ids = [f.openid for f in self.followers_list]
        start = ids.index(next_openid) + 1 if next_openid else 0
        page = ids[start : start + self.page_size]
        return FollowerPage(len(ids), tuple(page), page[-1] if page else "")

    async def follower_info(self, openid: str) -> FollowerInfo:
        if self.fail_info_after is not None and self.info_calls >= self.fail_info_after:
            self.fail_info_after = None
            raise WeChatError(45009, "quota")
        self.info_calls += 1
        return next(f for f in self.followers_list if f.openid == openid)

    async def user_summary(self, begin: date, end: date) -> list[UserSummaryRow]:
        return [r for r in self.summary if begin <= r.ref_date <= end]

    async def user_cumulate(self, begin: date, end: date) -> list[UserCumulateRow]:
        return [r for r in self.cumulate if begin <= r.ref_date <= end]

    async def create_menu(self, buttons: Sequence[Mapping[str, Any]]) -> None:
        self.menus.append([dict(b) for b in buttons])


@dataclass
class FakeAudience:
    deps: AudienceDeps
    uow: FakeUnitOfWork[FakeAudienceTx]
    view: FakeAudienceTx
    wechat: FakeWeChatApi
    clock: FixedClock
    apis: dict[str, FakeWeChatApi]
    """WeChat's API per account (``wechat`` is the default account's)."""


def fake_audience(
    *, now: datetime = START, wechat_accounts: Sequence[str] | None = None, **settings: Any
) -> FakeAudience:
    """The use cases' deps in memory; ``accounts_json=`` lists accounts, and
    ``wechat_accounts`` those with WeChat's API (every account by default)."""
    view = FakeAudienceTx()
    uow = FakeUnitOfWork(view)
    clock = FixedClock(now)
    config = AudienceSettings(api_tokens=TOKENS, **settings)
    with_api = config.accounts.ids if wechat_accounts is None else wechat_accounts
    apis = {account: FakeWeChatApi(f"wx-{account}") for account in with_api}
    wechat = apis.get(DEFAULT_ACCOUNT) or FakeWeChatApi()
    adopted = asyncio.Event()
    adopted.set()
    deps = AudienceDeps(
        uow=cast(Any, uow),
        branches=view.branches,
        campaigns=view.campaigns,
        followers=view.followers,
        pushes=view.pushes,
        rules=view.rules,
        menus=view.menus,
        backfill=view.backfill,
        reconciliations=FakeReconciliations(),
        replies=ReplyBook(view.rules, refresh_seconds=0.0),
        wechat=dict(apis),
        clock=clock,
        settings=config,
        metrics=AudienceMetrics.create(CollectorRegistry()),
        adopted=adopted,
    )
    return FakeAudience(deps, uow, view, wechat, clock, apis)
