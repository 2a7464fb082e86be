"""The keys of a post's timed jobs, their kinds, and when a retry is due.

The default account's keys and kinds are those from before accounts (#12), so jobs
scheduled before an upgrade are still found; another account's name it.
"""

from __future__ import annotations

from datetime import datetime

from shared.accounts import DEFAULT_ACCOUNT

__all__ = ["job_kind", "publish_job_key", "reconcile_job_key", "retry_due_at"]


def _scoped(prefix: str, account: str) -> str:
    return prefix if account == DEFAULT_ACCOUNT else f"{prefix}:{account}"


def job_kind(kind: str, account: str = DEFAULT_ACCOUNT) -> str:
    """The job kind of ``account``'s ``kind`` jobs (``publish``, ``publish:talent``): each
    account's jobs are claimed by its own loop, so one account's slow channel cannot
    hold the jobs of another."""
    return _scoped(kind, account)


def publish_job_key(post_id: str, rev: int, account: str = DEFAULT_ACCOUNT) -> str:
    """One publishing job per post and schedule revision (a reschedule makes a new one)."""
    return f"{_scoped('publish-post', account)}:{post_id}:{rev}"


def reconcile_job_key(post_id: str, round_: int, account: str = DEFAULT_ACCOUNT) -> str:
    return f"{_scoped('reconcile-post', account)}:{post_id}:{round_}"


def retry_due_at(slot_at: datetime, now: datetime) -> datetime:
    """When a post found not to have gone out is tried again: now, never before its slot."""
    return max(now, slot_at)
