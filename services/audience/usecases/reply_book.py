"""The compiled rules a replica answers pushes with, per account, refreshed when they change.

Edits bump the account's revision in the store (in the edit's transaction); each replica
checks it at most every ``AUDIENCE_RULES_REFRESH_SECONDS`` (real time) and recompiles
that account's matcher when it moved, so a push never waits for more than one small
read, and an edit reaches every replica within that interval (at once on the replica
that made it). Each account answers with its own rules, default reply and greeting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

from services.audience.domain.matcher import Matcher
from services.audience.domain.replies import Reply
from services.audience.ports import Rules
from shared.accounts import DEFAULT_ACCOUNT

__all__ = ["CompiledReplies", "ReplyBook"]


@dataclass(frozen=True)
class CompiledReplies:
    revision: int
    matcher: Matcher
    default: Reply | None
    greeting: Reply | None


@dataclass
class _Slot:
    compiled: CompiledReplies | None = None
    checked: float = float("-inf")


class ReplyBook:
    """Hands out each account's current :class:`CompiledReplies`.

    ``ready`` (when given) is awaited before the first compile: the start-up adoption of
    older rules by the default account, so a matcher is never compiled without them.
    """

    def __init__(
        self,
        rules: Rules,
        *,
        refresh_seconds: float,
        monotonic: Callable[[], float] = time.monotonic,
        ready: asyncio.Event | None = None,
    ) -> None:
        self._rules = rules
        self._refresh = refresh_seconds
        self._monotonic = monotonic
        self._ready = ready
        self._slots: dict[str, _Slot] = {}
        self._lock = asyncio.Lock()

    def invalidate(self, account: str = DEFAULT_ACCOUNT) -> None:
        """Check the account's revision on the next use (after an edit on this replica)."""
        self._slots.setdefault(account, _Slot()).checked = float("-inf")

    def _fresh(self, slot: _Slot) -> CompiledReplies | None:
        if slot.compiled is not None and self._monotonic() - slot.checked < self._refresh:
            return slot.compiled
        return None

    async def current(self, account: str = DEFAULT_ACCOUNT) -> CompiledReplies:
        slot = self._slots.setdefault(account, _Slot())
        if (compiled := self._fresh(slot)) is not None:
            return compiled
        if self._ready is not None:
            await self._ready.wait()
        async with self._lock:
            if (compiled := self._fresh(slot)) is not None:
                return compiled
            revision = await self._rules.revision(account)
            if slot.compiled is None or slot.compiled.revision != revision:
                rules = await self._rules.all(account)
                default, greeting = await self._rules.defaults(account)
                matcher = await asyncio.to_thread(Matcher.compile, rules)
                slot.compiled = CompiledReplies(revision, matcher, default, greeting)
            slot.checked = self._monotonic()
            return slot.compiled
