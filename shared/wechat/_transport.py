"""One HTTP exchange with WeChat, its failures mapped to :mod:`.errors` (private)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from .errors import ConnectionFailed, OutcomeUnknown, TransientWeChatError, WeChatError, error_for

__all__ = ["FileField", "RetryPolicy", "send"]

FileField = tuple[str, bytes, str]
"""A multipart file: (file name, content, content type)."""

# Failures that happen before the request leaves this host: WeChat saw nothing.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How idempotent calls retry transient failures: ``attempts`` in all, backoff doubling."""

    attempts: int = 3
    backoff: float = 0.2
    max_backoff: float = 2.0

    def delay(self, attempt: int) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (0-based)."""
        return float(min(self.max_backoff, self.backoff * 2**attempt))


async def send(
    http: httpx.AsyncClient,
    url: str,
    *,
    path: str,
    params: Mapping[str, str],
    body: Mapping[str, Any] | None = None,
    files: Mapping[str, FileField] | None = None,
    timeout: httpx.Timeout,  # noqa: ASYNC109 - httpx's per-request timeout, not a deadline
    method: str = "POST",
) -> dict[str, Any]:
    """POST (or GET) once and return the JSON answer, raising the matching WeChatError."""
    try:
        if method == "GET":
            response = await http.get(url, params=params, timeout=timeout)
        elif files is not None:
            response = await http.post(url, params=params, files=files, timeout=timeout)
        else:
            # ensure_ascii=False: WeChat stores \\uXXXX escapes literally in drafts.
            content = json.dumps(body or {}, ensure_ascii=False).encode("utf-8")
            response = await http.post(
                url,
                params=params,
                content=content,
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=timeout,
            )
    except _NOT_SENT as exc:
        raise ConnectionFailed(
            None, f"could not connect ({type(exc).__name__})", path=path
        ) from exc
    except httpx.TransportError as exc:
        raise OutcomeUnknown(None, f"answer lost ({type(exc).__name__})", path=path) from exc
    if response.status_code >= 500:
        raise TransientWeChatError(None, f"HTTP {response.status_code}", path=path)
    if response.status_code != 200:
        raise WeChatError(None, f"unexpected HTTP {response.status_code}", path=path)
    try:
        data = json.loads(response.content)
    except ValueError as exc:
        raise OutcomeUnknown(None, "unreadable answer (not JSON)", path=path) from exc
    if not isinstance(data, dict):
        raise OutcomeUnknown(None, "unreadable answer (not a JSON object)", path=path)
    errcode = int(data.get("errcode", 0) or 0)
    if errcode:
        raise error_for(errcode, str(data.get("errmsg", "")), path=path)
    return data
