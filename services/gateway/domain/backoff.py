"""Exponential back-off after repeated failed sign-ins, per user and per client address.

A key (``user:<name>`` or ``addr:<ip>``) may fail ``free`` times; each further failure
locks it for ``base * 2**(n - free - 1)`` seconds (at most ``cap``). While locked, a sign-in
is refused without even checking the password, so guessing costs the attacker time. A
success clears the user's record; failures older than ``forget_after`` are forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["Attempts", "BackoffPolicy"]


@dataclass(frozen=True)
class Attempts:
    """Failed sign-ins recorded against one key."""

    key: str
    failures: int
    last_failure_at: datetime
    locked_until: datetime | None


@dataclass(frozen=True)
class BackoffPolicy:
    """How long repeated failures lock a key."""

    free: int
    base_seconds: float
    cap_seconds: float
    forget_after: timedelta = timedelta(hours=1)

    def delay_after(self, failures: int) -> float:
        """Seconds a key stays locked after its ``failures``-th failure."""
        over = failures - self.free
        if over <= 0:
            return 0.0
        return float(min(self.cap_seconds, self.base_seconds * 2 ** min(over - 1, 30)))

    def current(self, record: Attempts | None, now: datetime) -> Attempts | None:
        """``record`` unless it is old enough to be forgotten."""
        if record is None or now - record.last_failure_at > self.forget_after:
            return None
        return record

    def wait_seconds(self, record: Attempts | None, now: datetime) -> float:
        """How long a sign-in on this key must still wait (0: it may try now)."""
        record = self.current(record, now)
        if record is None or record.locked_until is None:
            return 0.0
        return max(0.0, (record.locked_until - now).total_seconds())

    def after_failure(self, key: str, record: Attempts | None, now: datetime) -> Attempts:
        """The record once one more failure happened at ``now``."""
        failures = (self.current(record, now) or Attempts(key, 0, now, None)).failures + 1
        delay = self.delay_after(failures)
        locked = now + timedelta(seconds=delay) if delay > 0 else None
        return Attempts(key=key, failures=failures, last_failure_at=now, locked_until=locked)
