"""The compiled rules a replica answers pushes with, refreshed when the rules change.

Edits bump a revision in the store (in the edit's transaction); each replica checks it
at most every ``AUDIENCE_RULES_REFRESH_SECONDS`` (real time) and recompiles when it moved,
so a push never waits for more than one small read, and an edit reaches every replica
within that interval (at once on the replica that made it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from services.audience.domain.matcher import Matcher
from services.audience.domain.replies import Reply
from services.audience.ports import Rules

__all__ = ["CompiledReplies", "ReplyBook"]


@dataclass(frozen=True)
class CompiledReplies:
    revision: int
    matcher: Matcher
    default: Reply | None
    greeting: Reply | None


class ReplyBook:
    """Hands out the current :class:`CompiledReplies`."""

    def __init__(
        self,
        rules: Rules,
        *,
        refresh_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rules = rules
        self._refresh = refresh_seconds
        self._monotonic = monotonic
        self._compiled: CompiledReplies | None = None
        self._checked = float("-inf")
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        """Check the revision on the next use (after an edit on this replica)."""
        self._checked = float("-inf")

    async def current(self) -> CompiledReplies:
        if self._compiled is not None and self._monotonic() - self._checked < self._refresh:
            return self._compiled
        async with self._lock:
            if self._compiled is not None and self._monotonic() - self._checked < self._refresh:
                return self._compiled
            revision = await self._rules.revision()
            if self._compiled is None or self._compiled.revision != revision:
                rules = await self._rules.all()
                default, greeting = await self._rules.defaults()
                matcher = await asyncio.to_thread(Matcher.compile, rules)
                self._compiled = CompiledReplies(revision, matcher, default, greeting)
            self._checked = self._monotonic()
            return self._compiled
