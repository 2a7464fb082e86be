"""Where a channel keeps its per-post progress, with compare-and-set writes.

A channel that must never repeat a side effect (WeChat's ``freepublish/submit``) writes
"about to submit" with :meth:`ChannelProgress.save` conditioned on the version it read:
of two attempts that read the same record, only one can move it on, so only one
submits. Records are plain JSON-able dicts carrying an integer ``version``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any, Protocol

__all__ = ["ChannelProgress", "MemoryChannelProgress"]


class ChannelProgress(Protocol):
    """Per-post records of one channel."""

    async def load(self, post_id: str) -> dict[str, Any] | None:
        """The record of ``post_id``, or ``None``."""
        ...

    async def save(
        self, post_id: str, record: Mapping[str, Any], *, expected_version: int | None
    ) -> bool:
        """Write ``record`` if the stored version is ``expected_version`` (``None``: absent)."""
        ...


class MemoryChannelProgress:
    """In-process records (tests, single-process demos); lost on restart."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}
        self._lock = asyncio.Lock()

    async def load(self, post_id: str) -> dict[str, Any] | None:
        record = self.records.get(post_id)
        return None if record is None else dict(record)

    async def save(
        self, post_id: str, record: Mapping[str, Any], *, expected_version: int | None
    ) -> bool:
        async with self._lock:
            current = self.records.get(post_id)
            found = None if current is None else int(current.get("version", 0))
            if found != expected_version:
                return False
            self.records[post_id] = dict(record)
            return True
