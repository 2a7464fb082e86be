"""Due periods become one job each, keyed by the period, whoever schedules them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from services.reporting.usecases.schedule import schedule_due_reports
from tests.unit.reporting.fakes import another_replica, reporting

MON_1400 = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # China time 14:00
MON_1431 = datetime(2026, 11, 30, 6, 31, tzinfo=UTC)


async def test_the_first_look_only_starts_the_clock_then_monday_1430_schedules_the_week() -> None:
    svc = reporting(MON_1400)
    deps = svc.deps
    assert await schedule_due_reports(deps=deps) == []  # nothing reported before we existed
    svc.clock.set(MON_1431)
    (run,) = await schedule_due_reports(deps=deps)
    assert run.key == "report:weekly:2026-W48"
    job = svc.tx.jobs.jobs[run.key]
    assert (job["kind"], job["due_at"]) == ("report", MON_1431 - timedelta(minutes=1))
    assert job["payload"]["period"]["label"] == "2026-W48"
    assert await schedule_due_reports(deps=deps) == []


async def test_two_replicas_schedule_a_period_once() -> None:
    one = reporting(MON_1400)
    two = another_replica(one)
    await schedule_due_reports(deps=one.deps)
    one.clock.set(MON_1431)
    created = await schedule_due_reports(deps=one.deps) + await schedule_due_reports(deps=two.deps)
    assert [r.key for r in created] == ["report:weekly:2026-W48"]
    assert list(one.tx.jobs.jobs) == ["report:weekly:2026-W48"]


async def test_after_downtime_only_the_latest_missed_period_of_each_kind_is_caught_up() -> None:
    svc = reporting(MON_1400, catch_up_limit=1)
    deps = svc.deps
    await schedule_due_reports(deps=deps)
    svc.clock.set(MON_1400 + timedelta(days=40))  # down over five Mondays, a 1st and biweeklies
    keys = sorted(r.key for r in await schedule_due_reports(deps=deps))
    assert keys == [
        "report:biweekly:2026-12-21",
        "report:monthly:2026-12",
        "report:weekly:2026-W53",  # ISO week of Mon 12-28, reported Mon 01-04
    ]


async def test_the_biweekly_analysis_follows_its_anchor() -> None:
    svc = reporting(datetime(2026, 12, 7, 6, 0, tzinfo=UTC), biweekly_anchor=date(2026, 11, 30))
    deps = svc.deps
    await schedule_due_reports(deps=deps)
    svc.clock.advance(timedelta(days=7, minutes=31))  # Mon 12-14 14:31 China time
    keys = sorted(r.key for r in await schedule_due_reports(deps=deps))
    # the fortnight 11-30 .. 12-13 is over; its run is keyed by its first day
    assert keys == [
        "report:biweekly:2026-11-30",
        "report:weekly:2026-W49",  # fired Mon 12-07 14:30, just after the first look
        "report:weekly:2026-W50",
    ]
    payload = svc.tx.jobs.jobs["report:biweekly:2026-11-30"]["payload"]
    assert payload["period"]["label"] == "2026-11-30 – 2026-12-13"
