"""Events of the audience service: ``follower.subscribed``, ``follower.unsubscribed`` and
``branch.saved``.

A follower is a WeChat openid, kept as WeChat sent it; no nickname or other personal
data travels in these events. Each subscription and each unsubscription is published
once (WeChat re-sends its pushes; the audience service records each once). Attribution
says where the follower came from: a branch's permanent QR code (``branch``), a campaign's
temporary code (``campaign``), or WeChat's own source (``search``, ``article``, ...)
when no code of ours was scanned. Reporting counts growth by branch and source, and
unsubscribes within 24 hours of each post, from them; ``branch.saved`` tells it each
branch's name and head-count target, to measure growth against.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import Field

from shared.bounds import Instant
from shared.events.envelope import Contract, EventEnvelope

__all__ = [
    "BranchSaved",
    "BranchSavedPayload",
    "FollowerSource",
    "FollowerSubscribed",
    "FollowerSubscribedPayload",
    "FollowerUnsubscribed",
    "FollowerUnsubscribedPayload",
    "FollowerVia",
]


class FollowerSource(StrEnum):
    """Where a follower came from."""

    BRANCH = "branch"  # a branch's permanent code (scene branch:<code>)
    CAMPAIGN = "campaign"  # a campaign's temporary code (scene campaign:<code>)
    QR_OTHER = "qr_other"  # a code not made by this platform
    SEARCH = "search"  # searched the account
    ARTICLE = "article"  # from an article (its name card or the account's name)
    CARD = "card"  # a shared name card
    OTHER = "other"  # anything else WeChat reports, or nothing


class FollowerVia(StrEnum):
    """How the platform learnt of the change."""

    PUSH = "push"  # WeChat's subscribe/unsubscribe push, as it happened
    BACKFILL = "backfill"  # user/get + user/info, for followers who came before the codes


class _Attribution(Contract):
    openid: str = Field(min_length=1, max_length=128, description="As WeChat sent it.")
    source: FollowerSource
    branch_code: str | None = Field(
        default=None, max_length=32, description="The branch whose code brought the follower."
    )
    campaign_code: str | None = Field(
        default=None, max_length=32, description="The campaign whose code brought the follower."
    )
    scene: str | None = Field(
        default=None, max_length=64, description="The QR scene string scanned, if any."
    )


class FollowerSubscribedPayload(_Attribution):
    """Someone followed the account (or, ``via=backfill``, had followed before)."""

    subscribed_at: Instant = Field(description="When WeChat says they followed.")
    via: FollowerVia = FollowerVia.PUSH
    returning: bool = Field(
        default=False, description="They had followed and unfollowed before (known to us)."
    )


class FollowerUnsubscribedPayload(_Attribution):
    """A follower unfollowed; attribution is that of their last subscription."""

    unsubscribed_at: Instant
    subscribed_at: Instant | None = Field(
        default=None, description="When they had followed, if known."
    )


class FollowerSubscribed(EventEnvelope):
    """``follower.subscribed``: published by audience, for reporting."""

    EVENT_TYPE: ClassVar[str] = "follower.subscribed"
    event_type: Literal["follower.subscribed"] = "follower.subscribed"
    payload: FollowerSubscribedPayload


class FollowerUnsubscribed(EventEnvelope):
    """``follower.unsubscribed``: published by audience, for reporting."""

    EVENT_TYPE: ClassVar[str] = "follower.unsubscribed"
    event_type: Literal["follower.unsubscribed"] = "follower.unsubscribed"
    payload: FollowerUnsubscribedPayload


class BranchSavedPayload(Contract):
    """A branch as it is now: its code (the scene ``branch:<code>``), name and target."""

    code: str = Field(min_length=1, max_length=32, examples=["pudong"])
    name: str = Field(min_length=1, max_length=40, examples=["浦东分公司"])
    administrator: str = Field(min_length=1, max_length=64)
    target: int = Field(ge=0, description="The staff head-count the branch is to reach.")
    saved_at: Instant


class BranchSaved(EventEnvelope):
    """``branch.saved``: published by audience when a branch is created, for reporting."""

    EVENT_TYPE: ClassVar[str] = "branch.saved"
    event_type: Literal["branch.saved"] = "branch.saved"
    payload: BranchSavedPayload
