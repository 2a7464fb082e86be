"""Followers and what each push does to them.

Rules (WeChat re-sends pushes; the push itself is recorded once by its natural key, see
:func:`push_key`; these rules keep the follower right whatever arrives):

* ``subscribe`` from someone not following: a new subscription with the scene's
  attribution (``returning`` if we knew them before); from a current follower
  (e.g. back-filled a moment earlier): nothing new.
* ``SCAN`` (a follower scanned a code): never a new follower; the scan is counted.
* ``unsubscribe`` from a follower: they leave, keeping the attribution of their last
  subscription (a branch's losses count against it); from someone gone: nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from services.audience.domain.scenes import Attribution
from shared.events.followers import FollowerSource, FollowerVia

__all__ = ["Change", "Follower", "on_scan", "on_subscribe", "on_unsubscribe", "push_key"]


class Change(StrEnum):
    """What a push changed."""

    SUBSCRIBED = "subscribed"
    RETURNED = "returned"
    UNSUBSCRIBED = "unsubscribed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Follower:
    """One openid (as WeChat sent it) and its current subscription; no personal data."""

    openid: str
    subscribed: bool
    attribution: Attribution
    subscribed_at: datetime | None
    unsubscribed_at: datetime | None = None
    subscriptions: int = 1
    via: FollowerVia = FollowerVia.PUSH
    scans: int = 0


def push_key(*, msg_id: str | None, from_user: str, create_time: int, event: str | None) -> str:
    """The natural key of a push: ``MsgId`` for messages, sender + time + event for events."""
    if msg_id:
        return f"msg:{msg_id}"
    return f"evt:{from_user}:{create_time}:{event or ''}"


def on_subscribe(
    existing: Follower | None, openid: str, attribution: Attribution, at: datetime
) -> tuple[Follower, Change]:
    """A ``subscribe`` push."""
    if existing is None:
        return Follower(openid, True, attribution, at), Change.SUBSCRIBED
    if existing.subscribed:
        return existing, Change.UNCHANGED
    returned = replace(
        existing,
        subscribed=True,
        attribution=attribution,
        subscribed_at=at,
        unsubscribed_at=None,
        subscriptions=existing.subscriptions + 1,
        via=FollowerVia.PUSH,
    )
    return returned, Change.RETURNED


def on_scan(existing: Follower | None, openid: str, at: datetime) -> Follower:
    """A ``SCAN`` push: a follower already; one we did not know is kept, unattributed."""
    if existing is None:
        unknown = Attribution(FollowerSource.OTHER)
        return Follower(openid, True, unknown, None, scans=1)
    return replace(existing, scans=existing.scans + 1)


def on_unsubscribe(existing: Follower | None, openid: str, at: datetime) -> tuple[Follower, Change]:
    """An ``unsubscribe`` push."""
    if existing is None:
        gone = Follower(openid, False, Attribution(FollowerSource.OTHER), None, at, 0)
        return gone, Change.UNSUBSCRIBED
    if not existing.subscribed:
        return existing, Change.UNCHANGED
    return replace(existing, subscribed=False, unsubscribed_at=at), Change.UNSUBSCRIBED
