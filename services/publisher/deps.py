"""What the publisher's use cases are given, and the names of their timed jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.publisher.channels import Channel
from services.publisher.domain.slots import SlotPolicy
from services.publisher.metrics import PublisherMetrics
from services.publisher.ports import CalendarRepository, JobClaims, PostRepository, PublisherTx
from services.publisher.settings import PublisherSettings
from shared.clock import Clock
from shared.outbox import UnitOfWorkPort

__all__ = ["PUBLISH_JOB", "RECONCILE_JOB", "PublisherDeps"]

PUBLISH_JOB = "publish"
RECONCILE_JOB = "reconcile"


@dataclass(frozen=True)
class PublisherDeps:
    """Adapters and configuration the use cases work with (wired in ``bootstrap``).

    ``uow`` runs work in one transaction with :class:`~services.publisher.ports.PublisherTx`;
    ``posts`` and ``calendar`` read outside any (routes, a job's first look); ``jobs`` is
    what a running job does with its own claim (renew, release, complete alone).
    """

    uow: UnitOfWorkPort[PublisherTx]
    posts: PostRepository
    calendar: CalendarRepository
    jobs: JobClaims
    clock: Clock
    channel: Channel
    settings: PublisherSettings
    policy: SlotPolicy
    metrics: PublisherMetrics

    def real_to_business(self, seconds: float) -> timedelta:
        """A real-time interval as business time (an accelerated clock runs faster)."""
        return timedelta(seconds=seconds * self.clock.speed)

    def after_real(self, seconds: float) -> datetime:
        """The business instant ``seconds`` of real time from now."""
        return self.clock.now() + self.real_to_business(seconds)
