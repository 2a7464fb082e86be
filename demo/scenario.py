"""The two-week timeline, driven on the shared accelerated clock.

For each push day D (Mon/Wed/Fri) of the period::

    D-1 17:00  editors record pictures and write the day's drafts (wishing D 11:30)
    D   08:00  on-time drafts are submitted (one every 10 minutes)
    D   09:00  the reviewer works the queue: approve, reject, or approve with an override
    D   09:20  a rejected draft with a fix is revised, resubmitted at 09:30, reviewed 09:45
    D   10:20  the late draft is submitted (after 10:00: review moves it to the next slot)
    D   10:40  ... and reviewed
    D   11:30  the publisher publishes the slot's posts on the local channel
    D 11:30 + 0..24 h  the audience comments and asks (``feedback.received`` on RabbitMQ);
               staff reply through the feedback API, mostly within 12 hours
    D+1 11:30  each window closes with its core-issues document (md, html, docx)

Where a post goes out is the publisher's decision, not review's: a slot holds two posts,
so an approved draft finds its wished slot full and is moved to the next free one (and under
load a resubmission can reach review after 10:00 and be moved too). The driver follows the
publisher's calendar (:class:`demo.post_ledger.PostLedger`): at each slot it accounts for
every post due by then, in the slot it went out in; posts moved past the last push day are
followed at their own slot when it comes before the report, and whatever it could not
settle is noted in the manifest. Each slot's feedback window is played by
:class:`demo.feedback_window.FeedbackWindows`.

Then, on the Monday after the period at 14:30, the reporting service fires the biweekly
report (``REPORTING_BIWEEKLY_ANCHOR`` is set so a period ends with the simulated days).
If it does not come, the report is asked for through ``POST /reports`` and that is noted.

Every wait is on the clock the services share (``sleep_until``), never a fixed sleep.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from demo.articles import Article
from demo.client import ApiClient, ApiError, parse_instant
from demo.config import ZONE, DemoPlan
from demo.feedback_bus import FeedbackBus
from demo.feedback_window import FeedbackWindows
from demo.newsroom import Newsroom, poll
from demo.post_ledger import PostLedger
from demo.progress import DemoProgress
from demo.punctuality import Punctuality
from demo.records import DraftRecord, RunRecord
from shared.clock import Clock, sleep_until

__all__ = ["Scenario", "download_reports"]

REPORT_FORMATS = ("html", "xlsx")


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


class Scenario:
    """Runs the plan's timeline against the running services."""

    def __init__(
        self,
        *,
        plan: DemoPlan,
        clock: Clock,
        api: ApiClient,
        bus: FeedbackBus,
        progress: DemoProgress,
        articles: list[Article],
        record: RunRecord,
        seed: int,
        punctuality: Punctuality,
    ) -> None:
        self.plan = plan
        self.clock = clock
        self.api = api
        self.bus = bus
        self.progress = progress
        self.articles = articles
        self.record = record
        self.seed = seed
        self.punctuality = punctuality
        self.newsroom = Newsroom(api)
        self.run_dir = Path(plan.run_dir)
        self.ledger = PostLedger(api=api, record=record, progress=progress, punctuality=punctuality)
        self._last_slot: datetime | None = None  # the last slot the driver followed
        self.windows = FeedbackWindows(
            clock=clock,
            api=api,
            bus=bus,
            progress=progress,
            record=record,
            seed=seed,
            run_dir=self.run_dir,
            at=self.at,
        )

    # -- time ------------------------------------------------------------------------------
    async def at(self, instant: datetime) -> None:
        """Wait until the shared clock reaches ``instant``."""
        while self.clock.now() < instant:
            await sleep_until(self.clock, instant, max_real=0.25)

    # -- the whole run ---------------------------------------------------------------------
    async def run(self) -> RunRecord:
        days = self.plan.push_days
        self.progress.event(
            f"计划：{len(days)} 个推送日（{days[0]:%m-%d} 至 {days[-1]:%m-%d}），"
            f"{len([a for a in self.articles if a.day < len(days)])} 篇稿件"
        )
        for index, day in enumerate(days):
            try:
                await self.run_day(index, day)
            except (TimeoutError, ApiError) as exc:  # the run goes on; the summary says so
                self.record.notes.append(f"push day {day}: {exc}")
                self.progress.event(f"推送日 {day:%m-%d} 出错：{exc}", style="bold red")
        try:
            await self.moved_past_the_last_day()
        except (TimeoutError, ApiError) as exc:
            self.record.notes.append(f"posts after the last push day: {exc}")
        await self.biweekly_report()
        await self.ledger.account_for_the_rest()
        return self.record

    async def run_day(self, index: int, day: date) -> None:
        """One push day: drafts, review, publishing, the feedback window, its document."""
        slot = self.plan.slot(day)
        todays = [a for a in self.articles if a.day == index]
        self.progress.phase(f"推送日 {day:%m-%d}")
        drafts: dict[str, DraftRecord] = {}
        await self.at(_local(day - timedelta(days=1), 17))
        for article in todays:
            drafts[article.key] = record = await self.newsroom.write_draft(article, slot)
            self.record.drafts.append(record)
            self.progress.event(
                f"编辑 {article.editor} 撰写草稿《{article.title}》[{article.category}]"
            )
        on_time = [a for a in todays if a.submit == "on_time"]
        for n, article in enumerate(on_time):
            await self.at(_local(day, 8) + timedelta(minutes=10 * n))
            await self._submit(article, drafts[article.key])
        await self.at(_local(day, 9))
        to_fix = [a for a in on_time if not await self._review(a, drafts[a.key]) and a.revision]
        if to_fix:
            await self.at(_local(day, 9, 20))
            for article in to_fix:
                await self.newsroom.revise(article, drafts[article.key])
                note = article.revision.note if article.revision else ""
                self.progress.event(f"编辑修改《{article.title}》：{note}")
            await self.at(_local(day, 9, 30))
            for article in to_fix:
                await self._submit(article, drafts[article.key])
            await self.at(_local(day, 9, 45))
            for article in to_fix:
                await self._review(article, drafts[article.key])
        late = [a for a in todays if a.submit == "late"]
        if late:
            await self.at(_local(day, 10, 20))
            for article in late:
                await self._submit(article, drafts[article.key])
            await self.at(_local(day, 10, 40))
            for article in late:
                await self._review(article, drafts[article.key])
        await self.at(slot)
        self.progress.phase(f"{day:%m-%d} 11:30 推送")
        await self._follow_slot(slot)

    async def _follow_slot(self, slot: datetime) -> None:
        """The slot's posts once settled, then their feedback window."""
        self._last_slot = slot
        posts = await self.ledger.settle(slot)
        if posts:
            await self.windows.run(posts)

    async def _submit(self, article: Article, record: DraftRecord) -> None:
        revision = await self.newsroom.submit(article, record)
        note = "（已过10:00）" if article.submit == "late" else ""
        self.progress.event(f"提交审核《{article.title}》第 {revision} 版{note}")

    async def _review(self, article: Article, record: DraftRecord) -> bool:
        """Review the last submitted revision; True when approved."""
        decision = await self.newsroom.review(article, record, record.revisions_submitted[-1])
        slot_at = parse_instant(decision.slot_at)
        if decision.outcome == "rejected":
            self.progress.event(
                f"审核驳回《{article.title}》：{'；'.join(decision.findings)}", style="red"
            )
            return False
        self.ledger.approved.add((record.draft_id, record.revisions_submitted[-1]))
        how = "特批通过（已说明理由）" if decision.outcome == "overridden" else "审核通过"
        moved = f"，迟交，顺延至 {slot_at.astimezone(ZONE):%m-%d %H:%M}" if decision.late else ""
        self.progress.event(f"{how}《{article.title}》{moved}", style="green")
        return True

    async def moved_past_the_last_day(self) -> None:
        """The slots the publisher moved posts to after the last push day's.

        Each one before the biweekly report is followed as a push day's slot is (its
        posts, their feedback window); a post whose slot is at or after the report is
        not published within the run, and is noted.
        """
        while True:
            every = await self.api.posts()
            after = self._last_slot
            later = sorted(
                {
                    parse_instant(p["slot_at"])
                    for p in every
                    if p["post_id"] not in self.ledger.settled
                    and (after is None or parse_instant(p["slot_at"]) > after)
                }
            )
            if not later:
                return
            slot = later[0]
            if slot >= self.plan.report_due:
                for post in every:
                    if (
                        post["post_id"] not in self.ledger.settled
                        and parse_instant(post["slot_at"]) >= slot
                    ):
                        self.ledger.settled.add(post["post_id"])
                        self.record.notes.append(
                            f"post {post['post_id']} moved to {post['slot_key']}, at or after "
                            f"the biweekly report ({self.plan.report_due.isoformat()}): not "
                            f"followed, {post['state']} when the last push day was done"
                        )
                return
            await self.at(slot)
            self.progress.phase(f"{slot.astimezone(ZONE):%m-%d %H:%M} 推送（顺延）")
            await self._follow_slot(slot)

    # -- the biweekly report ---------------------------------------------------------------
    async def biweekly_report(self) -> None:
        self.progress.phase("等待双周运营分析报告")
        due = self.plan.report_due
        await self.at(due)
        period_end = datetime.combine(self.plan.period_end, time(), tzinfo=ZONE)

        async def probe() -> dict[str, Any] | None:
            for report in await self.api.reports("biweekly"):
                if parse_instant(report["period_end"]) == period_end:
                    return report
            return None

        try:
            report = await poll(probe, "the biweekly report", within=90.0)
        except TimeoutError:
            last_day = self.plan.period_end - timedelta(days=1)
            report = await self.api.request_report(
                self.plan.biweekly_anchor.isoformat(), last_day.isoformat()
            )
            self.record.biweekly_fallback = True
            self.record.notes.append(
                "the scheduled biweekly report did not come in time; asked for it through "
                "POST /reports instead"
            )
        self.record.biweekly_report_id = report["id"]
        self.progress.event(
            f"双周报告已生成：{report['title']}（{report['posts']} 篇推送）", style="bold magenta"
        )
        await self.download_reports()

    async def download_reports(self) -> None:
        """This run's reports of the default account, as HTML and XLSX."""
        await download_reports(self.api, self.plan, self.record)

    def of_this_run(self, report: dict[str, Any]) -> bool:
        """A report whose period ends after the run's first midnight (it covers the run)."""
        return self.plan.covers(parse_instant(report["period_end"]))


async def download_reports(api: ApiClient, plan: DemoPlan, record: RunRecord) -> None:
    """The reports of ``api``'s account that cover the run, as HTML and XLSX.

    The reporting service skips the periods that end before its first data (#16), so
    the week and the fortnight ending on the run's first day are no reports; a report
    that still does not cover the run would be noted (``reports_before_run``), not
    downloaded or listed among the run's artifacts.
    """
    folder = Path(plan.run_dir) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    for report in await api.reports():
        if not plan.covers(parse_instant(report["period_end"])):
            record.reports_before_run.append(report["id"])
            continue
        files: dict[str, str] = {}
        for fmt in REPORT_FORMATS:
            path = folder / f"{report['id']}.{fmt}"
            path.write_bytes(await api.report_file(report["id"], fmt))
            files[fmt] = str(path)
        record.reports[report["id"]] = files
