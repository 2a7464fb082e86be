"""The followers read model's rules and the followers summary of a period (issue #14).

The period is the week of Mon 2026-11-30 (China time): [11-29 16:00 UTC, 12-06 16:00 UTC).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.reporting.domain.followers import (
    Branch,
    FollowerChange,
    FollowersSummary,
    PublishedPost,
    branch_doc,
    change_doc,
    follower_doc,
    followers_summary,
)
from shared.events import (
    BranchSaved,
    BranchSavedPayload,
    FollowerSource,
    FollowerSubscribed,
    FollowerSubscribedPayload,
    FollowerUnsubscribed,
    FollowerUnsubscribedPayload,
)

START = datetime(2026, 11, 29, 16, tzinfo=UTC)
END = datetime(2026, 12, 6, 16, tzinfo=UTC)
H = timedelta(hours=1)


def sub(at: datetime, source: str = "branch", branch: str | None = "pudong") -> FollowerChange:
    return FollowerChange("subscribed", at, source, branch)


def unsub(at: datetime, source: str = "branch", branch: str | None = "pudong") -> FollowerChange:
    return FollowerChange("unsubscribed", at, source, branch)


def subscribed(openid: str, at: datetime, **kw: object) -> FollowerSubscribed:
    payload = FollowerSubscribedPayload.model_validate(
        {"openid": openid, "source": "branch", "branch_code": "pudong", "subscribed_at": at, **kw}
    )
    return FollowerSubscribed(
        payload=payload, occurred_at=at, producer="audience", correlation_id="c-1"
    )


def unsubscribed(openid: str, at: datetime, **kw: object) -> FollowerUnsubscribed:
    payload = FollowerUnsubscribedPayload.model_validate(
        {"openid": openid, "source": "branch", "branch_code": "pudong", "unsubscribed_at": at, **kw}
    )
    return FollowerUnsubscribed(
        payload=payload, occurred_at=at, producer="audience", correlation_id="c-1"
    )


def saved(code: str, target: int, at: datetime, name: str = "浦东分公司") -> BranchSaved:
    payload = BranchSavedPayload(
        code=code, name=name, administrator="王经理", target=target, saved_at=at
    )
    return BranchSaved(payload=payload, occurred_at=at, producer="audience", correlation_id="c-1")


# -- the read model's rules -------------------------------------------------------------


def test_a_change_is_keyed_by_what_it_is_so_the_same_change_twice_is_one_entry() -> None:
    at = START + 2 * H
    one, two = subscribed("o-1", at), subscribed("o-1", at)
    assert one.event_id != two.event_id
    assert change_doc(one)["_id"] == change_doc(two)["_id"]
    assert change_doc(one)["_id"] != change_doc(unsubscribed("o-1", at))["_id"]
    assert change_doc(one)["_id"] != change_doc(subscribed("o-1", at + H))["_id"]


def test_the_follower_entry_is_the_latest_change_whatever_the_order() -> None:
    t = START + 2 * H
    first = follower_doc(subscribed("o-1", t), None)
    assert first is not None
    assert first["following"] is True
    assert first["subscribed_at"] == t
    left = follower_doc(unsubscribed("o-1", t + H), first)
    assert left is not None
    assert left["following"] is False
    assert left["subscribed_at"] == t  # kept from the subscription it ends
    assert left["unsubscribed_at"] == t + H
    # the subscription arriving late changes nothing
    assert follower_doc(subscribed("o-1", t), left) is None
    back = follower_doc(subscribed("o-1", t + 2 * H, source="search", branch_code=None), left)
    assert back is not None
    assert back["following"] is True
    assert (back["source"], back["branch_code"]) == ("search", None)


def test_a_branch_keeps_its_latest_save() -> None:
    t = START
    event = saved("pudong", 10, t)
    first = branch_doc(event, None)
    assert first == {
        "_id": "pudong",
        "account": "default",
        "code": "pudong",
        "name": "浦东分公司",
        "administrator": "王经理",
        "target": 10,
        "since": t,
        "saved_at": t,
        "event_id": str(event.event_id),
    }
    later = branch_doc(saved("pudong", 12, t + H), first)
    assert later is not None
    assert (later["target"], later["since"], later["saved_at"]) == (12, t, t + H)
    assert branch_doc(saved("pudong", 8, t), later) is None


def test_a_branch_is_as_old_as_its_earliest_save_whatever_the_order() -> None:
    t = START
    latest = branch_doc(saved("pudong", 12, t + H), None)
    assert latest is not None
    assert latest["since"] == t + H
    # its creation arrives late: the latest name and target stay, the creation time is kept
    created = branch_doc(saved("pudong", 10, t), latest)
    assert created is not None
    assert (created["target"], created["since"], created["saved_at"]) == (12, t, t + H)
    # an entry from before creation times were kept: its save stands for its creation
    legacy = {k: v for k, v in latest.items() if k != "since"}
    assert Branch.of(legacy).since == t + H


def test_only_a_published_post_is_counted() -> None:
    at = START + H
    published = {"_id": "p1", "title": "年终", "status": "published", "published_at": at}
    failed = {"_id": "p2", "title": "", "status": "failed", "published_at": None, "failed_at": at}
    assert PublishedPost.of(published) == PublishedPost("p1", "年终", at)
    assert PublishedPost.of(failed) is None


# -- the summary --------------------------------------------------------------------------


def summary_of_the_week() -> FollowersSummary:
    p1 = START + 24 * H  # Tue 00:00 China time
    p2 = END - H  # the period's last hour: its 24 hours run past the end
    changes = [
        sub(START - H),  # before the period: not counted in it
        sub(START),  # the period's first instant counts
        sub(START + 3 * H),
        sub(START + 5 * H),
        unsub(p1 + H),  # 1 h after p1
        sub(START + 4 * H, "branch", "xuhui"),
        sub(START + 6 * H, "search", None),
        sub(START + 7 * H, "search", None),
        sub(START + 8 * H, "campaign", None),
        unsub(p1 + 24 * H - timedelta(seconds=1), "article", None),  # just within p1's 24 h
        unsub(p1 + 24 * H, "search", None),  # exactly 24 h after: not p1's
        sub(START + 9 * H, "branch", "jingan"),  # a code whose branch.saved is missing
        unsub(END + 2 * H, "search", None),  # after the period: only p2's
    ]
    return followers_summary(
        start=START,
        end=END,
        changes=changes,
        branches=[Branch("pudong", "浦东分公司", 10), Branch("xuhui", "徐汇分公司", 0)],
        attributed_at_end={
            ("default", "pudong"): 5,
            ("default", "xuhui"): 1,
            ("default", "jingan"): 1,
        },
        posts=[
            PublishedPost("p2", "周末", p2),
            PublishedPost("p1", "年终", p1),
            PublishedPost("p0", "上周", START - H),  # published before the period
        ],
        as_of=END + 3 * H,
    )


def test_net_growth_per_branch_against_its_target() -> None:
    s = summary_of_the_week()
    rows = {b.code: b for b in s.branches}
    assert [b.code for b in s.branches] == ["xuhui", "pudong", "jingan"]
    pudong = rows["pudong"]
    assert (pudong.subscribed, pudong.unsubscribed, pudong.net) == (3, 1, 2)
    assert (pudong.name, pudong.target, pudong.followers_at_end) == ("浦东分公司", 10, 5)
    assert pudong.share_of_target == 0.5
    xuhui = rows["xuhui"]
    assert (xuhui.net, xuhui.target, xuhui.share_of_target) == (1, 0, None)  # no target
    jingan = rows["jingan"]
    assert (jingan.name, jingan.target, jingan.net, jingan.share_of_target) == (
        None,
        None,
        1,
        None,
    )


def test_growth_by_source_lists_every_source() -> None:
    s = summary_of_the_week()
    by = {r.source: (r.subscribed, r.unsubscribed, r.net) for r in s.sources}
    assert set(by) == set(FollowerSource)
    assert by[FollowerSource.BRANCH] == (5, 1, 4)
    assert by[FollowerSource.SEARCH] == (2, 1, 1)
    assert by[FollowerSource.CAMPAIGN] == (1, 0, 1)
    assert by[FollowerSource.ARTICLE] == (0, 1, -1)
    assert by[FollowerSource.CARD] == (0, 0, 0)
    assert (s.subscribed, s.unsubscribed, s.net) == (8, 3, 5)


def test_unsubscribes_within_24_hours_of_each_post_in_the_period() -> None:
    s = summary_of_the_week()
    rows = [(p.post_id, p.unsubscribes_24h, p.window_complete) for p in s.posts]
    # p1: the ones 1 h and 23:59:59 after it, not the one exactly 24 h after;
    # p2: the one 2 h past the period's end; p0 was published before the period.
    assert rows == [("p1", 2, True), ("p2", 1, False)]
    assert s.unsubscribes_per_24h == round(3 / 7, 3)


def test_an_empty_period_is_zeros_not_an_error() -> None:
    s = followers_summary(
        start=START,
        end=END,
        changes=[],
        branches=[Branch("pudong", "浦东分公司", 10)],
        attributed_at_end={},
        posts=[],
        as_of=END,
    )
    assert (s.subscribed, s.unsubscribed, s.net, s.unsubscribes_per_24h) == (0, 0, 0, 0.0)
    assert [(b.code, b.net, b.followers_at_end, b.share_of_target) for b in s.branches] == [
        ("pudong", 0, 0, 0.0)
    ]
    assert s.posts == []
