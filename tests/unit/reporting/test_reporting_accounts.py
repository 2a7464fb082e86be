"""Accounts (#12) in the reporting service, on in-memory stores: every fact keeps its
account, a week of two accounts gives each its own report (figures, ids, plan on its own
calendar, ``report.ready`` of its account) and one of both together that sums them and is
not announced; version-1 events land in ``default``; an event naming another account
than its post's is poison."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pytest

from services.reporting.domain.accounts import scoped_key
from services.reporting.domain.feedback import feedback_doc
from services.reporting.domain.followers import (
    Branch,
    FollowerChange,
    PublishedPost,
    followers_summary,
)
from services.reporting.domain.report import ReportRequest
from services.reporting.reports import Lang, Report, note_text, render_csv, translator
from services.reporting.usecases.ingest import (
    record_digest,
    record_feedback,
    record_post_failed,
    record_post_published,
)
from services.reporting.usecases.produce import produce_timed_report, request_report
from services.reporting.usecases.schedule import schedule_due_reports
from shared.errors import PoisonMessage
from shared.events import EventEnvelope, ReportReady
from shared.settings import Principal, Role
from tests.support.accounts import TWO_ACCOUNTS
from tests.unit.reporting.events import digest, failed, feedback, published
from tests.unit.reporting.fakes import Reporting, reporting

E = TypeVar("E", bound=EventEnvelope)

MON_1400 = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)  # Mon 14:00 China time
MON_1431 = datetime(2026, 11, 30, 6, 31, tzinfo=UTC)  # past the weekly run of 2026-W48
WED = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)  # Wed 11:30 China time, in 2026-W48
TUE = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # Tue 08:00 China time, in 2026-W48
SHANGHAI = ZoneInfo("Asia/Shanghai")
DIRECTOR = Principal(subject="dora", roles=frozenset({Role.DIRECTOR}))


def of(account: str, event: E) -> E:
    """``event`` as the producer of ``account`` sends it (schema_version 2)."""
    return event.model_copy(update={"account": account})


def v1(event: E) -> E:
    """``event`` as a producer from before accounts sent it (schema_version 1)."""
    return type(event).model_validate({**event.model_dump(), "schema_version": 1})


def two() -> Reporting:
    return reporting(MON_1400, accounts=TWO_ACCOUNTS)


async def _feed_a_week_of_two_accounts(svc: Reporting) -> None:
    """default: d1 (200 reads, a comment), d2 (100 reads); talent: t1 (50 reads, two
    comments) and t2 (failed)."""
    deps = svc.deps
    await record_post_published(published("d1", "hr", WED), deps=deps)
    await record_post_published(published("d2", "finance", WED + timedelta(days=2)), deps=deps)
    await record_post_published(of("talent", published("t1", "hr", TUE)), deps=deps)
    await record_post_failed(
        of("talent", failed("t2", TUE + timedelta(days=2), category="services")), deps=deps
    )
    for event in (
        feedback("d1", "metric", WED + timedelta(hours=5), source_id="m-d1", reads=200),
        feedback("d2", "metric", WED + timedelta(days=2, hours=5), source_id="m-d2", reads=100),
        feedback("d1", "comment", WED + timedelta(hours=1), source_id="c1", text="好"),
        of(
            "talent", feedback("t1", "metric", TUE + timedelta(hours=5), source_id="m-t1", reads=50)
        ),
        # the same channel id as d1's comment: another account's, another item
        of(
            "talent", feedback("t1", "comment", TUE + timedelta(hours=1), source_id="c1", text="赞")
        ),
        of(
            "talent", feedback("t1", "comment", TUE + timedelta(hours=2), source_id="c2", text="好")
        ),
    ):
        await record_feedback(event, deps=deps)


async def _claims(svc: Reporting) -> dict[str | None, Any]:
    await schedule_due_reports(deps=svc.deps)  # the first look starts the watermark
    svc.clock.set(MON_1431)
    created = await schedule_due_reports(deps=svc.deps)
    return {job.account: svc.tx.jobs.claim(job.key) for job in created}


def _report(svc: Reporting, report_id: str) -> Report:
    return Report.model_validate_json(svc.tx.reports.docs[report_id]["report_json"])


# -- the read model ------------------------------------------------------------------------
async def test_every_fact_keeps_its_events_account_and_channel_ids_are_per_account() -> None:
    svc = two()
    await _feed_a_week_of_two_accounts(svc)
    posts = svc.tx.posts.docs
    assert {k: d["account"] for k, d in posts.items()} == {
        "d1": "default",
        "d2": "default",
        "t1": "talent",
        "t2": "talent",
    }
    items = svc.feedback.items
    assert items["wechat:c1"]["account"] == "default"
    assert items["talent/wechat:c1"]["account"] == "talent"  # not a duplicate of d1's
    assert svc.feedback.snapshots["t1"]["account"] == "talent"
    await record_digest(of("talent", digest("t1", TUE + timedelta(days=1))), deps=svc.deps)
    assert svc.tx.digests.docs["t1"]["account"] == "talent"


async def test_a_version_1_event_is_consumed_and_lands_in_default() -> None:
    svc = two()
    await record_post_published(v1(published("p1", "hr", WED)), deps=svc.deps)
    await record_feedback(
        v1(feedback("p1", "comment", WED, source_id="x", text="好")), deps=svc.deps
    )
    await record_digest(v1(digest("p1", WED + timedelta(days=1))), deps=svc.deps)
    assert svc.tx.posts.docs["p1"]["account"] == "default"
    assert svc.feedback.items["wechat:x"]["account"] == "default"
    assert svc.tx.digests.docs["p1"]["account"] == "default"


async def test_a_version_1_event_about_a_known_post_takes_the_posts_account() -> None:
    svc = two()
    await record_post_published(of("talent", published("t1", "hr", TUE)), deps=svc.deps)
    await record_feedback(
        v1(feedback("t1", "comment", TUE, source_id="x", text="好")), deps=svc.deps
    )
    await record_digest(v1(digest("t1", TUE + timedelta(days=1))), deps=svc.deps)
    await record_post_failed(v1(failed("t1", TUE + timedelta(hours=1))), deps=svc.deps)
    assert svc.feedback.items["talent/wechat:x"]["account"] == "talent"
    assert svc.tx.digests.docs["t1"]["account"] == "talent"
    assert svc.tx.posts.docs["t1"]["account"] == "talent"


async def test_a_version_2_event_naming_another_account_than_its_posts_is_poison() -> None:
    svc = two()
    await record_post_published(of("talent", published("t1", "hr", TUE)), deps=svc.deps)
    wrong = [
        record_feedback(feedback("t1", "comment", TUE, source_id="x", text="好"), deps=svc.deps),
        record_feedback(feedback("t1", "metric", TUE, source_id="m", reads=9), deps=svc.deps),
        record_digest(digest("t1", TUE + timedelta(days=1)), deps=svc.deps),
        record_post_published(published("t1", "hr", TUE), deps=svc.deps),
        record_post_failed(failed("t1", TUE + timedelta(hours=1)), deps=svc.deps),
    ]
    for attempt in wrong:
        with pytest.raises(PoisonMessage) as caught:
            await attempt
        assert caught.value.reason == "account_mismatch"
    assert svc.feedback.items == {}
    assert svc.feedback.snapshots == {}
    assert svc.tx.digests.docs == {}
    assert svc.tx.posts.docs["t1"]["status"] == "published"


def test_keys_of_the_default_account_stay_as_before_accounts() -> None:
    assert scoped_key("default", "wechat:c1") == "wechat:c1"
    assert scoped_key("talent", "wechat:c1") == "talent/wechat:c1"
    reply = of("talent", feedback(None, "reply", WED, source_id="r", in_reply_to="wechat:c1"))
    assert feedback_doc(reply)["in_reply_to"] == "talent/wechat:c1"


# -- reports per account -------------------------------------------------------------------
async def test_a_week_of_two_accounts_gives_each_its_own_report_and_one_that_sums_them() -> None:
    svc = two()
    await _feed_a_week_of_two_accounts(svc)
    claims = await _claims(svc)
    assert set(claims) == {"default", "talent", None}
    assert claims["default"].key == "report:weekly:2026-W48"  # as before accounts

    ids = {
        account: await produce_timed_report(claim, deps=svc.deps)
        for account, claim in claims.items()
    }

    assert ids == {
        "default": "weekly-2026-W48",
        "talent": "talent-weekly-2026-W48",
        None: "all_weekly-2026-W48",
    }
    default, talent = _report(svc, "weekly-2026-W48"), _report(svc, "talent-weekly-2026-W48")
    assert (default.account, talent.account) == ("default", "talent")
    assert [p.post_id for p in default.posts] == ["d1", "d2"]
    assert [p.post_id for p in talent.posts] == ["t1", "t2"]
    assert (default.totals.posts, default.totals.reads, default.totals.comments) == (2, 300, 1)
    assert (talent.totals.posts, talent.totals.failed, talent.totals.reads) == (1, 1, 50)
    assert talent.totals.comments == 2

    combined = _report(svc, "all_weekly-2026-W48")
    assert combined.account is None
    assert [a.id for a in combined.accounts] == ["default", "talent"]
    rows = {row.account: row.totals for row in combined.by_account}
    assert rows == {"default": default.totals, "talent": talent.totals}
    for metric in ("posts", "failed", "reads", "comments", "likes", "enquiries"):
        assert getattr(combined.totals, metric) == sum(getattr(t, metric) for t in rows.values()), (
            metric
        )
    assert combined.recommendations.plan == []  # each account's plan is in its own report

    docs = svc.tx.reports.docs
    assert (docs["talent-weekly-2026-W48"]["account"], docs["all_weekly-2026-W48"]["account"]) == (
        "talent",
        None,
    )
    assert docs["all_weekly-2026-W48"]["combined"] is True
    assert docs["all_weekly-2026-W48"]["accounts"] == ["default", "talent"]
    announced = {
        e.payload.report_id: e.account
        for e in svc.uow.emitted("report.ready")
        if isinstance(e, ReportReady)
    }
    assert announced == {"weekly-2026-W48": "default", "talent-weekly-2026-W48": "talent"}


async def test_each_accounts_plan_names_the_slots_of_its_own_calendar() -> None:
    svc = two()
    await _feed_a_week_of_two_accounts(svc)
    claims = await _claims(svc)
    for claim in (claims["default"], claims["talent"]):
        await produce_timed_report(claim, deps=svc.deps)
    default, talent = _report(svc, "weekly-2026-W48"), _report(svc, "talent-weekly-2026-W48")
    when = {
        name: {(s.at.astimezone(SHANGHAI).strftime("%a %H:%M")) for s in r.recommendations.plan}
        for name, r in (("default", default), ("talent", talent))
    }
    assert when["default"] <= {"Mon 11:30", "Wed 11:30", "Fri 11:30"}
    assert when["talent"] <= {"Tue 08:00", "Thu 08:00"}
    assert len(default.recommendations.plan) == len(talent.recommendations.plan) == 6
    assert [a.label("zh-CN") for a in talent.accounts] == ["融智人才"]


async def test_an_account_without_data_before_the_period_skips_its_report_alone() -> None:
    svc = two()
    await record_post_published(published("d1", "hr", WED), deps=svc.deps)
    claims = await _claims(svc)
    assert await produce_timed_report(claims["talent"], deps=svc.deps) is None
    assert await produce_timed_report(claims["default"], deps=svc.deps) == "weekly-2026-W48"
    assert await produce_timed_report(claims[None], deps=svc.deps) == "all_weekly-2026-W48"
    assert svc.tx.jobs.jobs[claims["talent"].key]["state"] == "skipped"


async def test_one_account_schedules_one_job_per_period_and_no_combined_report() -> None:
    svc = reporting(MON_1400)
    await schedule_due_reports(deps=svc.deps)
    svc.clock.set(MON_1431)
    created = await schedule_due_reports(deps=svc.deps)
    assert [(job.key, job.account) for job in created] == [("report:weekly:2026-W48", "default")]


async def test_on_demand_reports_of_one_account_and_of_all_together() -> None:
    svc = two()
    await _feed_a_week_of_two_accounts(svc)
    request = ReportRequest(start=W48_START, end=W48_END, account="talent")
    doc = await request_report(request, deps=svc.deps, actor=DIRECTOR)
    assert doc["_id"].startswith("talent-custom-")
    assert (doc["account"], doc["posts"], doc["failed"]) == ("talent", 1, 1)
    (event,) = svc.uow.emitted("report.ready")
    assert event.account == "talent"
    audit = svc.tx.audit.entries[-1]
    assert audit.details["account"] == "talent"

    together = ReportRequest(start=W48_START, end=W48_END, account=None)
    doc = await request_report(together, deps=svc.deps, actor=DIRECTOR)
    assert doc["_id"].startswith("all_custom-")
    assert (doc["combined"], doc["posts"], doc["failed"]) == (True, 3, 1)
    assert len(svc.uow.emitted("report.ready")) == 1  # not announced
    report = json.loads(doc["report_json"])
    assert [row["totals"]["posts"] for row in report["by_account"]] == [2, 1]


W48_START = datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # Mon 11-23 00:00 China time
W48_END = datetime(2026, 11, 29, 16, 0, tzinfo=UTC)  # Mon 11-30 00:00 China time


# -- followers -----------------------------------------------------------------------------
def test_followers_of_two_accounts_stand_side_by_side_and_unsubscribes_follow_the_post() -> None:
    start, h = W48_START, timedelta(hours=1)
    changes = [
        FollowerChange("subscribed", start + h, "branch", "bj", "default"),
        FollowerChange("subscribed", start + 2 * h, "branch", "bj", "talent"),
        FollowerChange("subscribed", start + 3 * h, "search", None, "talent"),
        FollowerChange("unsubscribed", start + 30 * h, "search", None, "talent"),
    ]
    summary = followers_summary(
        start=start,
        end=W48_END,
        changes=changes,
        branches=[Branch("bj", "北京", 10, "default"), Branch("bj", "北京人才", 4, "talent")],
        attributed_at_end={("default", "bj"): 1, ("talent", "bj"): 1},
        posts=[
            PublishedPost("d1", "默认", start + 29 * h, "default"),
            PublishedPost("t1", "人才", start + 29 * h, "talent"),
        ],
        as_of=W48_END,
        accounts=["default", "talent"],
    )
    assert [(b.account, b.code, b.name, b.subscribed) for b in summary.branches] == [
        ("default", "bj", "北京", 1),
        ("talent", "bj", "北京人才", 1),
    ]
    assert [(a.account, a.subscribed, a.unsubscribed, a.net) for a in summary.by_account] == [
        ("default", 1, 0, 1),
        ("talent", 2, 1, 1),
    ]
    assert (summary.subscribed, summary.unsubscribed, summary.net) == (3, 1, 2)
    # the talent follower who left an hour after both posts left talent's post only
    assert {p.post_id: p.unsubscribes_24h for p in summary.posts} == {"d1": 0, "t1": 1}


# -- each account's reply limit ------------------------------------------------------------
async def test_replies_are_measured_against_each_accounts_reply_limit() -> None:
    """talent answers within 6 hours, default within the plan's 12: a reply after 8
    hours is in time for default and late for talent, and each report says its limit."""
    svc = two()
    deps = svc.deps
    await record_post_published(published("d1", "hr", WED), deps=deps)
    await record_post_published(of("talent", published("t1", "hr", TUE)), deps=deps)
    for post_id, at, account in (("d1", WED, "default"), ("t1", TUE, "talent")):
        asked = feedback(
            post_id,
            "message",
            at + timedelta(hours=1),
            source_id=f"q-{post_id}",
            text="发票怎么开？",
        )
        reply = feedback(
            post_id,
            "reply",
            at + timedelta(hours=9),
            source_id=f"r-{post_id}",
            in_reply_to=f"wechat:q-{post_id}",
        )
        await record_feedback(of(account, asked), deps=deps)
        await record_feedback(of(account, reply), deps=deps)
    claims = await _claims(svc)
    for claim in claims.values():
        await produce_timed_report(claim, deps=deps)
    default, talent = _report(svc, "weekly-2026-W48"), _report(svc, "talent-weekly-2026-W48")
    combined = _report(svc, "all_weekly-2026-W48")
    assert (default.totals.enquiries, default.totals.replies_within_12h) == (1, 1)
    assert default.totals.enquiries_breached == 0
    assert (talent.totals.enquiries, talent.totals.replies_within_12h) == (1, 0)
    assert talent.totals.enquiries_breached == 1
    assert (combined.totals.replies_within_12h, combined.totals.enquiries_breached) == (1, 1)
    assert (default.reply_limit_hours, talent.reply_limit_hours) == (12.0, 6.0)
    assert combined.reply_limit_hours is None

    def header(report: Report, lang: Lang = "zh-CN") -> list[str]:
        return render_csv(report, lang=lang)["categories.csv"].splitlines()[0].split(",")

    assert "12 小时内回复数" in header(default)
    assert "6 小时内回复数" in header(talent)
    assert "Answered within 6 h" in header(talent, "en")
    assert "12/6 小时内回复数" in header(combined)
    notes = [note_text(n, translator()) for n in talent.notes]
    assert any("1 条咨询未在 6 小时内回复" in n for n in notes), notes
