"""Branches and campaigns, and their QR codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from shared.accounts import DEFAULT_ACCOUNT

__all__ = ["Branch", "Campaign", "QrCode"]


@dataclass(frozen=True, slots=True)
class QrCode:
    """A WeChat parametric code: its scene, ticket, content URL, and expiry if temporary."""

    scene: str
    ticket: str
    url: str
    expires_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Branch:
    """A branch whose staff follow the account through its permanent code."""

    code: str
    name: str
    administrator: str
    target: int
    greeting: str | None
    created_at: datetime
    qr: QrCode | None = None
    account: str = DEFAULT_ACCOUNT
    """The official account it belongs to; its code is unique within the account."""


@dataclass(frozen=True, slots=True)
class Campaign:
    """An event or article with a temporary code (expires with it)."""

    code: str
    name: str
    expires_at: datetime
    greeting: str | None
    created_at: datetime
    qr: QrCode | None = None
    account: str = DEFAULT_ACCOUNT
