"""What the local channel remembers about each post, and where: one JSON record per post.

The record of a post is written atomically under ``<dir>/.records/<post_id>.json``
(before any side effect, fixing the page's path, and again with the outcome), or kept in
memory when the channel has no directory (webhook-only mode: it does not survive a
restart). Pages are written with the same atomic write.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict

from services.publisher.domain.channel import PublishOutcome

__all__ = ["LocalRecord", "LocalRecords", "PostRef", "atomic_write"]


class LocalRecord(BaseModel):
    """What this channel remembers about one post."""

    model_config = ConfigDict(frozen=True)

    post_id: str
    content_hash: str
    started_at: AwareDatetime
    relative_path: str | None = None
    outcome: PublishOutcome | None = None


@dataclass(frozen=True)
class PostRef:
    """Just the id of a post, when only the record of it is at hand."""

    post_id: str


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a synced temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_optional(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


class LocalRecords:
    """The records of posts: files under ``directory/.records``, or memory without one."""

    def __init__(self, directory: Path | None) -> None:
        self._dir = directory
        self._memory: dict[str, LocalRecord] = {}

    def _path(self, post_id: str) -> Path | None:
        return None if self._dir is None else self._dir / ".records" / f"{post_id}.json"

    async def load(self, post_id: str) -> LocalRecord | None:
        """The record of ``post_id``, if there is one."""
        path = self._path(post_id)
        if path is None:
            return self._memory.get(post_id)
        raw = await asyncio.to_thread(_read_optional, path)
        return None if raw is None else LocalRecord.model_validate_json(raw)

    async def save(self, record: LocalRecord) -> None:
        """Write ``record`` (atomically, when on disk)."""
        path = self._path(record.post_id)
        if path is None:
            self._memory[record.post_id] = record
            return
        await asyncio.to_thread(atomic_write, path, record.model_dump_json(indent=2).encode())
