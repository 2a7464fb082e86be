"""Timed work as keyed documents (:mod:`.store`) and the loops that run it (:mod:`.loop`).

``TimedJobs`` schedules, claims (lease + fencing token) and completes jobs, and
``TimedJobs.in_session(session)`` (``SessionJobs``) does so inside a transaction; ``JobLoop``
is every service's one loop over due jobs and ``every`` its one periodic loop; both stop
when their task is cancelled, even if a library swallowed the cancellation.
``ReplicaSessions`` (:mod:`.replicas`) ends the transactions a killed replica left open.
"""

from shared.jobs.loop import JobLoop, every
from shared.jobs.replicas import ReplicaSessions
from shared.jobs.store import JOB_INDEXES, Claim, FencedOut, SessionJobs, TimedJobs

__all__ = [
    "JOB_INDEXES",
    "Claim",
    "FencedOut",
    "JobLoop",
    "ReplicaSessions",
    "SessionJobs",
    "TimedJobs",
    "every",
]
