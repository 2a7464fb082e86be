"""What the audience use cases are given (wired in ``bootstrap``)."""

from __future__ import annotations

from dataclasses import dataclass
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
    the same repositories outside one (reads). ``wechat`` is None until the app's
    credentials are set.
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
    wechat: WeChatAudience | None
    clock: Clock
    settings: AudienceSettings
    metrics: AudienceMetrics

    def china_day(self, at: datetime | None = None) -> date:
        """The China date of ``at`` (now by default): WeChat's statistics count by it."""
        return (at or self.clock.now()).astimezone(CHINA).date()
