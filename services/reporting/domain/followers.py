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
* a branch's entry is its latest save (name, administrator and head-count target), and
  ``since``, its earliest save known: when it was created, whence its fair share of the
  target is counted.

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

from services.reporting.domain import Doc
from services.reporting.domain.accounts import account_of, scoped_key
from services.reporting.reports.followers import (
    TARGET_DAYS,
    AccountGrowth,
    BranchGrowth,
    FollowerAdvice,
    FollowersSummary,
    PostUnsubscribes,
    SourceGrowth,
    fair_share,
    follower_advice,
    is_unusual,
)
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
    "FollowerAdvice",
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
    first = p.saved_at if existing is None else _first_saved(existing, p.saved_at)
    if existing is not None and existing["saved_at"] > p.saved_at:
        if first == existing.get("since"):
            return None
        return {**existing, "since": first}  # an older save, late: only its creation time
    return {
        "_id": branch_key(event.account, p.code),
        "account": event.account,
        "code": p.code,
        "name": p.name,
        "administrator": p.administrator,
        "target": p.target,
        "since": first,
        "saved_at": p.saved_at,
        "event_id": str(event.event_id),
    }


def _first_saved(existing: Mapping[str, Any], saved_at: datetime) -> datetime:
    """The earliest save known: when the branch was created (its promotion's start)."""
    known: datetime = existing.get("since") or existing["saved_at"]
    return min(known, saved_at)


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
    administrator: str | None = None
    since: datetime | None = None
    """When it was created (its first save); None: unknown."""

    @classmethod
    def of(cls, doc: Mapping[str, Any]) -> Branch:
        code = doc.get("code") or doc["_id"]  # entries from before accounts: the id
        return cls(
            code,
            doc["name"],
            int(doc["target"]),
            account_of(doc) or DEFAULT_ACCOUNT,
            doc.get("administrator"),
            # entries from before #14's reports kept only their latest save
            doc.get("since") or doc.get("saved_at"),
        )


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
    target_days: float = TARGET_DAYS,
) -> FollowersSummary:
    """The followers section of ``[start, end)`` over ``accounts`` (the inputs' accounts).

    ``changes`` are those in ``[start, end + 24 h)`` (the tail counts only against
    posts); ``attributed_at_end`` is, per ``(account, branch code)``, the followers its
    code brought who still follow at ``end``; ``posts`` are those placed in the period
    (only the published ones count); ``as_of`` is now (a post's 24 hours may not be
    over). A post's unsubscribes are those of its own account's followers.

    Each branch is measured against its fair share of its target (``target_days`` to
    reach it from its creation), each post's unsubscribes against the period's rate, and
    the recommendations say where a branch lags or a post drove followers away
    (:mod:`services.reporting.reports.followers`).
    """
    all_changes = sorted(changes, key=lambda c: c.at)
    in_period = [c for c in all_changes if start <= c.at < end]
    subs = Counter((c.account, c.branch_code) for c in in_period if c.kind == "subscribed")
    unsubs = Counter((c.account, c.branch_code) for c in in_period if c.kind == "unsubscribed")
    all_known = {(b.account, b.code): b for b in branches}
    # a branch created after the period is no part of it (unless its code was scanned)
    known = {r: b for r, b in all_known.items() if b.since is None or b.since < end}
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
        _branch_growth(
            ref, all_known.get(ref), subs, unsubs, attributed_at_end.get(ref, 0), end, target_days
        )
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
    total_subs, total_unsubs = sum(subs.values()), sum(unsubs.values())
    days = (end - start) / AFTER_POST
    per_24h = round(total_unsubs / days, 3) if days > 0 else 0.0
    unsub_times = [(c.account, c.at) for c in all_changes if c.kind == "unsubscribed"]
    post_rows = []
    for p in sorted(posts, key=lambda p: (p.published_at, p.post_id)):
        if not start <= p.published_at < end:
            continue
        count = sum(
            1
            for account, t in unsub_times
            if account == p.account and p.published_at <= t < p.published_at + AFTER_POST
        )
        post_rows.append(
            PostUnsubscribes(
                account=p.account,
                post_id=p.post_id,
                title=p.title,
                published_at=p.published_at,
                unsubscribes_24h=count,
                window_complete=p.published_at + AFTER_POST <= as_of,
                unusual=is_unusual(count, per_24h),
            )
        )
    per_account = [_account_growth(account, in_period, growth) for account in accounts]
    return FollowersSummary(
        accounts=list(accounts),
        start=start,
        end=end,
        has_data=bool(growth or all_changes),
        subscribed=total_subs,
        unsubscribed=total_unsubs,
        net=total_subs - total_unsubs,
        by_account=per_account,
        branches=growth,
        sources=sources,
        posts=post_rows,
        unsubscribes_per_24h=per_24h,
        target_days=target_days,
        recommendations=follower_advice(
            growth, post_rows, start=start, end=end, per_24h=per_24h, target_days=target_days
        ),
    )


def _account_growth(
    account: str, in_period: Sequence[FollowerChange], growth: Sequence[BranchGrowth]
) -> AccountGrowth:
    mine = [c for c in in_period if c.account == account]
    subscribed = sum(1 for c in mine if c.kind == "subscribed")
    branches = [b for b in growth if b.account == account]
    return AccountGrowth(
        account=account,
        subscribed=subscribed,
        unsubscribed=len(mine) - subscribed,
        net=2 * subscribed - len(mine),
        branch_followers=sum(b.followers_at_end for b in branches),
        branch_target=sum(b.target or 0 for b in branches),
        branches_behind=sum(1 for b in branches if b.behind > 0),
    )


def _branch_growth(
    ref: BranchRef,
    branch: Branch | None,
    subs: Counter[tuple[str, str | None]],
    unsubs: Counter[tuple[str, str | None]],
    at_end: int,
    end: datetime,
    target_days: float,
) -> BranchGrowth:
    target = branch.target if branch is not None else None
    followers = max(0, at_end)
    expected = fair_share(target, branch.since, end, target_days) if branch else None
    return BranchGrowth(
        account=ref[0],
        code=ref[1],
        name=branch.name if branch is not None else None,
        administrator=branch.administrator if branch is not None else None,
        since=branch.since if branch is not None else None,
        target=target,
        subscribed=subs[ref],
        unsubscribed=unsubs[ref],
        net=subs[ref] - unsubs[ref],
        followers_at_end=followers,
        share_of_target=round(followers / target, 4) if target else None,
        expected=expected,
        behind=max(0, expected - followers) if expected is not None else 0,
    )
