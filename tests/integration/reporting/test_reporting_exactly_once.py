"""Each period is reported exactly once, however many replicas run."""

from __future__ import annotations

import contextlib
from datetime import timedelta

import pytest
from reporting_live import publish, utc

from services.reporting.bootstrap import build_service
from services.reporting.domain.posts import published_post_doc
from services.reporting.settings import ReportingSettings
from services.reporting.usecases.produce import produce_timed_report
from shared.calendar import SchedulePolicy, due_runs
from shared.clock import FixedClock
from shared.jobs import FencedOut, TimedJobs
from tests.support.backbone import recording_runtime, wait_for
from tests.support.metrics import metric_value
from tests.support.recording import CONSUMED
from tests.support.reporting_events import published
from tests.support.services import make_settings, running

pytestmark = pytest.mark.integration

MONDAY_1400 = utc(2026, 11, 30, 6, 0)  # Mon 14:00 China time
MONDAY_1431 = utc(2026, 11, 30, 6, 31)  # past the weekly run (no monthly/biweekly due)
MONDAY_1500 = utc(2026, 11, 30, 7, 0)


def settings(namespace: str, mongo_url: str) -> ReportingSettings:
    s: ReportingSettings = make_settings(
        ReportingSettings,
        namespace,
        mongo_url,
        schedule_poll_seconds=0.05,
        job_poll_seconds=0.05,
    )
    return s


async def test_two_replicas_past_monday_1430_make_one_weekly_report_and_one_event(
    namespace: str, mongo_url: str
) -> None:
    clock = FixedClock(MONDAY_1400)
    one, two = (
        build_service(settings(namespace, mongo_url), clock=clock).runtime for _ in range(2)
    )
    drafting = recording_runtime("drafting", namespace, mongo_url)
    async with contextlib.AsyncExitStack() as stack:
        for runtime in (drafting, one, two):
            await stack.enter_async_context(running(runtime))
        await publish(namespace, published("p1", "hr", utc(2026, 11, 25, 3, 30)))

        async def ingested() -> bool:
            return await one.db["posts"].count_documents({}) == 1

        await wait_for(ingested)
        clock.set(MONDAY_1431)

        async def reported() -> bool:
            return await one.db["reports"].count_documents({}) >= 1

        await wait_for(reported)
        # Let both replicas look again, later still, after the report was stored.
        clock.set(MONDAY_1500)

        async def both_looked_again() -> bool:
            return all(
                metric_value(rt.registry, "reporting_scheduler_tick_timestamp_seconds")
                >= MONDAY_1500.timestamp()
                for rt in (one, two)
            )

        await wait_for(both_looked_again)

        async def announced() -> bool:
            return await drafting.db[CONSUMED].count_documents({"event_type": "report.ready"}) >= 1

        await wait_for(announced)
        reports = await one.db["reports"].find({}, {"_id": 1, "kind": 1}).to_list(None)
        assert reports == [{"_id": "weekly-2026-W48", "kind": "weekly"}]
        job = await one.db["jobs"].find_one({"_id": "report:weekly:2026-W48"})
        assert job is not None
        assert (job["state"], job["fence"], job["attempts"]) == ("done", 1, 1)  # claimed once
        assert job["result"] == {"report_id": "weekly-2026-W48"}
        outbox = await one.db["outbox"].find({"event_type": "report.ready"}).to_list(None)
        assert len(outbox) == 1
        events = await drafting.db[CONSUMED].find({"event_type": "report.ready"}).to_list(None)
        assert [e["payload"]["report_id"] for e in events] == ["weekly-2026-W48"]
        produced = [
            metric_value(
                rt.registry, "reporting_reports_produced_total", kind="weekly", trigger="schedule"
            )
            for rt in (one, two)
        ]
        assert sorted(produced) == [0, 1]


async def test_a_replica_that_lost_its_claim_stores_nothing(namespace: str, mongo_url: str) -> None:
    clock = FixedClock(MONDAY_1400)
    service = build_service(settings(namespace, mongo_url), clock=clock)
    runtime, deps = service.runtime, service.deps
    try:
        # the week holds a post (a week before any data would be skipped, not reported)
        await deps.posts.save(published_post_doc(published("p1", "hr", utc(2026, 11, 25)), None))
        run = due_runs("weekly", SchedulePolicy(), MONDAY_1400, MONDAY_1431)[0]
        # A stalls: its lease is over at once, B takes the job over with a newer fence.
        stalled = TimedJobs(runtime.db, lease=timedelta(0), owner="a")
        healthy = TimedJobs(runtime.db, owner="b")
        await stalled.schedule(
            run.key, kind="report", due_at=run.fire_at, payload=run.model_dump(mode="json")
        )
        (claim_a,) = await stalled.claim_due("report", now=MONDAY_1431)
        (claim_b,) = await healthy.claim_due("report", now=MONDAY_1431)
        assert claim_b.fence == claim_a.fence + 1

        # Completion is fenced by the claim's token, whoever's deps run it.
        with pytest.raises(FencedOut):
            await produce_timed_report(claim_a, deps=deps)
        assert await runtime.db["reports"].count_documents({}) == 0
        assert await runtime.db["outbox"].count_documents({}) == 0

        report_id = await produce_timed_report(claim_b, deps=deps)
        assert report_id == "weekly-2026-W48"
        assert await runtime.db["reports"].count_documents({}) == 1
        assert await runtime.db["outbox"].count_documents({"event_type": "report.ready"}) == 1
        with pytest.raises(FencedOut):  # A wakes up again: still nothing more
            await produce_timed_report(claim_a, deps=deps)
        assert await runtime.db["reports"].count_documents({}) == 1
    finally:
        await runtime.stop()
