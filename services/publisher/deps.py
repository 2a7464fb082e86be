"""What the publisher's use cases are given, and the names of their timed jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.publisher.channels import Channel
from services.publisher.metrics import PublisherMetrics
from services.publisher.repository import PostRepository
from services.publisher.settings import PublisherSettings
from services.publisher.slots import SlotPolicy
from shared.clock import Clock
from shared.jobs import TimedJobs
from shared.outbox import UnitOfWork

__all__ = [
    "PUBLISH_JOB",
    "RECONCILE_JOB",
    "PublisherDeps",
    "publish_job_key",
    "reconcile_job_key",
]

PUBLISH_JOB = "publish"
RECONCILE_JOB = "reconcile"


def publish_job_key(post_id: str, rev: int) -> str:
    """One publishing job per post and schedule revision (a reschedule makes a new one)."""
    return f"publish-post:{post_id}:{rev}"


def reconcile_job_key(post_id: str, round_: int) -> str:
    return f"reconcile-post:{post_id}:{round_}"


@dataclass(frozen=True)
class PublisherDeps:
    """Adapters and configuration the use cases work with (wired in ``bootstrap``)."""

    repo: PostRepository
    uow: UnitOfWork
    jobs: TimedJobs
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
