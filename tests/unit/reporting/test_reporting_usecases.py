"""The reporting use cases on in-memory stores: what the read model keeps, what a due
period and an on-demand range produce, and that a failed run leaves nothing behind."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from services.reporting.domain.report import ReportRequest
from services.reporting.errors import InvalidRange
from services.reporting.usecases.ingest import (
    record_digest,
    record_feedback,
    record_post_failed,
    record_post_published,
)
from services.reporting.usecases.produce import produce_timed_report, request_report
from services.reporting.usecases.schedule import refresh_gauges, schedule_due_reports
from shared.errors import AlreadyProcessed
from shared.events import FailureCode, ReportReady
from shared.jobs import Claim, FencedOut
from shared.settings import Principal, Role
from tests.support.metrics import metric_value
from tests.unit.reporting.events import digest, failed, feedback, published
from tests.unit.reporting.fakes import Reporting, reporting

MON_1400 = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # Mon 14:00 China time
MON_1431 = datetime(2026, 11, 30, 6, 31, tzinfo=UTC)  # past the weekly run of 2026-W48
WED = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)  # Wed 11:30 China time, in 2026-W48
W48_START = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # Mon 11-23 00:00 China time
W48_END = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # Mon 11-30 00:00 China time
DIRECTOR = Principal(subject="dora", roles=frozenset({Role.DIRECTOR}))


@pytest.fixture
def svc() -> Reporting:
    return reporting(MON_1400)


async def _weekly_claim(svc: Reporting) -> Claim:
    """Monday 14:30 has passed: the week's job is scheduled and claimed."""
    await schedule_due_reports(deps=svc.deps)  # the first look starts the watermark
    svc.clock.set(MON_1431)
    (run,) = await schedule_due_reports(deps=svc.deps)
    return svc.tx.jobs.claim(run.key)


# -- the read model ----------------------------------------------------------------------
async def test_a_redelivered_post_event_is_refused_and_a_late_failure_leaves_it_published(
    svc: Reporting,
) -> None:
    event = published("p1", "hr", WED)
    await record_post_published(event, deps=svc.deps)
    with pytest.raises(AlreadyProcessed):
        await record_post_published(event, deps=svc.deps)
    await record_post_failed(failed("p1", WED + timedelta(hours=1)), deps=svc.deps)
    post = svc.tx.posts.docs["p1"]
    assert (post["status"], post["event_id"]) == ("published", str(event.event_id))
    assert post["failure"] is None
    assert svc.uow.emitted() == []  # the read model announces nothing


async def test_a_post_published_after_its_failure_was_reported_wins(svc: Reporting) -> None:
    await record_post_failed(failed("p1", WED, category="hr"), deps=svc.deps)
    assert svc.tx.posts.docs["p1"]["status"] == "failed"
    await record_post_published(published("p1", "hr", WED + timedelta(hours=1)), deps=svc.deps)
    post = svc.tx.posts.docs["p1"]
    assert (post["status"], post["failed_at"]) == ("published", None)
    assert post["failure"]["code"] == "channel_error"  # kept: what happened first


async def test_only_a_posts_latest_digest_is_kept_whatever_order_they_come_in(
    svc: Reporting,
) -> None:
    later = digest("p1", WED + timedelta(days=1), negative=4)
    await record_digest(later, deps=svc.deps)
    await record_digest(digest("p1", WED, negative=9), deps=svc.deps)
    assert svc.tx.digests.docs["p1"]["event_id"] == str(later.event_id)
    assert svc.tx.digests.docs["p1"]["sentiment"]["negative"] == 4
    with pytest.raises(AlreadyProcessed):
        await record_digest(later, deps=svc.deps)


# -- a due period ------------------------------------------------------------------------
async def test_a_due_week_produces_one_report_and_one_report_ready(svc: Reporting) -> None:
    await record_post_published(published("p1", "hr", WED), deps=svc.deps)
    await record_post_published(published("p0", "hr", WED - timedelta(days=7)), deps=svc.deps)
    comment = feedback("p1", "comment", WED + timedelta(hours=2), source_id="c1", text="很好")
    await record_feedback(comment, deps=svc.deps)
    claim = await _weekly_claim(svc)

    report_id = await produce_timed_report(claim, deps=svc.deps)

    assert report_id == "weekly-2026-W48"
    doc = svc.tx.reports.docs[report_id]
    assert (doc["kind"], doc["key"], doc["trigger"]) == ("weekly", claim.key, "schedule")
    assert (doc["posts"], doc["requested_by"]) == (1, None)  # p0 is last week's
    assert '"comments":1' in doc["report_json"].replace(" ", "")
    assert set(svc.tx.reports.files) == {f"{report_id}:html", f"{report_id}:xlsx"}
    job = svc.tx.jobs.jobs[claim.key]
    assert (job["state"], job["result"]) == ("done", {"report_id": report_id})
    (event,) = svc.uow.emitted("report.ready")
    assert isinstance(event, ReportReady)
    assert (event.payload.report_id, event.payload.kind.value) == (report_id, "weekly")
    assert event.payload.period_start == doc["period_start"]
    assert event.payload.documents["html"] == f"/reports/{report_id}.html"
    assert event.payload.documents["docx"] == f"/reports/{report_id}.docx"
    produced = metric_value(
        svc.registry, "reporting_reports_produced_total", kind="weekly", trigger="schedule"
    )
    assert produced == 1

    with pytest.raises(FencedOut):  # the same claim again: the job is done
        await produce_timed_report(claim, deps=svc.deps)
    assert list(svc.tx.reports.docs) == [report_id]
    assert len(svc.uow.emitted("report.ready")) == 1


async def test_a_replica_whose_claim_was_taken_over_stores_and_announces_nothing(
    svc: Reporting,
) -> None:
    await record_post_published(published("p1", "hr", WED), deps=svc.deps)
    stale = await _weekly_claim(svc)
    newer = svc.tx.jobs.claim(stale.key)  # its lease ran out; another replica took it

    with pytest.raises(FencedOut):
        await produce_timed_report(stale, deps=svc.deps)
    assert (svc.tx.reports.docs, svc.uow.emitted()) == ({}, [])
    job = svc.tx.jobs.jobs[stale.key]
    assert (job["state"], job["fence"]) == ("running", newer.fence)  # still the other's


async def test_when_storing_the_report_fails_the_job_stays_claimed_and_nothing_is_announced(
    svc: Reporting,
) -> None:
    await record_post_published(published("p1", "hr", WED), deps=svc.deps)
    claim = await _weekly_claim(svc)
    svc.tx.reports.docs["weekly-2026-W48"] = {"_id": "weekly-2026-W48"}  # in the way

    with pytest.raises(KeyError):  # the store's duplicate id
        await produce_timed_report(claim, deps=svc.deps)

    # The job was completed first in the transaction; the rollback undid it, so the
    # loop retries the job later instead of it being done without its report.
    assert svc.tx.jobs.jobs[claim.key]["state"] == "running"
    assert "result" not in svc.tx.jobs.jobs[claim.key]
    assert svc.tx.reports.files == {}
    assert (svc.uow.rollbacks, svc.uow.emitted()) == (1, [])


# -- a due period before any data -------------------------------------------------------
def _counted(svc: Reporting, name: str, **labels: str) -> float:
    return metric_value(svc.registry, name, kind="weekly", **labels)


async def _nothing_before_the_end(svc: Reporting) -> None:
    """Data that places nothing before 2026-W48's end: the first post goes out on the
    Monday after it (as in the demo), a comment comes at the very end instant (the end
    is exclusive), a post cancelled inside the week is no data."""
    await record_post_published(published("p1", "hr", W48_END + timedelta(hours=3)), deps=svc.deps)
    at_end = feedback("p1", "comment", W48_END, source_id="c1", text="很好")
    await record_feedback(at_end, deps=svc.deps)
    cancelled = failed("p0", WED, category="hr", code=FailureCode.CANCELLED)
    await record_post_failed(cancelled, deps=svc.deps)


@pytest.mark.parametrize("data", ["none at all", "only after the end"])
async def test_a_due_week_that_ends_before_any_data_is_skipped_not_reported(
    svc: Reporting, data: str
) -> None:
    if data == "only after the end":
        await _nothing_before_the_end(svc)
    claim = await _weekly_claim(svc)

    assert await produce_timed_report(claim, deps=svc.deps) is None

    job = svc.tx.jobs.jobs[claim.key]
    assert (job["state"], job["result"]) == (
        "skipped",
        {"reason": "no data before the period's end"},
    )
    assert (svc.tx.reports.docs, svc.tx.reports.files) == ({}, {})
    assert svc.uow.emitted() == []
    assert _counted(svc, "reporting_reports_skipped_total", reason="no_data") == 1
    assert _counted(svc, "reporting_reports_produced_total", trigger="schedule") == 0
    with pytest.raises(FencedOut):  # done: the same claim again changes nothing
        await produce_timed_report(claim, deps=svc.deps)
    assert _counted(svc, "reporting_reports_skipped_total", reason="no_data") == 1


async def test_a_replica_whose_claim_was_taken_over_does_not_skip_the_period_either(
    svc: Reporting,
) -> None:
    stale = await _weekly_claim(svc)
    newer = svc.tx.jobs.claim(stale.key)

    with pytest.raises(FencedOut):
        await produce_timed_report(stale, deps=svc.deps)
    job = svc.tx.jobs.jobs[stale.key]
    assert (job["state"], job["fence"]) == ("running", newer.fence)
    assert _counted(svc, "reporting_reports_skipped_total", reason="no_data") == 0


@pytest.mark.parametrize(
    ("first", "posts"),
    [
        ("a post on its first day", 1),
        ("a failed post on its last minute", 0),  # counted under failed
        ("a reads snapshot of an older post", 0),
    ],
)
async def test_the_week_holding_the_first_data_is_reported(
    svc: Reporting, first: str, posts: int
) -> None:
    await _nothing_before_the_end(svc)
    if first == "a post on its first day":
        await record_post_published(published("p2", "hr", W48_START), deps=svc.deps)
    elif first == "a failed post on its last minute":
        late = failed("p2", W48_END - timedelta(minutes=1), category="hr")
        await record_post_failed(late, deps=svc.deps)
    else:
        snapshot = feedback("p9", "metric", WED, source_id="m1", source="wechat_stats", reads=7)
        await record_feedback(snapshot, deps=svc.deps)
    claim = await _weekly_claim(svc)

    assert await produce_timed_report(claim, deps=svc.deps) == "weekly-2026-W48"

    assert svc.tx.reports.docs["weekly-2026-W48"]["posts"] == posts
    assert svc.tx.jobs.jobs[claim.key]["state"] == "done"
    assert len(svc.uow.emitted("report.ready")) == 1
    assert _counted(svc, "reporting_reports_skipped_total", reason="no_data") == 0


async def test_an_empty_week_after_the_first_data_is_reported_with_its_zeros(
    svc: Reporting,
) -> None:
    await record_post_published(published("p0", "hr", WED - timedelta(days=7)), deps=svc.deps)
    claim = await _weekly_claim(svc)  # 2026-W48: a holiday week, nothing published

    assert await produce_timed_report(claim, deps=svc.deps) == "weekly-2026-W48"

    doc = svc.tx.reports.docs["weekly-2026-W48"]
    assert (doc["posts"], doc["failed"]) == (0, 0)
    assert json.loads(doc["report_json"])["previous_totals"]["posts"] == 1  # compared
    (event,) = svc.uow.emitted("report.ready")
    assert isinstance(event, ReportReady)
    assert event.payload.report_id == "weekly-2026-W48"


# -- an on-demand range ------------------------------------------------------------------
async def test_an_on_demand_range_is_stored_audited_and_announced(svc: Reporting) -> None:
    await record_post_published(published("p1", "hr", WED), deps=svc.deps)
    request = ReportRequest(start=date(2026, 11, 23), end=date(2026, 11, 29))

    doc = await request_report(request, deps=svc.deps, actor=DIRECTOR)

    report_id = doc["_id"]
    assert report_id.startswith("custom-")
    assert svc.tx.reports.docs[report_id] == doc
    assert (doc["kind"], doc["trigger"], doc["requested_by"]) == ("custom", "api", "dora")
    assert doc["posts"] == 1
    # local days, China time: [11-23 00:00, 11-30 00:00) +08:00
    assert doc["period_start"] == datetime(2026, 11, 22, 16, tzinfo=UTC)
    assert doc["period_end"] == datetime(2026, 11, 29, 16, tzinfo=UTC)
    (entry,) = svc.tx.audit.entries
    assert (entry.actor, entry.action, entry.at) == ("dora", "report.create", svc.clock.now())
    assert entry.target == report_id
    assert entry.details["start"] == "2026-11-23"
    (event,) = svc.uow.emitted("report.ready")
    assert isinstance(event, ReportReady)
    assert (event.payload.report_id, event.payload.kind.value) == (report_id, "custom")


async def test_a_range_ending_before_it_starts_is_refused_and_nothing_is_stored(
    svc: Reporting,
) -> None:
    backwards = ReportRequest(start=date(2026, 11, 29), end=date(2026, 11, 23))
    with pytest.raises(InvalidRange) as refused:
        await request_report(backwards, deps=svc.deps, actor=DIRECTOR)
    assert [e["field"] for e in refused.value.errors] == ["end"]
    assert (svc.tx.reports.docs, svc.tx.audit.entries, svc.uow.emitted()) == ({}, [], [])


async def test_an_on_demand_range_before_any_data_is_still_reported(svc: Reporting) -> None:
    request = ReportRequest(start=date(2026, 11, 23), end=date(2026, 11, 29))
    doc = await request_report(request, deps=svc.deps, actor=DIRECTOR)
    assert (doc["kind"], doc["posts"]) == ("custom", 0)
    assert len(svc.uow.emitted("report.ready")) == 1


async def test_an_on_demand_report_without_an_actor_is_refused(svc: Reporting) -> None:
    request = ReportRequest(start=date(2026, 11, 23), end=date(2026, 11, 29))
    with pytest.raises(ValueError, match="audited"):
        await request_report(request, deps=svc.deps)
    assert svc.tx.reports.docs == {}


# -- gauges ------------------------------------------------------------------------------
async def test_the_gauges_show_the_read_model_and_the_newest_report_of_each_kind(
    svc: Reporting,
) -> None:
    await record_post_published(published("p1", "hr", WED), deps=svc.deps)
    for report_id, generated in (("weekly-a", WED), ("weekly-b", MON_1431), ("custom-c", WED)):
        kind = report_id.split("-")[0]
        await svc.tx.reports.insert({"_id": report_id, "kind": kind, "generated_at": generated}, {})

    await refresh_gauges(deps=svc.deps)

    def gauge(name: str, **labels: str) -> float:
        return metric_value(svc.registry, name, **labels)

    assert gauge("reporting_read_model_documents", collection="posts") == 1
    assert gauge("reporting_read_model_documents", collection="reports") == 3
    assert gauge("reporting_last_report_timestamp_seconds", kind="weekly") == MON_1431.timestamp()
    assert gauge("reporting_last_report_timestamp_seconds", kind="custom") == WED.timestamp()
    assert gauge("reporting_last_report_timestamp_seconds", kind="monthly") == 0
