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

from services.audience.domain.accounts import scoped_key
from services.audience.domain.scenes import Attribution
from shared.accounts import DEFAULT_ACCOUNT
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
    """One openid (as WeChat sent it) of one account and its subscription; no personal data.

    An openid is the follower's id in one account (WeChat gives the same person another
    openid in another account): a follower is of ``account`` alone.
    """

    openid: str
    subscribed: bool
    attribution: Attribution
    subscribed_at: datetime | None
    unsubscribed_at: datetime | None = None
    subscriptions: int = 1
    via: FollowerVia = FollowerVia.PUSH
    scans: int = 0
    account: str = DEFAULT_ACCOUNT


def push_key(
    *,
    msg_id: str | None,
    from_user: str,
    create_time: int,
    event: str | None,
    account: str = DEFAULT_ACCOUNT,
) -> str:
    """The natural key of a push to ``account``: ``MsgId`` for messages, sender + time +
    event for events; another account's push is another push even with the same MsgId."""
    key = f"msg:{msg_id}" if msg_id else f"evt:{from_user}:{create_time}:{event or ''}"
    return scoped_key(account, key)


def on_subscribe(
    existing: Follower | None,
    openid: str,
    attribution: Attribution,
    at: datetime,
    *,
    account: str = DEFAULT_ACCOUNT,
) -> tuple[Follower, Change]:
    """A ``subscribe`` push to ``account``."""
    if existing is None:
        return Follower(openid, True, attribution, at, account=account), Change.SUBSCRIBED
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


def on_scan(
    existing: Follower | None, openid: str, at: datetime, *, account: str = DEFAULT_ACCOUNT
) -> Follower:
    """A ``SCAN`` push: a follower already; one we did not know is kept, unattributed."""
    if existing is None:
        unknown = Attribution(FollowerSource.OTHER)
        return Follower(openid, True, unknown, None, scans=1, account=account)
    return replace(existing, scans=existing.scans + 1)


def on_unsubscribe(
    existing: Follower | None, openid: str, at: datetime, *, account: str = DEFAULT_ACCOUNT
) -> tuple[Follower, Change]:
    """An ``unsubscribe`` push."""
    if existing is None:
        unknown = Attribution(FollowerSource.OTHER)
        gone = Follower(openid, False, unknown, None, at, 0, account=account)
        return gone, Change.UNSUBSCRIBED
    if not existing.subscribed:
        return existing, Change.UNCHANGED
    return replace(existing, subscribed=False, unsubscribed_at=at), Change.UNSUBSCRIBED
