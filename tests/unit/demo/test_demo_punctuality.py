"""One account of punctuality: the timeline's verdict on each post and the summary's
counts come from the publisher's lateness and tolerance; a report of a period before the
run (the reporting service skips those now, #16) would not be counted as this run's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from rich.console import Console

from demo.client import ApiClient
from demo.config import DemoPlan
from demo.progress import DemoProgress
from demo.punctuality import Punctuality
from demo.records import RunRecord
from demo.summary import collect_summary
from shared.clock import FixedClock

PLAN = DemoPlan.new(run_dir=Path("/tmp/demo-plan"), days=14, speed=4000)
PUNCTUAL = Punctuality(tolerance_seconds=2000, speed=4000)


def _post(n: int, lateness: float) -> dict[str, Any]:
    return {"post_id": f"p{n}", "state": "published", "lateness_seconds": lateness}


def _report(report_id: str, kind: str, period_end: str) -> dict[str, Any]:
    return {"id": report_id, "kind": kind, "period_end": period_end}


class FakeApi:
    """The reads collect_summary makes, from fixed lists."""

    def __init__(self, posts: list[dict[str, Any]], reports: list[dict[str, Any]]) -> None:
        self._posts, self._reports = posts, reports

    async def posts(self, state: str | None = None) -> list[dict[str, Any]]:
        return [p for p in self._posts if state is None or p["state"] == state]

    async def reports(self, kind: str | None = None) -> list[dict[str, Any]]:
        return self._reports

    async def enquiries(self, **filters: Any) -> list[dict[str, Any]]:
        return []

    async def windows(self) -> list[dict[str, Any]]:
        return []

    async def count_reviews(self, state: str) -> int:
        return 0

    async def count_feedback(self, **filters: Any) -> int:
        return 0


def test_the_publishers_rule_within_the_tolerance_is_on_time() -> None:
    assert PUNCTUAL.on_time(52)
    assert PUNCTUAL.on_time(2000)
    assert not PUNCTUAL.on_time(2000.5)
    assert PUNCTUAL.verdict(52) == "晚 52 秒 ≈ 0.013 实际秒，容差 2000 秒内：准时"
    assert PUNCTUAL.verdict(2400) == "晚 2400 秒 ≈ 0.6 实际秒，超出容差 2000 秒：迟发"
    assert PUNCTUAL.tolerance_text() == "容差 2000 秒 = ×4000 下 0.5 实际秒"
    assert Punctuality(60).verdict(61) == "晚 61 秒，超出容差 60 秒：迟发"


def test_the_tolerance_is_the_one_the_publisher_was_started_with() -> None:
    env = PLAN.env()
    assert Punctuality.of_run(PLAN, env).tolerance_seconds == 2000
    env["PUBLISHER_ON_TIME_TOLERANCE_SECONDS"] = "90"
    assert Punctuality.of_run(PLAN, env) == Punctuality(tolerance_seconds=90, speed=4000)


async def test_the_summary_counts_what_the_timeline_says_and_only_this_runs_reports() -> None:
    posts = [_post(1, 52), _post(2, 86), _post(3, 2400), {**_post(4, 0), "state": "missed"}]
    reports = [
        _report("weekly-2026-W47", "weekly", "2026-11-22T16:00:00Z"),  # ends 11-23 00:00 local
        _report("biweekly-2026-11-09", "biweekly", "2026-11-22T16:00:00Z"),
        _report("weekly-2026-W48", "weekly", "2026-11-29T16:00:00Z"),
        _report("monthly-2026-11", "monthly", "2026-11-30T16:00:00Z"),
    ]
    record = RunRecord("demo1.", "/tmp/demo-plan", PLAN.sim_start.isoformat(), 14, 4000, 7)
    api = cast(ApiClient, FakeApi(posts, reports))

    summary = await collect_summary(api, record, PUNCTUAL, PLAN)

    timeline = [PUNCTUAL.verdict(p["lateness_seconds"]) for p in posts[:3]]
    assert sum(v.endswith("准时") for v in timeline) == summary["posts_on_time"] == 2
    assert sum(v.endswith("迟发") for v in timeline) == summary["posts_late"] == 1
    assert (summary["lateness_seconds_min"], summary["lateness_seconds_max"]) == (52, 2400)
    assert summary["posts_not_published"] == 1
    assert summary["reports"] == 2
    assert summary["reports_by_kind"] == {"weekly": 1, "monthly": 1}
    assert summary["reports_before_run"] == ["biweekly-2026-11-09", "weekly-2026-W47"]


def test_a_timeline_line_is_stamped_with_the_time_it_happened() -> None:
    console = Console(record=True, width=200)
    clock = FixedClock(datetime(2026, 11, 23, 4, 15, tzinfo=UTC))  # the driver looks at 12:15
    progress = DemoProgress(clock, PLAN.sim_start, PLAN.report_due, console)
    published_at = datetime(2026, 11, 23, 3, 30, 52, tzinfo=UTC)
    progress.event("已发布《x》", at=published_at, seconds=True)
    progress.event("later")
    lines = console.export_text().splitlines()
    assert lines[0].startswith("11-23 周一 11:30:52  已发布《x》")
    assert lines[1].startswith("11-23 周一 12:15  later")
