"""What the audience use cases are given (wired in ``bootstrap``)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.audience.metrics import AudienceMetrics
from services.audience.ports import (
    AudienceTx,
    Backfill,
    Branches,
    Campaigns,
    Followers,
    Menus,
    Pushes,
    Reconciliations,
    Rules,
    WeChatAudience,
)
from services.audience.settings import AudienceSettings
from services.audience.usecases.reply_book import ReplyBook
from shared.accounts import Accounts
from shared.clock import Clock
from shared.outbox import UnitOfWorkPort

__all__ = ["BACKFILL_JOB", "CHINA", "RECONCILE_JOB", "AudienceDeps"]

CHINA = ZoneInfo("Asia/Shanghai")
BACKFILL_JOB = "follower-backfill"
RECONCILE_JOB = "daily-reconciliation"


@dataclass(frozen=True)
class AudienceDeps:
    """Adapters and configuration the use cases work with.

    ``uow`` hands a use case the repositories bound to one transaction; the others are
    the same repositories outside one (reads). ``wechat`` holds WeChat's API for each
    account whose app credentials are set (tokens are cached per account: one client
    each); :meth:`api` is None for another. ``adopted`` is set once older documents
    belong to the default account (start-up), before loops and the replies read by it.
    """

    uow: UnitOfWorkPort[AudienceTx]
    branches: Branches
    campaigns: Campaigns
    followers: Followers
    pushes: Pushes
    rules: Rules
    menus: Menus
    backfill: Backfill
    reconciliations: Reconciliations
    replies: ReplyBook
    wechat: Mapping[str, WeChatAudience]
    clock: Clock
    settings: AudienceSettings
    metrics: AudienceMetrics
    adopted: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def accounts(self) -> Accounts:
        """The deployment's official accounts."""
        return self.settings.accounts

    def api(self, account: str) -> WeChatAudience | None:
        """WeChat's API with the account's credentials (None: not configured for it)."""
        return self.wechat.get(account)

    def china_day(self, at: datetime | None = None) -> date:
        """The China date of ``at`` (now by default): WeChat's statistics count by it."""
        return (at or self.clock.now()).astimezone(CHINA).date()
