"""Due periods become one job each, keyed by the period, whoever schedules them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.reporting.deps import ReportingDeps
from services.reporting.metrics import ReportingMetrics
from services.reporting.usecases.schedule import schedule_due_reports
from shared.calendar import SchedulePolicy
from shared.clock import FixedClock
from shared.metrics import new_registry

MON_1400 = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # China time 14:00
MON_1431 = datetime(2026, 11, 30, 6, 31, tzinfo=UTC)


class FakeStore:
    """Watermarks and jobs as two replicas sharing a database would see them."""

    def __init__(self) -> None:
        self.since: dict[str, datetime] = {}
        self.jobs: dict[str, dict[str, Any]] = {}

    async def watermark(self, kind: str, *, default: datetime) -> datetime:
        return self.since.setdefault(kind, default)

    async def advance_watermark(self, kind: str, until: datetime) -> None:
        self.since[kind] = max(self.since[kind], until)

    async def schedule(
        self, key: str, *, kind: str, due_at: datetime, payload: dict[str, Any]
    ) -> bool:
        if key in self.jobs:
            return False
        self.jobs[key] = {"kind": kind, "due_at": due_at, "payload": payload}
        return True


def replica(store: FakeStore, clock: FixedClock, **policy: Any) -> ReportingDeps:
    return ReportingDeps(
        repo=store,  # type: ignore[arg-type]
        uow=None,  # type: ignore[arg-type]
        jobs=store,  # type: ignore[arg-type]
        clock=clock,
        policy=SchedulePolicy(**policy),
        metrics=ReportingMetrics.create(new_registry()),
    )


async def test_the_first_look_only_starts_the_clock_then_monday_1430_schedules_the_week() -> None:
    store, clock = FakeStore(), FixedClock(MON_1400)
    deps = replica(store, clock)
    assert await schedule_due_reports(deps=deps) == []  # nothing reported before we existed
    clock.set(MON_1431)
    (run,) = await schedule_due_reports(deps=deps)
    assert run.key == "report:weekly:2026-W48"
    job = store.jobs[run.key]
    assert (job["kind"], job["due_at"]) == ("report", MON_1431 - timedelta(minutes=1))
    assert job["payload"]["period"]["label"] == "2026-W48"
    assert await schedule_due_reports(deps=deps) == []


async def test_two_replicas_schedule_a_period_once() -> None:
    store, clock = FakeStore(), FixedClock(MON_1400)
    one, two = replica(store, clock), replica(store, clock)
    await schedule_due_reports(deps=one)
    clock.set(MON_1431)
    created = await schedule_due_reports(deps=one) + await schedule_due_reports(deps=two)
    assert [r.key for r in created] == ["report:weekly:2026-W48"]
    assert list(store.jobs) == ["report:weekly:2026-W48"]


async def test_after_downtime_only_the_latest_missed_period_of_each_kind_is_caught_up() -> None:
    store, clock = FakeStore(), FixedClock(MON_1400)
    deps = replica(store, clock, catch_up_limit=1)
    await schedule_due_reports(deps=deps)
    clock.set(MON_1400 + timedelta(days=40))  # down over five Mondays, a 1st and biweeklies
    keys = sorted(r.key for r in await schedule_due_reports(deps=deps))
    assert keys == [
        "report:biweekly:2026-12-21",
        "report:monthly:2026-12",
        "report:weekly:2026-W53",  # ISO week of Mon 12-28, reported Mon 01-04
    ]


async def test_the_biweekly_analysis_follows_its_anchor() -> None:
    store, clock = FakeStore(), FixedClock(datetime(2026, 12, 7, 6, 0, tzinfo=UTC))
    deps = replica(store, clock, biweekly_anchor=date(2026, 11, 30))
    await schedule_due_reports(deps=deps)
    clock.advance(timedelta(days=7, minutes=31))  # Mon 12-14 14:31 China time
    keys = sorted(r.key for r in await schedule_due_reports(deps=deps))
    # the fortnight 11-30 .. 12-13 is over; its run is keyed by its first day
    assert keys == [
        "report:biweekly:2026-11-30",
        "report:weekly:2026-W49",  # fired Mon 12-07 14:30, just after the first look
        "report:weekly:2026-W50",
    ]
    payload = store.jobs["report:biweekly:2026-11-30"]["payload"]
    assert payload["period"]["label"] == "2026-11-30 – 2026-12-13"
