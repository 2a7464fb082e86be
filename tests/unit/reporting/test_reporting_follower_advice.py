"""The followers section's judgements (issue #14): each branch against its fair share of
its target, posts whose unsubscribes are unusual, and what the report recommends.

The period is the week of Mon 2026-11-30 (China time): [11-29 16:00 UTC, 12-06 16:00 UTC);
branches have 30 days from their creation to reach their target.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.reporting.domain.followers import (
    Branch,
    FollowerChange,
    FollowersSummary,
    PublishedPost,
    followers_summary,
)
from services.reporting.reports.followers import (
    BranchGrowth,
    fair_share,
    follower_advice,
    is_unusual,
)

START = datetime(2026, 11, 29, 16, tzinfo=UTC)
END = datetime(2026, 12, 6, 16, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)


def sub(at: datetime, branch: str | None = "pudong", source: str = "branch") -> FollowerChange:
    return FollowerChange("subscribed", at, source, branch)


def unsub(at: datetime, branch: str | None = None, source: str = "search") -> FollowerChange:
    return FollowerChange("unsubscribed", at, source, branch)


def summary(
    branches: list[Branch],
    changes: list[FollowerChange] = (),  # type: ignore[assignment]
    attributed: dict[str, int] | None = None,
    posts: list[PublishedPost] = (),  # type: ignore[assignment]
) -> FollowersSummary:
    return followers_summary(
        start=START,
        end=END,
        changes=changes,
        branches=branches,
        attributed_at_end={("default", c): n for c, n in (attributed or {}).items()},
        posts=posts,
        as_of=END + 2 * D,
    )


def pudong(target: int = 30, since: datetime = START - 8 * D) -> Branch:
    return Branch("pudong", "浦东分公司", target, administrator="王经理", since=since)


# -- the fair share ------------------------------------------------------------------------


def test_a_fair_share_grows_with_the_time_elapsed_and_stops_at_the_target() -> None:
    assert fair_share(30, START, START) == 0
    assert fair_share(30, START, START + 15 * D) == 15
    assert fair_share(30, START, START + 10 * D + H) == 10  # rounded down: never ahead of time
    assert fair_share(30, START, START + 90 * D) == 30
    assert fair_share(30, START, START + 10 * D, target_days=10) == 30
    assert fair_share(0, START, END) is None  # no target: nothing to measure
    assert fair_share(None, START, END) is None  # a code without its branch
    assert fair_share(30, None, END) is None  # no creation time known
    assert fair_share(30, END + D, END) == 0  # created after the instant


def test_a_branch_below_its_fair_share_is_behind_by_the_difference() -> None:
    s = summary(
        [pudong()],  # 15 days old at the end: 15 of 30 are due
        [sub(START + H), sub(START + 2 * H)],
        attributed={"pudong": 9},
    )
    (row,) = s.branches
    assert (row.expected, row.followers_at_end, row.behind) == (15, 9, 6)
    assert (row.administrator, row.since) == ("王经理", START - 8 * D)
    (advice,) = s.recommendations
    assert advice.code == "branch_behind"
    assert advice.params == {
        "account": "default",
        "code": "pudong",
        "branch": "浦东分公司",
        "administrator": "王经理",
        "followers": 9,
        "target": 30,
        "expected": 15,
        "gap": 6,
        "to_target": 21,
        "progress": 0.3,
    }
    assert s.by_account[0].branches_behind == 1


def test_a_branch_on_track_or_with_its_target_met_gets_no_recommendation() -> None:
    on_track = summary([pudong()], [sub(START + H)], attributed={"pudong": 15})
    assert (on_track.branches[0].behind, on_track.recommendations) == (0, [])
    met = summary([pudong(target=10)], [], attributed={"pudong": 12})  # silent, yet done
    assert met.branches[0].share_of_target == 1.2
    assert met.recommendations == []


def test_a_branch_without_new_followers_in_the_period_is_told_so() -> None:
    s = summary([pudong()], [], attributed={"pudong": 20})  # ahead of its share, but silent
    (advice,) = s.recommendations
    assert advice.code == "branch_silent"
    assert (advice.params["days"], advice.params["to_target"]) == (7, 10)
    assert advice.params["administrator"] == "王经理"


def test_a_branch_created_late_in_the_period_is_not_judged_before_it_could_act() -> None:
    late = pudong(since=END - D)  # a day before the end: 1 of 30 due, none there
    s = summary([late])
    (row,) = s.branches
    assert (row.expected, row.behind) == (1, 1)  # the figures say it
    assert s.recommendations == []  # but a day is too soon to tell its administrator
    # three days in, still nobody: silent for the days it existed
    s = summary([pudong(since=END - 3 * D)])
    assert [(a.code, a.params["days"]) for a in s.recommendations] == [("branch_silent", 3)]


def test_a_branch_created_mid_period_is_measured_from_its_creation() -> None:
    s = summary(
        [pudong(target=60, since=START + 2 * D)],  # 5 days old: 10 of 60 due
        [sub(START + 3 * D)],
        attributed={"pudong": 1},
    )
    (row,) = s.branches
    assert (row.expected, row.behind) == (10, 9)
    assert [a.code for a in s.recommendations] == ["branch_behind"]


def test_a_branch_created_after_the_period_is_not_in_it() -> None:
    s = summary([pudong(since=END + H)])
    assert s.branches == []
    assert s.has_data is False


def test_a_branch_without_a_target_is_asked_to_set_one() -> None:
    s = summary([pudong(target=0)], [sub(START + H)], attributed={"pudong": 3})
    (row,) = s.branches
    assert (row.expected, row.behind, row.share_of_target) == (None, 0, None)
    (advice,) = s.recommendations
    assert advice.code == "branch_no_target"
    assert advice.params["followers"] == 3


def test_a_code_whose_branch_is_unknown_gets_no_recommendation() -> None:
    s = summary([], [sub(START + H, "jingan")], attributed={"jingan": 1})
    assert [(b.code, b.name, b.expected) for b in s.branches] == [("jingan", None, None)]
    assert s.recommendations == []


def test_no_branches_and_no_changes_is_no_follower_data() -> None:
    s = summary([])
    assert s.has_data is False
    assert (s.branches, s.recommendations, s.subscribed) == ([], [], 0)
    # a change alone is data
    assert summary([], [sub(START + H, None, "search")]).has_data is True


def test_the_most_pressing_come_first() -> None:
    branches = [
        Branch("a", "A分公司", 30, administrator="甲", since=START - 8 * D),  # 15 due
        Branch("b", "B分公司", 60, administrator="乙", since=START - 8 * D),  # 30 due
        Branch("c", "C分公司", 0, administrator="丙", since=START - 8 * D),
        Branch("d", "D分公司", 30, administrator="丁", since=START - 8 * D),
    ]
    changes = [sub(START + H, "a"), sub(START + H, "b"), sub(START + H, "c")]
    s = summary(branches, changes, attributed={"a": 10, "b": 10, "c": 1, "d": 14})
    assert [(a.code, a.params["code"]) for a in s.recommendations] == [
        ("branch_silent", "d"),
        ("branch_behind", "b"),  # 20 short
        ("branch_behind", "a"),  # 5 short
        ("branch_no_target", "c"),
    ]


def test_the_rules_stand_alone_on_the_figures() -> None:
    row = BranchGrowth(
        account="default",
        code="x",
        name="X",
        target=10,
        subscribed=0,
        unsubscribed=0,
        net=0,
        followers_at_end=0,
        share_of_target=0.0,
        expected=5,
        behind=5,
        since=START,
    )
    # a period of one day without a new follower is too short to call the branch silent
    (advice,) = follower_advice([row], [], start=END - D, end=END, per_24h=0.0)
    assert (advice.code, advice.params["gap"]) == ("branch_behind", 5)
    (advice,) = follower_advice([row], [], start=START, end=END, per_24h=0.0)
    assert (advice.code, advice.params["days"]) == ("branch_silent", 7)


# -- did a post drive people away? ---------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "per_24h", "unusual"),
    [
        (2, 0.0, False),  # too few to tell, whatever the rate
        (3, 0.0, True),
        (3, 0.5, True),  # P(X >= 3 | 0.5) = 1.4 %
        (3, 1.0, False),  # P(X >= 3 | 1.0) = 8 %
        (6, 2.0, True),  # 1.7 %
        (5, 2.0, False),  # 5.3 %
        (10, 5.0, True),
    ],
)
def test_unsubscribes_after_a_post_are_unusual_against_the_periods_rate(
    count: int, per_24h: float, unusual: bool
) -> None:
    assert is_unusual(count, per_24h) is unusual


def test_a_post_followed_by_unusual_unsubscribes_is_flagged_and_recommended() -> None:
    post_at = START + 2 * D
    changes = [unsub(post_at + i * H) for i in range(1, 5)]  # 4 within its 24 hours
    changes.append(unsub(START + 5 * D))  # one more in the week: 5 / 7 a day
    s = summary(
        [],
        changes,
        posts=[
            PublishedPost("p1", "年终福利", post_at),
            PublishedPost("p2", "社保", START + 5 * D - H),  # 1 within its 24 hours
        ],
    )
    assert s.unsubscribes_per_24h == round(5 / 7, 3)
    assert [(p.post_id, p.unsubscribes_24h, p.unusual) for p in s.posts] == [
        ("p1", 4, True),
        ("p2", 1, False),
    ]
    (advice,) = s.recommendations
    assert advice.code == "post_unsubscribes"
    assert advice.params == {
        "account": "default",
        "post_id": "p1",
        "title": "年终福利",
        "count": 4,
        "baseline": round(5 / 7, 3),
    }


def test_accounts_side_by_side_carry_their_branches_progress() -> None:
    branches = [
        pudong(),
        Branch("pudong", "浦东人才站", 10, account="talent", administrator="赵", since=START),
    ]
    changes = [
        sub(START + H),
        FollowerChange("subscribed", START + H, "branch", "pudong", "talent"),
    ]
    s = followers_summary(
        start=START,
        end=END,
        changes=changes,
        branches=branches,
        attributed_at_end={("default", "pudong"): 15, ("talent", "pudong"): 1},
        posts=[],
        as_of=END,
        accounts=("default", "talent"),
    )
    rows = [
        (a.account, a.net, a.branch_followers, a.branch_target, a.branches_behind)
        for a in s.by_account
    ]
    # talent's branch is 7 days old: 2 of 10 due, 1 there
    assert rows == [("default", 1, 15, 30, 0), ("talent", 1, 1, 10, 1)]
    assert [(a.code, a.params["account"]) for a in s.recommendations] == [
        ("branch_behind", "talent")
    ]
