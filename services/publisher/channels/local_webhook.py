"""The local channel's signed JSON webhook: one POST per publish, and its answer mapped
to :mod:`~services.publisher.channels.errors`.

No connection, 408, 425, 429 and 5xx are transient (the ``Idempotency-Key: <post_id>``
header makes a retry safe); other 4xx and bad configuration are permanent; a timeout or
reset after sending is ``OutcomeUnknown``. A JSON object in the answer is returned (its
``url`` and ``article_id`` go into the outcome); anything else reads as ``{}``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx

from services.publisher.channels.errors import (
    OutcomeUnknown,
    PermanentChannelError,
    TransientChannelError,
)
from services.publisher.domain.channel import PublishRequest
from shared.webhooks import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    sign_webhook,
)

__all__ = ["send_webhook"]

_RETRYABLE_STATUS = frozenset({408, 425, 429})
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)
_OUR_FAULT = (httpx.LocalProtocolError, httpx.UnsupportedProtocol, httpx.InvalidURL)


async def send_webhook(
    http: httpx.AsyncClient,
    url: str,
    secret: str | bytes,
    post: PublishRequest,
    *,
    published_at: datetime,
    now: datetime,
    request_timeout: float,
    channel: str,
) -> dict[str, Any]:
    """POST ``post`` (signed at ``now``) to ``url``; the JSON object answered, or ``{}``."""
    payload = post.model_dump(mode="json")
    payload["published_at"] = published_at.isoformat()
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign_webhook(secret, timestamp, body),
        IDEMPOTENCY_HEADER: post.post_id,
    }
    where = {"channel": channel, "publish_id": post.post_id}
    try:
        response = await http.post(url, content=body, headers=headers, timeout=request_timeout)
    except _NOT_SENT as exc:
        raise TransientChannelError(f"webhook unreachable: {exc!r}", **where) from exc
    except _OUR_FAULT as exc:
        raise PermanentChannelError(f"webhook request invalid: {exc!r}", **where) from exc
    except httpx.HTTPError as exc:  # timeouts and resets after the request may have left
        raise OutcomeUnknown(f"webhook outcome unknown: {exc!r}", **where) from exc
    code = response.status_code
    if code in _RETRYABLE_STATUS or code >= 500:
        raise TransientChannelError(f"webhook answered {code}", **where)
    if not response.is_success:
        raise PermanentChannelError(f"webhook answered {code}: {response.text[:200]}", **where)
    try:
        reply = response.json()
    except ValueError:
        return {}
    return reply if isinstance(reply, dict) else {}
