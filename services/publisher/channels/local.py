"""The local channel: an HTML file per post and/or a signed JSON webhook.

For development, demos and internal mirrors. Idempotent by ``post_id``, as every channel
must be: a record ``<dir>/.records/<post_id>.json`` is written (atomically) *before* any
side effect, fixing the file path, and again with the outcome after them. So

* a second ``publish`` of a finished post returns the recorded outcome (``replayed=True``)
  and writes nothing; with another ``content_hash`` it raises ``PermanentChannelError``;
* a retry after a crash or an error rewrites the *same* file in place (never a second
  file) and re-sends the webhook with the same ``Idempotency-Key: <post_id>`` header, by
  which a receiver drops duplicates;
* ``status`` of a publish cut off mid-way: with files only, the page (written
  atomically) decides — there means ``published``, absent means ``failed`` (nothing went
  out, safe to publish again); with a webhook it is ``unknown`` for a person.

Without a directory the records live in memory only (webhook-only mode), so they do not
survive a restart. One instance serialises the publishes of each post (others proceed in
parallel); across processes the publisher's job lease keeps one replica per post.

The records and the atomic writes are :mod:`.local_records`; the webhook and how its
errors map to :mod:`~services.publisher.channels.errors` (no connection, 408, 425, 429 and
5xx are transient, other 4xx and bad configuration permanent, a timeout or reset after
sending ``OutcomeUnknown``) are :mod:`.local_webhook`.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from services.publisher.channels.errors import PermanentChannelError
from services.publisher.channels.local_records import (
    LocalRecord,
    LocalRecords,
    PostRef,
    atomic_write,
)
from services.publisher.channels.local_webhook import send_webhook
from services.publisher.channels.render import render_post_html
from services.publisher.domain.channel import PublishOutcome, PublishRequest, PublishState

__all__ = ["LocalChannel"]

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class LocalChannel:
    """Publishes posts as HTML files under ``directory`` and/or to a signed webhook."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        directory: Path | str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | bytes | None = None,
        http: httpx.AsyncClient | None = None,
        zone: str = "Asia/Shanghai",
        public_base_url: str | None = None,
        timeout: float = 10.0,
        name: str = "local",
    ) -> None:
        if directory is None and webhook_url is None:
            raise ValueError("LocalChannel needs a directory, a webhook_url, or both")
        if webhook_url is not None and not webhook_secret:
            raise ValueError("a webhook_url needs a webhook_secret to sign with")
        self._clock = clock
        self._dir = Path(directory) if directory is not None else None
        self._webhook_url = webhook_url
        self._secret = webhook_secret or b""
        self._http = http
        self._owns_http = http is None
        self._zone = ZoneInfo(zone)
        self._base_url = public_base_url.rstrip("/") if public_base_url else None
        self._timeout = timeout
        self._name = name
        self._records = LocalRecords(self._dir)
        # one lock per post: a post's record is read, changed and written under it, while
        # posts due at the same instant are written side by side
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    @property
    def name(self) -> str:
        """The channel name reported in outcomes."""
        return self._name

    async def aclose(self) -> None:
        """Close the HTTP client if this channel created it."""
        if self._http is not None and self._owns_http:
            await self._http.aclose()
            self._http = None

    async def publish(self, post: PublishRequest) -> PublishOutcome:
        """Publish ``post`` once; repeats return the first outcome (see the module doc)."""
        self._check_id(post.post_id)
        async with self._locks[post.post_id]:
            record = await self._records.load(post.post_id)
            if record is not None and record.content_hash != post.content_hash:
                raise PermanentChannelError(
                    f"post {post.post_id} was already published with content hash "
                    f"{record.content_hash}, not {post.content_hash}",
                    channel=self._name,
                    publish_id=post.post_id,
                )
            if record is not None and record.outcome is not None:
                return record.outcome.model_copy(update={"replayed": True})
            if record is None:
                record = self._start(post)
                await self._records.save(record)
            if self._dir is not None and record.relative_path is not None:
                html = render_post_html(post, published_at=record.started_at, zone=self._zone)
                target = self._dir / record.relative_path
                await asyncio.to_thread(atomic_write, target, html.encode("utf-8"))
            reply: dict[str, Any] = {}
            if self._webhook_url is not None:
                reply = await self._send(post, record)
            outcome = self._outcome(post, record, reply)
            await self._records.save(record.model_copy(update={"outcome": outcome}))
            return outcome

    async def status(self, publish_id: str) -> PublishOutcome:
        """What this channel knows of ``publish_id`` (which is the post_id)."""
        self._check_id(publish_id)
        record = await self._records.load(publish_id)
        if record is not None and record.outcome is not None:
            return record.outcome
        if record is not None and self._webhook_url is None:
            return await self._settle_file_only(record)
        if record is not None:
            reason = f"publishing started at {record.started_at.isoformat()} but did not finish"
            state = PublishState.UNKNOWN
        elif self._dir is None:
            reason, state = (
                "no record in memory (records do not survive a restart)",
                PublishState.UNKNOWN,
            )
        else:
            reason, state = "never published on this channel", PublishState.FAILED
        return PublishOutcome(
            state=state,
            channel=self._name,
            post_id=publish_id,
            publish_id=publish_id,
            reason=reason,
            needs_person=state is PublishState.UNKNOWN,
        )

    async def _settle_file_only(self, record: LocalRecord) -> PublishOutcome:
        """A publish cut off mid-way, files only: the (atomically written) page decides."""
        assert self._dir is not None
        path = self._dir / (record.relative_path or "")
        written: bool = bool(record.relative_path) and await asyncio.to_thread(path.is_file)
        if written:
            async with self._locks[record.post_id]:
                outcome = self._outcome(PostRef(record.post_id), record, {})
                await self._records.save(record.model_copy(update={"outcome": outcome}))
            return outcome
        return PublishOutcome(
            state=PublishState.FAILED,
            channel=self._name,
            post_id=record.post_id,
            publish_id=record.post_id,
            reason=f"publishing started at {record.started_at.isoformat()} but wrote no page",
        )

    def _check_id(self, post_id: str) -> None:
        if not _SAFE_ID.fullmatch(post_id):
            raise PermanentChannelError(
                f"post_id {post_id!r} is not usable as a file name", channel=self._name
            )

    def _start(self, post: PublishRequest) -> LocalRecord:
        started = self._clock()
        if started.tzinfo is None:
            raise ValueError("the clock must return aware datetimes")
        relative = None
        if self._dir is not None:
            relative = f"{started.astimezone(self._zone):%Y-%m-%d}/{post.post_id}.html"
        return LocalRecord(
            post_id=post.post_id,
            content_hash=post.content_hash,
            started_at=started,
            relative_path=relative,
        )

    def _outcome(
        self, post: PublishRequest | PostRef, record: LocalRecord, reply: dict[str, Any]
    ) -> PublishOutcome:
        url = reply.get("url") if isinstance(reply.get("url"), str) else None
        if url is None and record.relative_path is not None:
            if self._base_url is not None:
                url = f"{self._base_url}/{record.relative_path}"
            elif self._dir is not None:
                url = (self._dir / record.relative_path).resolve().as_uri()
        article_id = reply.get("article_id")
        return PublishOutcome(
            state=PublishState.PUBLISHED,
            channel=self._name,
            post_id=post.post_id,
            publish_id=post.post_id,
            article_id=article_id if isinstance(article_id, str) else None,
            url=url,
            published_at=record.started_at,
        )

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient()
            self._owns_http = True
        return self._http

    async def _send(self, post: PublishRequest, record: LocalRecord) -> dict[str, Any]:
        assert self._webhook_url is not None
        return await send_webhook(
            self._client(),
            self._webhook_url,
            self._secret,
            post,
            published_at=record.started_at,
            now=self._clock(),
            request_timeout=self._timeout,
            channel=self._name,
        )
