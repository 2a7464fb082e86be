"""Timed work as keyed documents (:mod:`.store`) and the loops that run it (:mod:`.loop`).

``TimedJobs`` schedules, claims (lease + fencing token) and completes jobs; ``JobLoop``
is every service's one loop over due jobs and ``every`` its one periodic loop; both stop
when their task is cancelled, even if a library swallowed the cancellation.
"""

from shared.jobs.loop import JobLoop, every
from shared.jobs.store import JOB_INDEXES, Claim, FencedOut, TimedJobs

__all__ = ["JOB_INDEXES", "Claim", "FencedOut", "JobLoop", "TimedJobs", "every"]
