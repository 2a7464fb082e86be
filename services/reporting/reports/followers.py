"""The followers section of a report (issue #14): its figures, and what to do where a
branch lags or a post drove followers away (pure: no I/O, no clock).

The figures (:class:`FollowersSummary`) are computed from the read model by
:func:`services.reporting.domain.followers.followers_summary`; the rules that judge them
live here, so a report and ``GET /followers/summary`` say the same:

* **A branch's fair share.** A branch is to reach its head-count target within
  ``target_days`` (``REPORTING_FOLLOWER_TARGET_DAYS``, 30 by default) of its creation (its
  first ``branch.saved``): at the period's end it should have at least
  ``floor(target x elapsed / target_days)`` followers from its code (:func:`fair_share`).
  Below that, it is *behind* by the difference. A branch created less than
  :data:`GRACE_DAYS` before the period's end gets no recommendation yet (it could not
  act); one without a target (0) or whose target is met is never behind.
* **A silent branch.** A branch below its target whose code brought nobody in the
  period, over at least :data:`GRACE_DAYS` days of the period it existed in.
* **A post that drove people away.** A post's unsubscribes within 24 hours are *unusual*
  when they are at least :data:`UNUSUAL_MIN` and a Poisson count at the period's
  unsubscribes per 24 hours would reach them by chance less than :data:`UNUSUAL_P` of the
  time (:func:`is_unusual`). The period's rate is the baseline: it includes the post's own
  unsubscribes, so a period whose only leavers came after one post has nothing to compare
  with and is not flagged.

Recommendations are ``{code, params}`` like the report's notes, rendered in the reader's
language by :func:`~.follower_text.follower_advice_text`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.events import FollowerSource

__all__ = [
    "GRACE_DAYS",
    "TARGET_DAYS",
    "UNUSUAL_MIN",
    "UNUSUAL_P",
    "AccountGrowth",
    "AdviceCode",
    "BranchGrowth",
    "FollowerAdvice",
    "FollowersSummary",
    "PostUnsubscribes",
    "SourceGrowth",
    "branch_advice",
    "fair_share",
    "follower_advice",
    "is_unusual",
    "post_advice",
]

TARGET_DAYS = 30.0
"""Days a branch has, from its creation, to reach its head-count target (default)."""
GRACE_DAYS = 2.0
"""Days a new branch has before it is judged (to print its poster and tell its staff);
also the days of the period it must have existed in before "no new followers" counts."""
UNUSUAL_MIN = 3
"""Fewer unsubscribes after a post than this are never unusual."""
UNUSUAL_P = 0.05
"""How unlikely, at the period's rate, a post's unsubscribes must be to be unusual."""

_DAY = timedelta(days=1)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class BranchGrowth(_Out):
    account: str = Field(description="The official account the branch's code belongs to.")
    code: str
    name: str | None  # None: a code scanned whose branch.saved has not arrived
    administrator: str | None = Field(
        default=None, description="Who is responsible for the branch's promotion."
    )
    since: datetime | None = Field(
        default=None, description="When the branch was created (its first save), if known."
    )
    target: int | None
    subscribed: int
    unsubscribed: int
    net: int
    followers_at_end: int
    """Followers the branch's code brought who still follow at the period's end."""
    share_of_target: float | None
    """``followers_at_end / target`` (None without a positive target)."""
    expected: int | None = Field(
        default=None,
        description="Followers due by the period's end: its fair share of the target for "
        "the time elapsed since its creation (None without a target or a creation time).",
    )
    behind: int = Field(
        default=0, description="How many followers short of ``expected`` it is (0: on track)."
    )


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
    branch_followers: int = Field(
        default=0, description="Followers its branches' codes brought, at the period's end."
    )
    branch_target: int = Field(default=0, description="Its branches' targets together.")
    branches_behind: int = Field(default=0, description="Its branches behind their fair share.")


class PostUnsubscribes(_Out):
    account: str = Field(description="The post's account: only its followers count.")
    post_id: str
    title: str
    published_at: datetime
    unsubscribes_24h: int
    window_complete: bool
    """False when the 24 hours after the post had not all passed at ``as_of``."""
    unusual: bool = Field(
        default=False,
        description="More than the period's unsubscribes per 24 hours explain (a Poisson "
        "count at that rate reaches it less than 5 % of the time; at least 3).",
    )


AdviceCode = Literal["branch_behind", "branch_silent", "branch_no_target", "post_unsubscribes"]


class FollowerAdvice(_Out):
    """A recommendation about the followers, rendered in the reader's language."""

    code: AdviceCode
    params: dict[str, str | int | float | None] = Field(default_factory=dict)


class FollowersSummary(_Out):
    accounts: list[str] = Field(description="The official accounts summarised together.")
    start: datetime
    end: datetime
    has_data: bool = Field(
        default=True,
        description="False when the accounts have no branch and no follower change near the "
        "period: the audience service has sent nothing yet.",
    )
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
    target_days: float = Field(
        default=TARGET_DAYS, description="Days a branch has to reach its target."
    )
    recommendations: list[FollowerAdvice] = Field(
        default_factory=list,
        description="Where a branch lags (behind its fair share, silent, no target) or a "
        "post drove followers away; most pressing first.",
    )


# -- the rules ------------------------------------------------------------------------------


def fair_share(
    target: int | None, since: datetime | None, end: datetime, target_days: float = TARGET_DAYS
) -> int | None:
    """Followers a branch created at ``since`` should have at ``end`` (None: no target or
    no creation time to measure from)."""
    if not target or since is None:
        return None
    elapsed = max(0.0, (end - since) / _DAY)
    share = 1.0 if target_days <= 0 else min(1.0, elapsed / target_days)
    return math.floor(target * share + 1e-9)


def _poisson_tail(k: int, rate: float) -> float:
    """P(X >= k) for X ~ Poisson(rate)."""
    if rate <= 0:
        return 0.0 if k > 0 else 1.0
    term, below = math.exp(-rate), 0.0
    for i in range(k):
        below += term
        term *= rate / (i + 1)
    return max(0.0, 1.0 - below)


def is_unusual(count: int, per_24h: float) -> bool:
    """Whether ``count`` unsubscribes within 24 hours of a post are more than the period's
    rate (``per_24h``) explains."""
    return count >= UNUSUAL_MIN and _poisson_tail(count, per_24h) < UNUSUAL_P


def _who(branch: BranchGrowth) -> dict[str, str | int | float | None]:
    return {
        "account": branch.account,
        "code": branch.code,
        "branch": branch.name or branch.code,
        "administrator": branch.administrator or "–",
        "followers": branch.followers_at_end,
        "target": branch.target,
    }


def branch_advice(
    branch: BranchGrowth, *, start: datetime, end: datetime, target_days: float = TARGET_DAYS
) -> FollowerAdvice | None:
    """What a branch's administrator should do, or None when it is on track (or unknown:
    a code whose ``branch.saved`` has not arrived)."""
    if branch.name is None:
        return None
    if not branch.target:
        return FollowerAdvice(code="branch_no_target", params=_who(branch))
    if branch.followers_at_end >= branch.target:
        return None
    if branch.since is not None and end - branch.since < GRACE_DAYS * _DAY:
        return None  # too new to be judged
    existed = end - max(start, branch.since or start)
    expected = branch.expected or 0
    params = {
        **_who(branch),
        "expected": expected,
        "gap": max(0, expected - branch.followers_at_end),
        "to_target": branch.target - branch.followers_at_end,
        "progress": branch.share_of_target,
    }
    if branch.subscribed == 0 and existed >= GRACE_DAYS * _DAY:
        return FollowerAdvice(
            code="branch_silent", params={**params, "days": round(existed / _DAY)}
        )
    if branch.behind > 0:
        return FollowerAdvice(code="branch_behind", params=params)
    return None


def post_advice(post: PostUnsubscribes, per_24h: float) -> FollowerAdvice | None:
    """A post whose unsubscribes within 24 hours were unusual: look at what it did."""
    if not post.unusual:
        return None
    return FollowerAdvice(
        code="post_unsubscribes",
        params={
            "account": post.account,
            "post_id": post.post_id,
            "title": post.title or post.post_id,
            "count": post.unsubscribes_24h,
            "baseline": per_24h,
        },
    )


def follower_advice(
    branches: Iterable[BranchGrowth],
    posts: Iterable[PostUnsubscribes],
    *,
    start: datetime,
    end: datetime,
    per_24h: float,
    target_days: float = TARGET_DAYS,
) -> list[FollowerAdvice]:
    """Every recommendation of a period, most pressing first: silent branches, then those
    behind (the largest gap first), branches without a target, then posts."""
    rank = {"branch_silent": 0, "branch_behind": 1, "branch_no_target": 2}
    found = [
        a
        for b in branches
        if (a := branch_advice(b, start=start, end=end, target_days=target_days)) is not None
    ]
    found.sort(key=lambda a: (rank[a.code], -int(a.params.get("gap") or 0)))
    return found + [a for p in posts if (a := post_advice(p, per_24h)) is not None]
