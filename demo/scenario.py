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
publisher's calendar: at each slot it accounts for every post due by then, in the slot it
went out in; posts moved past the last push day are followed at their own slot when it
comes before the report, and whatever it could not settle is noted in the manifest.

Then, on the Monday after the period at 14:30, the reporting service fires the biweekly
report (``REPORTING_BIWEEKLY_ANCHOR`` is set so a period ends with the simulated days).
If it does not come, the report is asked for through ``POST /reports`` and that is noted.

Every wait is on the clock the services share (``sleep_until``), never a fixed sleep.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from demo.articles import Article
from demo.audience import REPLY_LIMIT, PlannedItem, plan_feedback
from demo.client import ApiClient, ApiError, Role
from demo.config import ZONE, DemoPlan
from demo.feedback_bus import FeedbackBus, feedback_event
from demo.newsroom import Newsroom, poll
from demo.progress import DemoProgress
from demo.punctuality import Punctuality
from demo.records import DraftRecord, PostRecord, RunRecord
from shared.clock import Clock, sleep_until

__all__ = ["Scenario"]

DOCUMENT_FORMATS = ("md", "html", "docx")
REPORT_FORMATS = ("html", "xlsx")
_TERMINAL = {"published", "failed", "missed", "cancelled"}


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@dataclass(frozen=True)
class _Action:
    at: datetime
    run: Callable[[], Awaitable[None]]


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
        # the draft revisions review approved: each becomes a post of the publisher's
        self._approved: set[tuple[str, int]] = set()
        self._settled: set[str] = set()  # post ids accounted for (recorded or noted)
        self._last_slot: datetime | None = None  # the last slot the driver followed
        self._replier = 0

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
        await self.account_for_the_rest()
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
        posts = await self._published(slot)
        if posts:
            await self._feedback_window(posts)

    async def _submit(self, article: Article, record: DraftRecord) -> None:
        revision = await self.newsroom.submit(article, record)
        note = "（已过10:00）" if article.submit == "late" else ""
        self.progress.event(f"提交审核《{article.title}》第 {revision} 版{note}")

    async def _review(self, article: Article, record: DraftRecord) -> bool:
        """Review the last submitted revision; True when approved."""
        decision = await self.newsroom.review(article, record, record.revisions_submitted[-1])
        slot_at = _parse(decision.slot_at)
        if decision.outcome == "rejected":
            self.progress.event(
                f"审核驳回《{article.title}》：{'；'.join(decision.findings)}", style="red"
            )
            return False
        self._approved.add((record.draft_id, record.revisions_submitted[-1]))
        how = "特批通过（已说明理由）" if decision.outcome == "overridden" else "审核通过"
        moved = f"，迟交，顺延至 {slot_at.astimezone(ZONE):%m-%d %H:%M}" if decision.late else ""
        self.progress.event(f"{how}《{article.title}》{moved}", style="green")
        return True

    # -- publishing ------------------------------------------------------------------------
    def _due(self, every: list[dict[str, Any]], slot: datetime) -> list[dict[str, Any]]:
        """The posts not yet accounted for whose slot is ``slot`` or an earlier one."""
        return [
            p for p in every if p["post_id"] not in self._settled and _parse(p["slot_at"]) <= slot
        ]

    def _unscheduled(self, every: list[dict[str, Any]]) -> list[str]:
        """Approved draft revisions the publisher holds no post of (yet)."""
        held = {(p["draft_id"], int(p["revision"])) for p in every}
        return [f"{draft} r{revision}" for draft, revision in sorted(self._approved - held)]

    async def _published(self, slot: datetime) -> list[dict[str, Any]]:
        """Every post due by ``slot`` once none of them is still on its way; the published.

        The publisher, not review, says where a post goes (a full slot moves it on), so the
        driver waits until the publisher holds a post of every approved revision (its slot
        is then known) and every post of this slot or an earlier one it has not accounted
        for yet is settled (published, failed, missed or cancelled). A post moved to a
        later slot is accounted for there.
        """

        async def probe() -> list[dict[str, Any]] | None:
            every = await self.api.posts()
            due = self._due(every, slot)
            if self._unscheduled(every) or any(p["state"] not in _TERMINAL for p in due):
                return None
            return due

        try:
            due = await poll(probe, f"the posts of {slot.isoformat()}")
        except TimeoutError:
            every = await self.api.posts()
            due = self._due(every, slot)
            waiting = [f"{p['post_id']} ({p['state']})" for p in due if p["state"] not in _TERMINAL]
            missing = self._unscheduled(every)
            self.record.notes.append(
                f"slot {slot.isoformat()}: not all posts settled in time"
                + (f"; still on their way: {', '.join(waiting)}" if waiting else "")
                + (f"; approved, no post at the publisher: {', '.join(missing)}" if missing else "")
            )
            due = [p for p in due if p["state"] in _TERMINAL]  # the rest: at a later look
        for post in due:
            self._settled.add(post["post_id"])
            if post["state"] != "published":
                self.record.notes.append(
                    f"post {post['post_id']} of slot {post['slot_key']}: {post['state']}"
                )
        posts = [p for p in due if p["state"] == "published"]
        for post in posts:
            self._record_post(post)
        return posts

    def _record_post(self, post: dict[str, Any]) -> None:
        """A published post into the run's record and onto the timeline."""
        lateness = self.punctuality.lateness_of(post)
        record = PostRecord(
            post_id=post["post_id"],
            draft_id=post["draft_id"],
            title=post["title"],
            category=post["category"],
            slot_key=post["slot_key"],
            published_at=post["published_at"],
            lateness_seconds=lateness,
            on_time=self.punctuality.on_time(lateness),
        )
        self.record.posts.append(record)
        # stamped with the publish time the publisher recorded, not when the driver
        # looked; lateness and verdict as the publisher measured and judges them
        self.progress.event(
            f"已发布《{post['title']}》（{self.punctuality.verdict(lateness)}）",
            style="bold" if record.on_time else "bold yellow",
            at=_parse(post["published_at"]),
            seconds=True,
        )
        self.progress.note(f"→ {post.get('url')}")

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
                    _parse(p["slot_at"])
                    for p in every
                    if p["post_id"] not in self._settled
                    and (after is None or _parse(p["slot_at"]) > after)
                }
            )
            if not later:
                return
            slot = later[0]
            if slot >= self.plan.report_due:
                for post in every:
                    if post["post_id"] not in self._settled and _parse(post["slot_at"]) >= slot:
                        self._settled.add(post["post_id"])
                        self.record.notes.append(
                            f"post {post['post_id']} moved to {post['slot_key']}, at or after "
                            f"the biweekly report ({self.plan.report_due.isoformat()}): not "
                            f"followed, {post['state']} when the last push day was done"
                        )
                return
            await self.at(slot)
            self.progress.phase(f"{slot.astimezone(ZONE):%m-%d %H:%M} 推送（顺延）")
            await self._follow_slot(slot)

    async def account_for_the_rest(self) -> None:
        """Posts the run's follow-up left unsettled: a published one is recorded (its
        feedback was not followed), every one is noted."""
        for post in await self.api.posts():
            if post["post_id"] in self._settled:
                continue
            self._settled.add(post["post_id"])
            if post["state"] == "published":
                self._record_post(post)
                self.record.notes.append(
                    f"post {post['post_id']} of slot {post['slot_key']} was published at "
                    f"{post['published_at']}, seen only at the end of the run (no feedback "
                    "window followed)"
                )
            else:
                self.record.notes.append(
                    f"post {post['post_id']} of slot {post['slot_key']}: {post['state']} at "
                    "the end of the run"
                )
        unscheduled = self._unscheduled(await self.api.posts())
        if unscheduled:
            self.record.notes.append(
                f"approved, never scheduled by the publisher: {', '.join(unscheduled)}"
            )

    # -- the feedback window ---------------------------------------------------------------
    async def _feedback_window(self, posts: list[dict[str, Any]]) -> None:
        actions: list[_Action] = []
        ends: dict[str, datetime] = {}
        for post in posts:
            post_id = post["post_id"]
            window = await poll(partial(self.api.window, post_id), f"the window of {post_id}")
            ends[post_id] = _parse(window["ends_at"])
            published_at = _parse(post["published_at"])
            ordinal = [p.post_id for p in self.record.posts].index(post_id)
            for item in plan_feedback(post_id, post["category"], ordinal=ordinal, seed=self.seed):
                actions.extend(self._item_actions(item, post_id, published_at, ends[post_id]))
        self.progress.phase("24 小时反馈窗口")
        for action in sorted(actions, key=lambda a: a.at):
            await self.at(action.at)
            await action.run()
        self.progress.phase("窗口关闭，生成核心问题文档")
        for post_id in ends:
            await self._collect_documents(post_id)

    def _item_actions(
        self, item: PlannedItem, post_id: str, published_at: datetime, ends_at: datetime
    ) -> list[_Action]:
        said_at = published_at + item.offset
        record = self.record.post(post_id)
        assert record is not None

        async def send() -> None:
            event = feedback_event(item, post_id=post_id, at=said_at)
            if self.clock.now() >= ends_at:
                record.sent_after_window += 1
            await self.bus.publish(event)
            record.events += 1
            if item.resend == "same_event":  # a redelivery: the same event again
                await self.bus.publish(event)
            elif item.resend == "new_event":  # the source system sent it again
                await self.bus.publish(event.model_copy(update={"event_id": uuid.uuid4()}))
            if item.resend != "none":
                record.events += 1
                record.duplicates += 1
            if item.kind == "comment":
                record.comments += 1
            elif item.kind == "message":
                record.messages += 1
            else:
                record.metrics += 1

        actions = [_Action(said_at, send)]
        if item.reply_after is not None and item.answer:
            actions.append(
                _Action(said_at + item.reply_after, lambda: self._reply(item, record, said_at))
            )
        return actions

    async def _reply(self, item: PlannedItem, record: PostRecord, said_at: datetime) -> None:
        """Staff answer the item if the feedback service logged it as an open enquiry.

        The driver notes, by its own clock, which replies went out after the 12-hour rule;
        the e2e test checks the feedback service flagged exactly those.
        """
        enquiry = await self.api.enquiry(item.key)
        if enquiry is None or enquiry["state"] != "open" or not item.answer:
            return
        self._replier += 1
        role: Role = "editor" if self._replier % 2 else "editor2"
        try:
            await self.api.reply(role, item.key, item.answer)
        except ApiError as exc:
            self.record.notes.append(f"reply to {item.key} refused: {exc}")
            return
        record.replies += 1
        if self.clock.now() - said_at > REPLY_LIMIT:
            record.replies_late += 1
        self.progress.event(f"回复咨询「{item.text[:18]}…」", style="cyan")

    async def _collect_documents(self, post_id: str) -> None:
        record = self.record.post(post_id)
        assert record is not None

        async def closed() -> dict[str, Any] | None:
            window = await self.api.window(post_id)
            return window if window and window["state"] == "closed" else None

        try:
            window = await poll(closed, f"the close of {post_id}'s window")
        except TimeoutError:
            self.record.notes.append(f"window of {post_id} did not close in time")
            return
        record.window_state = window["state"]
        folder = self.run_dir / "documents"
        folder.mkdir(parents=True, exist_ok=True)
        for fmt in DOCUMENT_FORMATS:
            path = folder / f"{post_id}-core-issues.{fmt}"
            path.write_bytes(await self.api.document(post_id, fmt))
            record.documents[fmt] = str(path)
        summary = window.get("summary") or {}
        self.progress.event(
            f"核心问题文档《{record.title}》：评论 {summary.get('comments')}，留言 "
            f"{summary.get('messages')}，需回复 {summary.get('enquiries')}，"
            f"已回复 {summary.get('answered')}",
            style="magenta",
        )

    # -- the biweekly report ---------------------------------------------------------------
    async def biweekly_report(self) -> None:
        self.progress.phase("等待双周运营分析报告")
        due = self.plan.report_due
        await self.at(due)
        period_end = datetime.combine(self.plan.period_end, time(), tzinfo=ZONE)

        async def probe() -> dict[str, Any] | None:
            for report in await self.api.reports("biweekly"):
                if _parse(report["period_end"]) == period_end:
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
        """This run's reports, as HTML and XLSX.

        The reporting service skips the periods that end before its first data (#16), so
        the week and the fortnight ending on the run's first day are no reports; a report
        that still does not cover the run would be noted (``reports_before_run``), not
        downloaded or listed among the run's artifacts.
        """
        folder = self.run_dir / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        for report in await self.api.reports():
            if not self.of_this_run(report):
                self.record.reports_before_run.append(report["id"])
                continue
            files: dict[str, str] = {}
            for fmt in REPORT_FORMATS:
                path = folder / f"{report['id']}.{fmt}"
                path.write_bytes(await self.api.report_file(report["id"], fmt))
                files[fmt] = str(path)
            self.record.reports[report["id"]] = files

    def of_this_run(self, report: dict[str, Any]) -> bool:
        """A report whose period ends after the run's first midnight (it covers the run)."""
        return self.plan.covers(_parse(report["period_end"]))
