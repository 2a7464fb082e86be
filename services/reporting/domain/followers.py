"""Followers in the read model, and the followers summary of a period (issue #14).

The audience service's events in, three kinds of entries out::

    follower.subscribed / .unsubscribed  ->  follower_changes  (_id = kind:openid:instant)
                                         ->  followers         (_id = openid, latest state)
    branch.saved                         ->  branches          (_id = code, latest save)

Every entry records its event's account (#12); ids are per account
(:func:`~.accounts.scoped_key`: the default account's as before, ``talent/<id>`` for
another), since openids and branch codes are an account's own.

Rules that keep the model right whatever order events arrive in:

* a change is keyed by what it is (subscribe or unsubscribe, who, when), so the same
  change stored twice, by any path, is one entry;
* a follower's entry is their latest change: an older change arriving late leaves it;
* a branch's entry is its latest save (name and head-count target).

A summary may cover several accounts together (a director's "all together"): each
branch row names its account, each account's figures stand side by side
(``by_account``), and a post's unsubscribes are its own account's followers'.

:func:`followers_summary` is the followers section of a period: net growth per branch
against its target (and the share of the target its followers reach at the period's
end), net growth by source, and for each post published in the period the unsubscribes
within 24 hours after it, next to the period's average unsubscribes per 24 hours (did
the post drive people away?). An unsubscribe within 24 hours of two posts counts for both.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.domain import Doc
from services.reporting.domain.accounts import account_of, scoped_key
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import (
    BranchSaved,
    FollowerSource,
    FollowerSubscribed,
    FollowerUnsubscribed,
)

__all__ = [
    "AFTER_POST",
    "AccountGrowth",
    "Branch",
    "BranchGrowth",
    "BranchRef",
    "ChangeKind",
    "FollowerChange",
    "FollowersSummary",
    "PostUnsubscribes",
    "PublishedPost",
    "SourceGrowth",
    "branch_doc",
    "branch_key",
    "change_doc",
    "follower_doc",
    "follower_key",
    "followers_summary",
]

AFTER_POST = timedelta(hours=24)
"""How long after a post an unsubscribe is counted against it."""

ChangeKind = Literal["subscribed", "unsubscribed"]


# -- the read model's entries ---------------------------------------------------------------


def follower_key(account: str, openid: str) -> str:
    """The ``followers`` entry id of a follower of ``account`` (an openid is per account)."""
    return scoped_key(account, openid)


def branch_key(account: str, code: str) -> str:
    """The ``branches`` entry id of a branch code of ``account`` (codes are per account)."""
    return scoped_key(account, code)


def change_doc(event: FollowerSubscribed | FollowerUnsubscribed) -> Doc:
    """The ``follower_changes`` entry of one subscription or unsubscription."""
    p = event.payload
    kind: ChangeKind
    if isinstance(event, FollowerSubscribed):
        kind, at = "subscribed", event.payload.subscribed_at
    else:
        kind, at = "unsubscribed", event.payload.unsubscribed_at
    return {
        "_id": scoped_key(event.account, f"{kind}:{p.openid}:{at.isoformat()}"),
        "account": event.account,
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
        "_id": follower_key(event.account, change["openid"]),
        "account": event.account,
        "openid": change["openid"],
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
        "_id": branch_key(event.account, p.code),
        "account": event.account,
        "code": p.code,
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
    account: str = DEFAULT_ACCOUNT

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> FollowerChange:
        return cls(
            doc["kind"],
            doc["at"],
            doc["source"],
            doc.get("branch_code"),
            account_of(doc) or DEFAULT_ACCOUNT,
        )


@dataclass(frozen=True)
class Branch:
    code: str
    name: str
    target: int
    account: str = DEFAULT_ACCOUNT

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> Branch:
        code = doc.get("code") or doc["_id"]  # entries from before accounts: the id
        return cls(code, doc["name"], int(doc["target"]), account_of(doc) or DEFAULT_ACCOUNT)


@dataclass(frozen=True)
class PublishedPost:
    post_id: str
    title: str
    published_at: datetime
    account: str = DEFAULT_ACCOUNT

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> PublishedPost | None:
        """The post of a ``posts`` entry, or None when it was not published."""
        if doc.get("status") != "published" or doc.get("published_at") is None:
            return None
        return cls(
            doc["_id"],
            doc.get("title") or "",
            doc["published_at"],
            account_of(doc) or DEFAULT_ACCOUNT,
        )


# -- the summary ----------------------------------------------------------------------------


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class BranchGrowth(_Out):
    account: str = Field(description="The official account the branch's code belongs to.")
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


class AccountGrowth(_Out):
    """One account's followers of the period (the summary's figures are their sum)."""

    account: str
    subscribed: int
    unsubscribed: int
    net: int


class PostUnsubscribes(_Out):
    account: str = Field(description="The post's account: only its followers count.")
    post_id: str
    title: str
    published_at: datetime
    unsubscribes_24h: int
    window_complete: bool
    """False when the 24 hours after the post had not all passed at ``as_of``."""


class FollowersSummary(_Out):
    accounts: list[str] = Field(description="The official accounts summarised together.")
    start: datetime
    end: datetime
    subscribed: int
    unsubscribed: int
    net: int
    by_account: list[AccountGrowth] = Field(
        description="Each account's figures side by side (their sum is the total)."
    )
    branches: list[BranchGrowth]
    sources: list[SourceGrowth]
    posts: list[PostUnsubscribes]
    unsubscribes_per_24h: float
    """The period's unsubscribes per 24 hours: what a post's count is compared with."""


BranchRef = tuple[str, str]
"""A branch code in its account: ``(account, code)``."""


def followers_summary(
    *,
    start: datetime,
    end: datetime,
    changes: Iterable[FollowerChange],
    branches: Iterable[Branch],
    attributed_at_end: Mapping[BranchRef, int],
    posts: Iterable[PublishedPost],
    as_of: datetime,
    accounts: Sequence[str] = (DEFAULT_ACCOUNT,),
) -> FollowersSummary:
    """The followers section of ``[start, end)`` over ``accounts`` (the inputs' accounts).

    ``changes`` are those in ``[start, end + 24 h)`` (the tail counts only against
    posts); ``attributed_at_end`` is, per ``(account, branch code)``, the followers its
    code brought who still follow at ``end``; ``posts`` are those placed in the period
    (only the published ones count); ``as_of`` is now (a post's 24 hours may not be
    over). A post's unsubscribes are those of its own account's followers.
    """
    all_changes = sorted(changes, key=lambda c: c.at)
    in_period = [c for c in all_changes if start <= c.at < end]
    subs = Counter((c.account, c.branch_code) for c in in_period if c.kind == "subscribed")
    unsubs = Counter((c.account, c.branch_code) for c in in_period if c.kind == "unsubscribed")
    known = {(b.account, b.code): b for b in branches}
    refs = {
        ref
        for ref in (set(known) | set(subs) | set(unsubs) | set(attributed_at_end))
        if ref[1] is not None
    }
    order = {account: i for i, account in enumerate(accounts)}
    codes: list[BranchRef] = sorted(
        refs,  # type: ignore[arg-type]
        key=lambda ref: (
            order.get(ref[0], len(order)),
            known[ref].name if ref in known else "\uffff",
            ref,
        ),
    )
    growth = [
        _branch_growth(ref, known.get(ref), subs, unsubs, attributed_at_end.get(ref, 0))
        for ref in codes
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
    unsub_times = [(c.account, c.at) for c in all_changes if c.kind == "unsubscribed"]
    post_rows = [
        PostUnsubscribes(
            account=p.account,
            post_id=p.post_id,
            title=p.title,
            published_at=p.published_at,
            unsubscribes_24h=sum(
                1
                for account, t in unsub_times
                if account == p.account and p.published_at <= t < p.published_at + AFTER_POST
            ),
            window_complete=p.published_at + AFTER_POST <= as_of,
        )
        for p in sorted(posts, key=lambda p: (p.published_at, p.post_id))
        if start <= p.published_at < end
    ]
    per_account = [
        AccountGrowth(
            account=account,
            subscribed=sum(1 for c in in_period if c.account == account and c.kind == "subscribed"),
            unsubscribed=sum(
                1 for c in in_period if c.account == account and c.kind == "unsubscribed"
            ),
            net=sum(
                (1 if c.kind == "subscribed" else -1) for c in in_period if c.account == account
            ),
        )
        for account in accounts
    ]
    total_subs, total_unsubs = sum(subs.values()), sum(unsubs.values())
    days = (end - start) / AFTER_POST
    return FollowersSummary(
        accounts=list(accounts),
        start=start,
        end=end,
        subscribed=total_subs,
        unsubscribed=total_unsubs,
        net=total_subs - total_unsubs,
        by_account=per_account,
        branches=growth,
        sources=sources,
        posts=post_rows,
        unsubscribes_per_24h=round(total_unsubs / days, 3) if days > 0 else 0.0,
    )


def _branch_growth(
    ref: BranchRef,
    branch: Branch | None,
    subs: Counter[tuple[str, str | None]],
    unsubs: Counter[tuple[str, str | None]],
    at_end: int,
) -> BranchGrowth:
    target = branch.target if branch is not None else None
    return BranchGrowth(
        account=ref[0],
        code=ref[1],
        name=branch.name if branch is not None else None,
        target=target,
        subscribed=subs[ref],
        unsubscribed=unsubs[ref],
        net=subs[ref] - unsubs[ref],
        followers_at_end=max(0, at_end),
        share_of_target=round(max(0, at_end) / target, 4) if target else None,
    )
