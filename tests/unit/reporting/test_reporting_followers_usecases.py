"""The followers use cases against the in-memory model: each event once, the summary of
local days (China time), a range refused (issue #14)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.reporting.deps import FollowersDeps
from services.reporting.domain.posts import published_post_doc
from services.reporting.usecases.followers import (
    record_branch,
    record_follower_change,
    summarise_followers,
)
from shared.errors import AlreadyProcessed
from tests.support.reporting_events import published
from tests.unit.reporting.fakes import FakePosts
from tests.unit.reporting.followers_fakes import FakeFollowers, followers_deps
from tests.unit.reporting.test_reporting_followers import saved, subscribed, unsubscribed

MON = datetime(2026, 11, 29, 16, tzinfo=UTC)  # Mon 2026-11-30 00:00 China time
H = timedelta(hours=1)


def model(deps: FollowersDeps) -> FakeFollowers:
    assert isinstance(deps.followers, FakeFollowers)
    return deps.followers


async def test_an_event_is_applied_once() -> None:
    deps = followers_deps(MON + 200 * H)
    event = subscribed("o-1", MON + H)
    await record_follower_change(event, deps=deps)
    with pytest.raises(AlreadyProcessed):
        await record_follower_change(event, deps=deps)
    branch = saved("pudong", 10, MON)
    await record_branch(branch, deps=deps)
    with pytest.raises(AlreadyProcessed):
        await record_branch(branch, deps=deps)
    store = model(deps)
    assert len(store.changes) == 1
    assert store.followers["o-1"]["following"] is True
    assert store.branch_docs["pudong"]["target"] == 10


async def test_a_late_subscription_keeps_the_follower_gone_but_is_counted() -> None:
    deps = followers_deps(MON + 200 * H)
    await record_follower_change(unsubscribed("o-1", MON + 2 * H), deps=deps)
    await record_follower_change(subscribed("o-1", MON + H), deps=deps)
    store = model(deps)
    assert store.followers["o-1"]["following"] is False
    assert sorted(d["kind"] for d in store.changes.values()) == ["subscribed", "unsubscribed"]


async def test_the_summary_covers_the_local_days_asked_for() -> None:
    posts = FakePosts()
    post_at = MON + 30 * H
    await posts.save(published_post_doc(published("p1", "hr", post_at), None))
    deps = followers_deps(MON + 200 * H, posts)
    await record_branch(saved("pudong", 4, MON - 24 * H), deps=deps)
    await record_follower_change(subscribed("o-0", MON - timedelta(seconds=1)), deps=deps)
    await record_follower_change(subscribed("o-1", MON), deps=deps)
    await record_follower_change(unsubscribed("o-1", post_at + H), deps=deps)
    # Mon 2026-12-07 00:00 China time: the day after the range
    await record_follower_change(subscribed("o-2", MON + 7 * 24 * H), deps=deps)

    s = await summarise_followers(date(2026, 11, 30), date(2026, 12, 6), deps=deps)
    assert (s.start, s.end) == (MON, MON + 7 * 24 * H)
    assert (s.subscribed, s.unsubscribed, s.net) == (1, 1, 0)
    [pudong] = s.branches
    assert (pudong.code, pudong.followers_at_end, pudong.share_of_target) == ("pudong", 1, 0.25)
    assert [(p.post_id, p.unsubscribes_24h) for p in s.posts] == [("p1", 1)]


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2026, 12, 6), date(2026, 11, 30)), (date(2025, 1, 1), date(2026, 11, 30))],
)
async def test_a_range_that_cannot_be_summarised_is_refused(start: date, end: date) -> None:
    with pytest.raises(ValueError, match="custom period"):
        await summarise_followers(start, end, deps=followers_deps(MON))
