"""Async client for the WeChat Official Account HTTP API (publishing, comments, replies,
article statistics).

Retry rules: idempotent calls (token, ``freepublish/get``, ``comment/list``,
``datacube/getarticletotaldetail``) retry
transient failures and lost answers with a small backoff. Calls with side effects
(uploads, ``draft/add``, ``freepublish/submit``, ``comment/reply/add``,
``message/custom/send``) retry only when the connection was never made; a lost answer
raises :class:`~.errors.OutcomeUnknown` and must be reconciled, never resubmitted. Any
call rejected for a bad access_token (40001/40014/42001) is retried once after a forced
token refresh: WeChat refused it, so nothing happened.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import date
from types import TracebackType
from typing import Any, Self

import httpx

from ._parse import article_stats_from_json, comments_from_json, publish_status_from_json
from ._transport import FileField, RetryPolicy, send
from .errors import (
    TOKEN_ERRCODES,
    ConnectionFailed,
    OutcomeUnknown,
    TransientWeChatError,
    WeChatError,
)
from .images import Fetch, guess_image_type, rewrite_body_images
from .models import ArticleStatsPage, Comment, DraftArticle, PublishStatus, PublishSubmission

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "RetryPolicy", "WeChatClient"]

DEFAULT_BASE_URL = "https://api.weixin.qq.com"
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class WeChatClient:
    """Speaks the Official Account API for one app; reuse one instance per process."""

    def __init__(
        self,
        appid: str,
        secret: str,
        *,
        http: httpx.AsyncClient | None = None,
        base_url: str = DEFAULT_BASE_URL,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        retry: RetryPolicy | None = None,
        token_margin: float = 300.0,
    ) -> None:
        self._appid = appid
        self._secret = secret
        self._owns_http = http is None
        self._http = http if http is not None else httpx.AsyncClient()
        self._base_url = base_url.rstrip("/")
        self._timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._clock = clock
        self._sleep = sleep
        self._retry = retry or RetryPolicy()
        self._token_margin = token_margin
        self._token: str | None = None
        self._token_expires_at = 0.0
        self._token_lock = asyncio.Lock()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP client if this instance created it."""
        if self._owns_http:
            await self._http.aclose()

    # -- access token ------------------------------------------------------------------

    async def access_token(self, *, stale: str | None = None) -> str:
        """A valid access_token; pass the ``stale`` one WeChat rejected to force a refresh.

        Single-flight: concurrent callers wait for one refresh. A forced refresh is skipped
        when another caller already replaced the stale token.
        """
        if stale is None and self._token_is_fresh():
            assert self._token is not None
            return self._token
        async with self._token_lock:
            if self._token is not None and self._token_is_fresh() and self._token != stale:
                return self._token
            return await self._fetch_token(force_refresh=stale is not None)

    def _token_is_fresh(self) -> bool:
        return self._token is not None and self._clock() < self._token_expires_at

    async def _fetch_token(self, *, force_refresh: bool) -> str:
        path = "/cgi-bin/stable_token"
        body = {
            "grant_type": "client_credential",
            "appid": self._appid,
            "secret": self._secret,
            "force_refresh": force_refresh,
        }
        data = await self._with_retries(path, {}, body, None, idempotent=True)
        token = data.get("access_token")
        if not isinstance(token, str) or not token:
            raise WeChatError(None, "stable_token answer has no access_token", path=path)
        expires_in = float(data.get("expires_in", 7200))
        self._token = token
        self._token_expires_at = (
            self._clock() + expires_in - min(self._token_margin, expires_in / 2)
        )
        return token

    # -- plumbing ----------------------------------------------------------------------

    async def _with_retries(
        self,
        path: str,
        params: Mapping[str, str],
        body: Mapping[str, Any] | None,
        files: Mapping[str, FileField] | None,
        *,
        idempotent: bool,
        method: str = "POST",
    ) -> dict[str, Any]:
        retriable: tuple[type[WeChatError], ...] = (
            (TransientWeChatError, OutcomeUnknown) if idempotent else (ConnectionFailed,)
        )
        for attempt in range(self._retry.attempts):
            try:
                return await send(
                    self._http,
                    self._base_url + path,
                    path=path,
                    params=params,
                    body=body,
                    files=files,
                    timeout=self._timeout,
                    method=method,
                )
            except retriable:
                if attempt + 1 >= self._retry.attempts:
                    raise
                await self._sleep(self._retry.delay(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _call(
        self,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        files: Mapping[str, FileField] | None = None,
        query: Mapping[str, str] | None = None,
        idempotent: bool,
        method: str = "POST",
    ) -> dict[str, Any]:
        token = await self.access_token()
        try:
            return await self._with_retries(
                path,
                {**(query or {}), "access_token": token},
                body,
                files,
                idempotent=idempotent,
                method=method,
            )
        except WeChatError as exc:
            if exc.errcode not in TOKEN_ERRCODES:
                raise
        token = await self.access_token(stale=token)
        return await self._with_retries(
            path,
            {**(query or {}), "access_token": token},
            body,
            files,
            idempotent=idempotent,
            method=method,
        )

    async def call(
        self,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, str] | None = None,
        idempotent: bool,
        method: str = "POST",
    ) -> dict[str, Any]:
        """Call any API ``path`` with the access token and this client's retry rules
        (for API families kept in their own modules, e.g. :mod:`.followers`)."""
        return await self._call(path, body=body, query=query, idempotent=idempotent, method=method)

    async def fetch_bytes(self, url: str, params: Mapping[str, str]) -> bytes:
        """GET a binary resource (a QR code image), retrying transient failures."""
        for attempt in range(self._retry.attempts):
            try:
                response = await self._http.get(url, params=params, timeout=self._timeout)
            except httpx.TransportError as exc:
                if attempt + 1 >= self._retry.attempts:
                    raise ConnectionFailed(None, f"could not fetch ({exc!r})", path=url) from exc
            else:
                if response.status_code == 200:
                    return response.content
                if response.status_code < 500 or attempt + 1 >= self._retry.attempts:
                    raise WeChatError(None, f"HTTP {response.status_code}", path=url)
            await self._sleep(self._retry.delay(attempt))
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _media(content: bytes, filename: str) -> dict[str, FileField]:
        # WeChat checks the file name's extension, so make it match the real format.
        mime, ext = guess_image_type(content)
        accepted = (".jpg", ".jpeg") if ext == ".jpg" else (ext,)
        if ext and not filename.lower().endswith(accepted):
            filename += ext
        return {"media": (filename, content, mime)}

    # -- API ---------------------------------------------------------------------------

    async def upload_image(self, content: bytes, filename: str) -> str:
        """Upload an article-body image (jpg/png, < 1 MB) and return its WeChat URL."""
        data = await self._call(
            "/cgi-bin/media/uploadimg", files=self._media(content, filename), idempotent=False
        )
        return str(data["url"])

    async def rewrite_body_images(self, body_html: str, fetch: Fetch) -> str:
        """Re-host every external ``<img>`` of ``body_html`` on WeChat (see :mod:`.images`)."""
        return await rewrite_body_images(body_html, fetch=fetch, upload=self.upload_image)

    async def add_permanent_image(self, content: bytes, filename: str) -> str:
        """Upload a permanent image (e.g. a cover) and return its ``media_id``."""
        data = await self._call(
            "/cgi-bin/material/add_material",
            files=self._media(content, filename),
            query={"type": "image"},
            idempotent=False,
        )
        return str(data["media_id"])

    async def add_draft(self, articles: Sequence[DraftArticle]) -> str:
        """Save a draft of one or more articles and return its ``media_id``."""
        body = {"articles": [article.to_wechat() for article in articles]}
        data = await self._call("/cgi-bin/draft/add", body=body, idempotent=False)
        return str(data["media_id"])

    async def submit_publish(self, media_id: str) -> PublishSubmission:
        """Submit a draft for publication; raises OutcomeUnknown if the answer is lost.

        Never call again for the same draft after OutcomeUnknown: WeChat has no
        idempotency key. Reconcile with :meth:`get_publish` or ``PUBLISHJOBFINISH``.
        """
        data = await self._call(
            "/cgi-bin/freepublish/submit", body={"media_id": media_id}, idempotent=False
        )
        msg_data_id = data.get("msg_data_id")
        return PublishSubmission(
            publish_id=str(data["publish_id"]),
            msg_data_id=str(msg_data_id) if msg_data_id is not None else None,
        )

    async def get_publish(self, publish_id: str) -> PublishStatus:
        """Poll the state of a publish job."""
        data = await self._call(
            "/cgi-bin/freepublish/get", body={"publish_id": publish_id}, idempotent=True
        )
        return publish_status_from_json(data, publish_id)

    async def list_comments(
        self, msg_data_id: str | int, index: int, begin: int = 0, count: int = 50, type: int = 0
    ) -> list[Comment]:
        """One page of comments on article ``index`` (0-based) of a message.

        ``type``: 0 all, 1 normal only, 2 featured only; ``count`` at most 50.
        """
        body = {
            "msg_data_id": int(msg_data_id),
            "index": index,
            "begin": begin,
            "count": count,
            "type": type,
        }
        data = await self._call("/cgi-bin/comment/list", body=body, idempotent=True)
        return comments_from_json(data)

    async def article_stats(self, publication_date: date) -> ArticleStatsPage:
        """The latest counters of every article published on ``publication_date``.

        One day per call (``begin_date`` = ``end_date``, China dates), and only a day
        before today in China: WeChat counts a day by the next (T+1) and answers errcode
        61501 (date range error) otherwise. Articles carry their 1-based ``index`` as in
        ``msgid`` (:class:`~.models.ArticleStats`); ``is_delay`` means not final yet.
        """
        day = publication_date.isoformat()
        data = await self._call(
            "/datacube/getarticletotaldetail",
            body={"begin_date": day, "end_date": day},
            idempotent=True,
        )
        return article_stats_from_json(data, publication_date)

    async def reply_comment(
        self, msg_data_id: str | int, index: int, user_comment_id: int, content: str
    ) -> None:
        """Reply as the account to comment ``user_comment_id`` on article ``index``.

        Not idempotent: after OutcomeUnknown the reply may be online; check with
        :meth:`list_comments` (the comment's ``reply``) rather than replying again.
        """
        body = {
            "msg_data_id": int(msg_data_id),
            "index": index,
            "user_comment_id": int(user_comment_id),
            "content": content,
        }
        await self._call("/cgi-bin/comment/reply/add", body=body, idempotent=False)

    async def send_text_message(self, openid: str, content: str) -> None:
        """Send a text customer-service message to follower ``openid``.

        WeChat accepts it only within 48 hours of the follower's last message to the
        account (errcode 45015 otherwise). Not idempotent, and WeChat offers no way to
        check whether a message whose answer was lost (OutcomeUnknown) went out.
        """
        body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        await self._call("/cgi-bin/message/custom/send", body=body, idempotent=False)
