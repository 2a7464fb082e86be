"""The driver accounts for every post the publisher published, in the slot it went out in.

Review gives a draft a slot; the publisher decides where the post goes: a full slot (two
posts) moves it to the next free one. The driver must not wait at the slot review named
for a post that went elsewhere (it timed out there, 60 real seconds, days of simulated
time, and lost the post of the later slot), and it must record posts moved past its last
push day, noting what it could not settle.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
from rich.console import Console

import demo.post_ledger as post_ledger_module
from demo.client import ApiClient
from demo.config import ZONE, DemoPlan
from demo.feedback_bus import FeedbackBus
from demo.newsroom import poll
from demo.progress import DemoProgress
from demo.punctuality import Punctuality
from demo.records import RunRecord
from demo.scenario import Scenario
from shared.clock import FixedClock

T = TypeVar("T")
PLAN = DemoPlan.new(run_dir=Path("/tmp/demo-plan"), days=7, speed=7000)  # Mon 11-23 .. Sun
MON, WED, FRI = (datetime(2026, 11, d, 11, 30, tzinfo=ZONE) for d in (23, 25, 27))
NEXT_MON = datetime(2026, 11, 30, 11, 30, tzinfo=ZONE)  # after the last push day
AFTER_REPORT = datetime(2026, 12, 2, 11, 30, tzinfo=ZONE)  # after the biweekly report


def _post(draft: str, slot: datetime, state: str = "published") -> dict[str, Any]:
    return {
        "post_id": f"p-{draft}-r1",
        "draft_id": draft,
        "revision": 1,
        "title": f"title {draft}",
        "category": "finance",
        "state": state,
        "slot_key": f"publish:{slot.isoformat(timespec='minutes')}",
        "slot_at": slot.astimezone(UTC).isoformat(),
        "published_at": slot.astimezone(UTC).isoformat() if state == "published" else None,
        "lateness_seconds": 12.0,
        "url": f"file:///{draft}.html",
    }


class FakeApi:
    """The publisher's calendar, as the test sets it."""

    def __init__(self, posts: list[dict[str, Any]]) -> None:
        self.calendar = posts
        self.reads = 0

    async def posts(self, state: str | None = None) -> list[dict[str, Any]]:
        self.reads += 1
        return [p for p in self.calendar if state is None or p["state"] == state]


def _scenario(api: FakeApi, now: datetime) -> tuple[Scenario, list[list[str]]]:
    clock = FixedClock(now)
    record = RunRecord("demo1.", "/tmp/demo-plan", PLAN.sim_start.isoformat(), 7, 7000, 7)
    scenario = Scenario(
        plan=PLAN,
        clock=clock,
        api=cast(ApiClient, api),
        bus=cast(FeedbackBus, None),
        progress=DemoProgress(clock, PLAN.sim_start, PLAN.report_due, Console(record=True)),
        articles=[],
        record=record,
        seed=7,
        punctuality=Punctuality(tolerance_seconds=3500, speed=7000),
    )
    windows: list[list[str]] = []

    async def feedback_window(posts: list[dict[str, Any]]) -> None:
        windows.append([p["post_id"] for p in posts])

    scenario.windows.run = feedback_window  # type: ignore[method-assign]
    return scenario, windows


@pytest.fixture(autouse=True)
def quick_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    """The driver's poll gives up after half a real second here (60 s in a run)."""

    async def quick(probe: Callable[[], Awaitable[T | None]], what: str, **_: Any) -> T:
        return await poll(probe, what, within=0.5)

    monkeypatch.setattr(post_ledger_module, "poll", quick)


async def test_a_post_moved_to_a_later_slot_is_accounted_for_there() -> None:
    # review approved three drafts for Wednesday; its two seats taken, the publisher
    # moved the third to Friday (the flaky run: the driver waited for 3 on Wednesday)
    wed_a, wed_b, moved = _post("a", WED), _post("b", WED), _post("c", FRI, "scheduled")
    api = FakeApi([wed_a, wed_b, moved])
    scenario, _ = _scenario(api, WED)
    scenario.ledger.approved = {("a", 1), ("b", 1), ("c", 1)}

    wednesday = await scenario.ledger.settle(WED)

    assert [p["post_id"] for p in wednesday] == ["p-a-r1", "p-b-r1"]
    assert scenario.record.notes == []  # settled at once, no timeout
    moved["state"], moved["published_at"] = "published", FRI.astimezone(UTC).isoformat()
    friday = await scenario.ledger.settle(FRI)
    assert [p["post_id"] for p in friday] == ["p-c-r1"]
    assert [(p.post_id, p.slot_key) for p in scenario.record.posts] == [
        ("p-a-r1", "publish:2026-11-25T11:30+08:00"),
        ("p-b-r1", "publish:2026-11-25T11:30+08:00"),
        ("p-c-r1", "publish:2026-11-27T11:30+08:00"),
    ]


async def test_the_driver_waits_until_the_publisher_holds_every_approved_revision() -> None:
    api = FakeApi([_post("a", WED)])
    scenario, _ = _scenario(api, WED)
    scenario.ledger.approved = {("a", 1), ("late", 1)}  # "late": its approval not consumed yet

    posts = await scenario.ledger.settle(WED)

    assert api.reads > 2  # it kept looking, then gave up and said why
    assert [p["post_id"] for p in posts] == ["p-a-r1"]
    (note,) = scenario.record.notes
    assert "not all posts settled in time" in note
    assert "approved, no post at the publisher: late r1" in note


async def test_a_post_still_on_its_way_is_noted_and_recorded_at_a_later_look() -> None:
    stuck = _post("a", MON, "pending")
    api = FakeApi([stuck])
    scenario, _ = _scenario(api, MON)
    scenario.ledger.approved = {("a", 1)}

    assert await scenario.ledger.settle(MON) == []
    assert scenario.record.notes == [
        "slot 2026-11-23T11:30:00+08:00: not all posts settled in time; "
        "still on their way: p-a-r1 (pending)"
    ]
    stuck["state"], stuck["published_at"] = "published", MON.astimezone(UTC).isoformat()
    assert [p["post_id"] for p in await scenario.ledger.settle(WED)] == ["p-a-r1"]
    assert [p.slot_key for p in scenario.record.posts] == ["publish:2026-11-23T11:30+08:00"]


async def test_a_post_that_did_not_go_out_is_noted_not_recorded() -> None:
    api = FakeApi([_post("a", MON), _post("b", MON, "missed")])
    scenario, _ = _scenario(api, MON)
    scenario.ledger.approved = {("a", 1), ("b", 1)}

    assert [p["post_id"] for p in await scenario.ledger.settle(MON)] == ["p-a-r1"]
    assert scenario.record.notes == ["post p-b-r1 of slot publish:2026-11-23T11:30+08:00: missed"]


async def test_posts_moved_past_the_last_push_day_are_followed_or_noted() -> None:
    api = FakeApi([_post("a", FRI), _post("b", NEXT_MON), _post("c", AFTER_REPORT, "scheduled")])
    scenario, windows = _scenario(api, AFTER_REPORT)  # the clock is past every slot
    scenario.ledger.approved = {("a", 1), ("b", 1), ("c", 1)}
    await scenario._follow_slot(FRI)

    await scenario.moved_past_the_last_day()

    assert windows == [["p-a-r1"], ["p-b-r1"]]  # next Monday's post: its feedback window too
    assert [p.slot_key for p in scenario.record.posts] == [
        "publish:2026-11-27T11:30+08:00",
        "publish:2026-11-30T11:30+08:00",
    ]
    (note,) = scenario.record.notes
    assert note.startswith("post p-c-r1 moved to publish:2026-12-02T11:30+08:00, at or after")
    assert note.endswith("not followed, scheduled when the last push day was done")


async def test_a_post_published_but_never_followed_is_recorded_at_the_end_with_a_note() -> None:
    api = FakeApi([_post("a", MON), _post("b", WED, "scheduled")])
    scenario, _ = _scenario(api, WED)
    scenario.ledger.approved = {("a", 1), ("b", 1), ("gone", 2)}
    late = api.calendar[1]  # went out while the driver was elsewhere
    late["state"], late["published_at"] = "published", WED.astimezone(UTC).isoformat()

    await scenario.ledger.account_for_the_rest()

    assert [p.post_id for p in scenario.record.posts] == ["p-a-r1", "p-b-r1"]
    assert len(scenario.record.notes) == 3
    assert "seen only at the end of the run" in scenario.record.notes[0]
    assert scenario.record.notes[2] == "approved, never scheduled by the publisher: gone r2"
    await scenario.ledger.account_for_the_rest()  # a second look adds nothing
    assert len(scenario.record.posts) == 2
