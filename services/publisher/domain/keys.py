"""The keys of a post's timed jobs, and when a retry is due."""

from __future__ import annotations

from datetime import datetime

__all__ = ["publish_job_key", "reconcile_job_key", "retry_due_at"]


def publish_job_key(post_id: str, rev: int) -> str:
    """One publishing job per post and schedule revision (a reschedule makes a new one)."""
    return f"publish-post:{post_id}:{rev}"


def reconcile_job_key(post_id: str, round_: int) -> str:
    return f"reconcile-post:{post_id}:{round_}"


def retry_due_at(slot_at: datetime, now: datetime) -> datetime:
    """When a post found not to have gone out is tried again: now, never before its slot."""
    return max(now, slot_at)
