"""Server-side sessions: a random cookie value whose hash is stored, with a CSRF token.

The cookie carries the secret; the store keeps only its SHA-256, so a leaked store does
not give live sessions. A session ends when signed out, revoked (sign-out everywhere, a
person deactivated), idle too long or past its absolute life. It also keeps the official
account the person chose to work in (#12), so the choice survives navigation.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["SessionRecord", "SessionRules", "csrf_matches", "session_id_of"]


def session_id_of(secret: str) -> str:
    """The stored id of the session whose cookie holds ``secret``."""
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of the session's CSRF token with the one sent."""
    return bool(given) and hmac.compare_digest(expected.encode(), (given or "").encode())


@dataclass(frozen=True)
class SessionRecord:
    """A signed-in browser."""

    id: str
    username: str
    csrf: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    address: str
    user_agent: str
    account: str | None = None
    """The official account the person works in (an id, ``*`` for all, ``None``: not
    chosen yet); see :mod:`services.gateway.domain.accounts`."""


@dataclass(frozen=True)
class SessionRules:
    """How long sessions live."""

    life: timedelta
    idle: timedelta

    def alive(self, session: SessionRecord, now: datetime) -> bool:
        return now < session.expires_at and now - session.last_seen_at < self.idle

    def needs_touch(self, session: SessionRecord, now: datetime) -> bool:
        """Whether to record activity now (at most once a minute, to spare the store)."""
        return now - session.last_seen_at > timedelta(minutes=1)
