"""What the publisher's use cases are given, and the names of their timed jobs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.publisher.channels import Channel
from services.publisher.domain.slots import SlotPolicy
from services.publisher.metrics import PublisherMetrics
from services.publisher.ports import CalendarRepository, JobClaims, PostRepository, PublisherTx
from services.publisher.settings import PublisherSettings
from shared.accounts import DEFAULT_ACCOUNT, UnknownAccount
from shared.clock import Clock
from shared.outbox import UnitOfWorkPort

__all__ = ["PUBLISH_JOB", "RECONCILE_JOB", "PublisherDeps"]

PUBLISH_JOB = "publish"
RECONCILE_JOB = "reconcile"
"""The default account's job kinds; another account's name it (``domain.job_kind``)."""


@dataclass(frozen=True)
class PublisherDeps:
    """Adapters and configuration the use cases work with (wired in ``bootstrap``).

    ``uow`` runs work in one transaction with :class:`~services.publisher.ports.PublisherTx`;
    ``posts`` and ``calendar`` read outside any (routes, a job's first look); ``jobs`` is
    what a running job does with its own claim (renew, release, complete alone).
    ``channels`` and ``policies`` are each account's channel and slot policy (#12).
    """

    uow: UnitOfWorkPort[PublisherTx]
    posts: PostRepository
    calendar: CalendarRepository
    jobs: JobClaims
    clock: Clock
    channels: Mapping[str, Channel]
    settings: PublisherSettings
    policies: Mapping[str, SlotPolicy]
    metrics: PublisherMetrics

    def channel_for(self, account: str) -> Channel:
        """The channel ``account``'s posts go out on."""
        try:
            return self.channels[account]
        except KeyError:
            raise UnknownAccount(account) from None

    def policy_for(self, account: str) -> SlotPolicy:
        """``account``'s slot calendar and capacity."""
        try:
            return self.policies[account]
        except KeyError:
            raise UnknownAccount(account) from None

    @property
    def channel(self) -> Channel:
        """The default account's channel (a one-account deployment's only one)."""
        return self.channel_for(DEFAULT_ACCOUNT)

    @property
    def policy(self) -> SlotPolicy:
        """The default account's slot policy."""
        return self.policy_for(DEFAULT_ACCOUNT)

    def real_to_business(self, seconds: float) -> timedelta:
        """A real-time interval as business time (an accelerated clock runs faster)."""
        return timedelta(seconds=seconds * self.clock.speed)

    def after_real(self, seconds: float) -> datetime:
        """The business instant ``seconds`` of real time from now."""
        return self.clock.now() + self.real_to_business(seconds)
