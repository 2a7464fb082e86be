"""One account of punctuality for the timeline and the summary.

The publisher measures a post's lateness itself: ``lateness_seconds`` of ``post.published``
(and of ``GET /posts``) is the simulated time from the slot to ``published_at``. It counts
a post as on time when that lateness is within its on-time tolerance
(``PUBLISHER_ON_TIME_TOLERANCE_SECONDS``; the demo scales it with the clock's speed, see
:class:`demo.config.DemoPlan`). The timeline and the summary both judge with
:class:`Punctuality`, built from the tolerance the publisher was started with, so a post
printed as on time is counted as on time.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from demo.config import DemoPlan

__all__ = ["Punctuality"]


@dataclass(frozen=True)
class Punctuality:
    """The publisher's on-time tolerance (simulated seconds) at the run's speed."""

    tolerance_seconds: float
    speed: float = 1.0

    @classmethod
    def of_run(cls, plan: DemoPlan, env: Mapping[str, str] | None = None) -> Punctuality:
        """The tolerance the publisher was started with (its env), else the plan's."""
        env = os.environ if env is None else env
        configured = env.get("PUBLISHER_ON_TIME_TOLERANCE_SECONDS")
        tolerance = float(configured) if configured else plan.on_time_tolerance_seconds
        return cls(tolerance_seconds=tolerance, speed=plan.speed)

    def on_time(self, lateness_seconds: float) -> bool:
        """The publisher's rule: on time while the lateness is within the tolerance."""
        return lateness_seconds <= self.tolerance_seconds

    def lateness_of(self, post: Mapping[str, Any]) -> float:
        """A post's lateness as the publisher measured it (0 when it reports none)."""
        return float(post.get("lateness_seconds") or 0.0)

    def _real(self, seconds: float) -> str:
        return f"{seconds / self.speed:.2g} 实际秒"

    def tolerance_text(self) -> str:
        """``容差 2000 秒 = ×4000 下 0.5 实际秒``."""
        text = f"容差 {self.tolerance_seconds:g} 秒"
        if self.speed != 1:
            text += f" = ×{self.speed:g} 下 {self._real(self.tolerance_seconds)}"
        return text

    def verdict(self, lateness_seconds: float) -> str:
        """``晚 52 秒 ≈ 0.013 实际秒，容差 2000 秒内：准时`` — or ``超出容差 …：迟发``."""
        text = f"晚 {lateness_seconds:.0f} 秒"
        if self.speed != 1:
            text += f" ≈ {self._real(lateness_seconds)}"
        if self.on_time(lateness_seconds):
            return f"{text}，容差 {self.tolerance_seconds:g} 秒内：准时"
        return f"{text}，超出容差 {self.tolerance_seconds:g} 秒：迟发"
