"""Injectable clocks: every service asks a ``Clock`` for the time, never ``datetime.now``.

``AcceleratedClock`` lets all services share one simulated time through configuration
(a real epoch, a simulated epoch and a speed), so the demo and tests can run two weeks of
the plan in minutes without a code path of their own.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["AcceleratedClock", "Clock", "FixedClock", "SystemClock", "sleep_until"]


class Clock(Protocol):
    """Source of the current instant (aware UTC) and of the speed of time."""

    def now(self) -> datetime: ...

    @property
    def speed(self) -> float:
        """Simulated seconds per real second."""
        ...


class SystemClock:
    """The real time."""

    speed: float = 1.0

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that moves only when told to; for unit tests."""

    speed: float = 1.0

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> None:
        self._at += delta


class AcceleratedClock:
    """Simulated time = ``sim_epoch + (real_now - real_epoch) * speed``.

    Every process configured with the same three numbers reads the same simulated time.
    """

    def __init__(self, *, sim_epoch: datetime, real_epoch: float, speed: float) -> None:
        if sim_epoch.tzinfo is None:
            raise ValueError("sim_epoch must be aware")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._sim_epoch = sim_epoch.astimezone(UTC)
        self._real_epoch = real_epoch
        self._speed = speed

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> datetime:
        elapsed = time.time() - self._real_epoch
        return self._sim_epoch + timedelta(seconds=elapsed * self._speed)


async def sleep_until(clock: Clock, instant: datetime, *, max_real: float = 1.0) -> None:
    """Sleep (in real time) until ``clock`` reaches ``instant``, at most ``max_real`` s.

    Waking at least every ``max_real`` seconds keeps loops responsive to shutdown and to
    new work; callers loop until the instant is reached.
    """
    remaining = (instant - clock.now()).total_seconds() / clock.speed
    await asyncio.sleep(min(max(remaining, 0.0), max_real))
