"""Followers in the read model, and the followers summary of a period (issue #14).

The audience service's events in, three kinds of entries out::

    follower.subscribed / .unsubscribed  ->  follower_changes  (_id = kind:openid:instant)
                                         ->  followers         (_id = openid, latest state)
    branch.saved                         ->  branches          (_id = code, latest save)

Rules that keep the model right whatever order events arrive in:

* a change is keyed by what it is (subscribe or unsubscribe, who, when), so the same
  change stored twice, by any path, is one entry;
* a follower's entry is their latest change: an older change arriving late leaves it;
* a branch's entry is its latest save (name and head-count target).

:func:`followers_summary` is the followers section of a period: net growth per branch
against its target (and the share of the target its followers reach at the period's
end), net growth by source, and for each post published in the period the unsubscribes
within 24 hours after it, next to the period's average unsubscribes per 24 hours (did
the post drive people away?). An unsubscribe within 24 hours of two posts counts for both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from services.reporting.domain import Doc
from shared.events import (
    BranchSaved,
    FollowerSource,
    FollowerSubscribed,
    FollowerUnsubscribed,
)

__all__ = [
    "AFTER_POST",
    "Branch",
    "BranchGrowth",
    "ChangeKind",
    "FollowerChange",
    "FollowersSummary",
    "PostUnsubscribes",
    "PublishedPost",
    "SourceGrowth",
    "branch_doc",
    "change_doc",
    "follower_doc",
    "followers_summary",
]

AFTER_POST = timedelta(hours=24)
"""How long after a post an unsubscribe is counted against it."""

ChangeKind = Literal["subscribed", "unsubscribed"]


# -- the read model's entries ---------------------------------------------------------------


def change_doc(event: FollowerSubscribed | FollowerUnsubscribed) -> Doc:
    """The ``follower_changes`` entry of one subscription or unsubscription."""
    p = event.payload
    kind: ChangeKind
    if isinstance(event, FollowerSubscribed):
        kind, at = "subscribed", event.payload.subscribed_at
    else:
        kind, at = "unsubscribed", event.payload.unsubscribed_at
    return {
        "_id": f"{kind}:{p.openid}:{at.isoformat()}",
        "kind": kind,
        "openid": p.openid,
        "at": at,
        "source": p.source.value,
        "branch_code": p.branch_code,
        "campaign_code": p.campaign_code,
        "event_id": str(event.event_id),
    }


def follower_doc(
    event: FollowerSubscribed | FollowerUnsubscribed, existing: Mapping[str, Any] | None
) -> Doc | None:
    """The follower's entry after the change, or None when a later change is stored."""
    change = change_doc(event)
    if existing is not None and existing["at"] > change["at"]:
        return None
    old = existing or {}
    following = change["kind"] == "subscribed"
    subscribed_at: datetime | None
    unsubscribed_at: datetime | None
    if isinstance(event, FollowerSubscribed):
        subscribed_at = event.payload.subscribed_at
        unsubscribed_at = old.get("unsubscribed_at")
    else:
        subscribed_at = event.payload.subscribed_at or old.get("subscribed_at")
        unsubscribed_at = event.payload.unsubscribed_at
    return {
        "_id": change["openid"],
        "following": following,
        "at": change["at"],
        "source": change["source"],
        "branch_code": change["branch_code"],
        "campaign_code": change["campaign_code"],
        "subscribed_at": subscribed_at,
        "unsubscribed_at": unsubscribed_at,
        "event_id": change["event_id"],
    }


def branch_doc(event: BranchSaved, existing: Mapping[str, Any] | None) -> Doc | None:
    """The branch's entry after ``branch.saved``, or None when a later save is stored."""
    p = event.payload
    if existing is not None and existing["saved_at"] > p.saved_at:
        return None
    return {
        "_id": p.code,
        "name": p.name,
        "target": p.target,
        "saved_at": p.saved_at,
        "event_id": str(event.event_id),
    }


# -- the summary's inputs -------------------------------------------------------------------


@dataclass(frozen=True)
class FollowerChange:
    kind: ChangeKind
    at: datetime
    source: str
    branch_code: str | None

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> FollowerChange:
        return cls(doc["kind"], doc["at"], doc["source"], doc.get("branch_code"))


@dataclass(frozen=True)
class Branch:
    code: str
    name: str
    target: int

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> Branch:
        return cls(doc["_id"], doc["name"], int(doc["target"]))


@dataclass(frozen=True)
class PublishedPost:
    post_id: str
    title: str
    published_at: datetime

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> PublishedPost | None:
        """The post of a ``posts`` entry, or None when it was not published."""
        if doc.get("status") != "published" or doc.get("published_at") is None:
            return None
        return cls(doc["_id"], doc.get("title") or "", doc["published_at"])


# -- the summary ----------------------------------------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class BranchGrowth(_Out):
    code: str
    name: str | None  # None: a code scanned whose branch.saved has not arrived
    target: int | None
    subscribed: int
    unsubscribed: int
    net: int
    followers_at_end: int
    """Followers the branch's code brought who still follow at the period's end."""
    share_of_target: float | None
    """``followers_at_end / target`` (None without a positive target)."""


class SourceGrowth(_Out):
    source: FollowerSource
    subscribed: int
    unsubscribed: int
    net: int


class PostUnsubscribes(_Out):
    post_id: str
    title: str
    published_at: datetime
    unsubscribes_24h: int
    window_complete: bool
    """False when the 24 hours after the post had not all passed at ``as_of``."""


class FollowersSummary(_Out):
    start: datetime
    end: datetime
    subscribed: int
    unsubscribed: int
    net: int
    branches: list[BranchGrowth]
    sources: list[SourceGrowth]
    posts: list[PostUnsubscribes]
    unsubscribes_per_24h: float
    """The period's unsubscribes per 24 hours: what a post's count is compared with."""


def followers_summary(
    *,
    start: datetime,
    end: datetime,
    changes: Iterable[FollowerChange],
    branches: Iterable[Branch],
    attributed_at_end: Mapping[str, int],
    posts: Iterable[PublishedPost],
    as_of: datetime,
) -> FollowersSummary:
    """The followers section of ``[start, end)``.

    ``changes`` are those in ``[start, end + 24 h)`` (the tail counts only against
    posts); ``attributed_at_end`` is, per branch code, the followers its code brought
    who still follow at ``end``; ``posts`` are those placed in the period (only the
    published ones count); ``as_of`` is now (a post's 24 hours may not be over).
    """
    all_changes = sorted(changes, key=lambda c: c.at)
    in_period = [c for c in all_changes if start <= c.at < end]
    subs = Counter(c.branch_code for c in in_period if c.kind == "subscribed")
    unsubs = Counter(c.branch_code for c in in_period if c.kind == "unsubscribed")
    known = {b.code: b for b in branches}
    codes = sorted(
        (set(known) | set(subs) | set(unsubs) | set(attributed_at_end)) - {None},
        key=lambda code: (known[code].name if code in known else "\uffff", code),
    )
    growth = [
        _branch_growth(code, known.get(code), subs, unsubs, attributed_at_end.get(code, 0))
        for code in codes
        if code is not None
    ]
    by_source_subs = Counter(c.source for c in in_period if c.kind == "subscribed")
    by_source_unsubs = Counter(c.source for c in in_period if c.kind == "unsubscribed")
    sources = [
        SourceGrowth(
            source=s,
            subscribed=by_source_subs[s.value],
            unsubscribed=by_source_unsubs[s.value],
            net=by_source_subs[s.value] - by_source_unsubs[s.value],
        )
        for s in FollowerSource
    ]
    unsub_times = [c.at for c in all_changes if c.kind == "unsubscribed"]
    post_rows = [
        PostUnsubscribes(
            post_id=p.post_id,
            title=p.title,
            published_at=p.published_at,
            unsubscribes_24h=sum(
                1 for t in unsub_times if p.published_at <= t < p.published_at + AFTER_POST
            ),
            window_complete=p.published_at + AFTER_POST <= as_of,
        )
        for p in sorted(posts, key=lambda p: (p.published_at, p.post_id))
        if start <= p.published_at < end
    ]
    total_subs, total_unsubs = sum(subs.values()), sum(unsubs.values())
    days = (end - start) / AFTER_POST
    return FollowersSummary(
        start=start,
        end=end,
        subscribed=total_subs,
        unsubscribed=total_unsubs,
        net=total_subs - total_unsubs,
        branches=growth,
        sources=sources,
        posts=post_rows,
        unsubscribes_per_24h=round(total_unsubs / days, 3) if days > 0 else 0.0,
    )


def _branch_growth(
    code: str,
    branch: Branch | None,
    subs: Counter[str | None],
    unsubs: Counter[str | None],
    at_end: int,
) -> BranchGrowth:
    target = branch.target if branch is not None else None
    return BranchGrowth(
        code=code,
        name=branch.name if branch is not None else None,
        target=target,
        subscribed=subs[code],
        unsubscribed=unsubs[code],
        net=subs[code] - unsubs[code],
        followers_at_end=max(0, at_end),
        share_of_target=round(max(0, at_end) / target, 4) if target else None,
    )
