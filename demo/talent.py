"""The demo's second official account (#12): 融智人才 on Tue/Thu 08:00.

Both accounts run in one deployment and on one clock; the second keeps its own calendar,
its own 07:00 review deadline and a 6-hour reply limit (``demo.config.ACCOUNTS``). For each
of its push days D::

    D-1 18:00  its editor records the pictures and writes the day's draft (wishing D 08:00)
    D   06:00  the draft is submitted
    D   06:30  the reviewer approves it (one review queue per account)
    D   08:00  the publisher publishes it on the local channel, under the account's folder
    D 08:00 + 0..24 h  its audience comments and asks; staff reply; the window closes with
               its core-issues document

It reuses the default account's people and pieces (:class:`~demo.newsroom.Newsroom`,
:class:`~demo.post_ledger.PostLedger`, :class:`~demo.feedback_window.FeedbackWindows`)
through an :class:`~demo.client.ApiClient` acting for the account, so every list it reads
and every draft it writes is that account's, and keeps its own :class:`RunRecord`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from demo.articles import Article, load_articles
from demo.client import ApiClient, ApiError, parse_instant
from demo.config import TALENT, TALENT_REPLY_LIMIT_HOURS, ZONE, DemoPlan
from demo.feedback_bus import FeedbackBus
from demo.feedback_window import FeedbackWindows
from demo.newsroom import Newsroom, poll
from demo.post_ledger import PostLedger
from demo.progress import DemoProgress
from demo.punctuality import Punctuality
from demo.records import RunRecord
from demo.scenario import download_reports
from shared.clock import Clock

__all__ = ["TALENT_ARTICLES_DIR", "TalentDesk"]

TALENT_ARTICLES_DIR = Path(__file__).resolve().parent / "data" / "talent"
REPLY_LIMIT = timedelta(hours=TALENT_REPLY_LIMIT_HOURS)
LABEL = "【融智人才】"


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZONE)


class TalentDesk:
    """Runs the second account's timeline beside the default account's."""

    def __init__(
        self,
        *,
        plan: DemoPlan,
        clock: Clock,
        api: ApiClient,
        bus: FeedbackBus,
        progress: DemoProgress,
        record: RunRecord,
        seed: int,
        punctuality: Punctuality,
        at: Callable[[datetime], Awaitable[None]],
        articles: list[Article] | None = None,
    ) -> None:
        self.plan = plan
        self.api = api.for_account(TALENT)
        self.progress = progress
        self.record = record
        self.at = at
        self.articles = articles if articles is not None else load_articles(TALENT_ARTICLES_DIR)
        self.newsroom = Newsroom(self.api)
        self.ledger = PostLedger(
            api=self.api,
            record=record,
            progress=progress,
            punctuality=punctuality,
            label=LABEL,
        )
        self.windows = FeedbackWindows(
            clock=clock,
            api=self.api,
            bus=bus,
            progress=progress,
            record=record,
            seed=seed + 1,
            run_dir=Path(plan.run_dir),
            at=at,
            reply_limit=REPLY_LIMIT,
        )

    async def run(self) -> RunRecord:
        days = self.plan.talent_days
        for index, day in enumerate(days):
            todays = [a for a in self.articles if a.day == index]
            if not todays:
                continue
            try:
                await self.run_day(day, todays)
            except (TimeoutError, ApiError) as exc:  # the run goes on; the summary says so
                self.record.notes.append(f"{TALENT} push day {day}: {exc}")
                self.progress.event(f"{LABEL}{day:%m-%d} 出错：{exc}", style="bold red")
        await self.ledger.account_for_the_rest()
        return self.record

    async def reports(self) -> None:
        """Its biweekly report (fired by the reporting service for each account at the
        same time as the default account's), then its reports as HTML and XLSX."""
        await self.at(self.plan.report_due)
        period_end = datetime.combine(self.plan.period_end, time(), tzinfo=ZONE)

        async def probe() -> dict[str, Any] | None:
            for report in await self.api.reports("biweekly"):
                if parse_instant(report["period_end"]) == period_end:
                    return report
            return None

        try:
            report = await poll(probe, f"the {TALENT} biweekly report", within=90.0)
            self.record.biweekly_report_id = report["id"]
        except TimeoutError:
            self.record.notes.append(f"the {TALENT} biweekly report did not come in time")
        await download_reports(self.api, self.plan, self.record)

    async def run_day(self, day: date, todays: list[Article]) -> None:
        slot = self.plan.talent_slot(day)
        await self.at(_local(day - timedelta(days=1), 18))
        drafts = []
        for article in todays:
            record = await self.newsroom.write_draft(article, slot)
            self.record.drafts.append(record)
            drafts.append((article, record))
            self.progress.event(f"{LABEL}编辑撰写草稿《{article.title}》")
        await self.at(_local(day, 6))
        for article, record in drafts:
            await self.newsroom.submit(article, record)
        await self.at(_local(day, 6, 30))
        for article, record in drafts:
            decision = await self.newsroom.review(article, record, record.revisions_submitted[-1])
            if decision.outcome != "rejected":
                self.ledger.approved.add((record.draft_id, record.revisions_submitted[-1]))
            self.progress.event(
                f"{LABEL}审核{'驳回' if decision.outcome == 'rejected' else '通过'}"
                f"《{article.title}》",
                style="red" if decision.outcome == "rejected" else "green",
            )
        await self.at(slot)
        posts = await self.ledger.settle(slot)
        if posts:
            await self.windows.run(posts)
