"""Webhook signatures: HMAC-SHA256 over ``<timestamp>.<raw body>``.

One scheme for every outgoing webhook (the publisher's local channel, the feedback
service's core-issues document), so a receiver verifies them all the same way.

The sender puts ``X-Timestamp: <unix seconds>`` and ``X-Signature: sha256=<hex>`` on the
request; a receiver recomputes the HMAC with the shared secret over the timestamp, a dot
and the raw body bytes, compares in constant time and rejects stale timestamps (replays).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

__all__ = [
    "IDEMPOTENCY_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "sign_webhook",
    "verify_webhook",
]

SIGNATURE_HEADER = "X-Signature"
TIMESTAMP_HEADER = "X-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def _key(secret: str | bytes) -> bytes:
    return secret.encode() if isinstance(secret, str) else secret


def sign_webhook(secret: str | bytes, timestamp: str, body: bytes) -> str:
    """The ``X-Signature`` value for ``body`` sent at ``timestamp`` (unix seconds)."""
    digest = hmac.new(_key(secret), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def verify_webhook(
    secret: str | bytes,
    body: bytes,
    *,
    timestamp: str,
    signature: str,
    now: datetime,
    tolerance: timedelta = timedelta(minutes=5),
) -> bool:
    """True when ``signature`` is valid for ``body`` and ``timestamp`` is within ``tolerance``."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now.timestamp() - sent) > tolerance.total_seconds():
        return False
    return hmac.compare_digest(sign_webhook(secret, timestamp, body), signature)
