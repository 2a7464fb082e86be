"""The 24-hour feedback window of a slot's posts, as the demo plays it.

The audience comments and asks about each post (``feedback.received`` on RabbitMQ, some
sent twice as a source system would); staff answer the enquiries through the feedback API,
mostly within the account's reply limit (12 hours by the plan); when each window closes,
its core-issues document is fetched in Markdown, HTML and Word.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from demo.audience import REPLY_LIMIT, PlannedItem, plan_feedback
from demo.client import ApiClient, ApiError, Role, parse_instant
from demo.feedback_bus import FeedbackBus, feedback_event
from demo.newsroom import poll
from demo.progress import DemoProgress
from demo.records import PostRecord, RunRecord
from shared.clock import Clock

__all__ = ["DOCUMENT_FORMATS", "FeedbackWindows"]

DOCUMENT_FORMATS = ("md", "html", "docx")


@dataclass(frozen=True)
class _Action:
    at: datetime
    run: Callable[[], Awaitable[None]]


class FeedbackWindows:
    """Plays the feedback windows of the posts the scenario hands over."""

    def __init__(
        self,
        *,
        clock: Clock,
        api: ApiClient,
        bus: FeedbackBus,
        progress: DemoProgress,
        record: RunRecord,
        seed: int,
        run_dir: Path,
        at: Callable[[datetime], Awaitable[None]],
        reply_limit: timedelta = REPLY_LIMIT,
    ) -> None:
        self.clock = clock
        self.reply_limit = reply_limit  # the account's (#12): the plan's 12 hours by default
        self.api = api
        self.bus = bus
        self.progress = progress
        self.record = record
        self.seed = seed
        self.run_dir = run_dir
        self._at = at
        self._replier = 0

    async def run(self, posts: list[dict[str, Any]]) -> None:
        """The 24 hours after ``posts`` went out, then their core-issues documents."""
        actions: list[_Action] = []
        ends: dict[str, datetime] = {}
        for post in posts:
            post_id = post["post_id"]
            window = await poll(partial(self.api.window, post_id), f"the window of {post_id}")
            ends[post_id] = parse_instant(window["ends_at"])
            published_at = parse_instant(post["published_at"])
            ordinal = [p.post_id for p in self.record.posts].index(post_id)
            planned = plan_feedback(
                post_id, post["category"], ordinal=ordinal, seed=self.seed, title=post.get("title")
            )
            for item in planned:
                actions.extend(self._item_actions(item, post_id, published_at, ends[post_id]))
        self.progress.phase("24 小时反馈窗口")
        for action in sorted(actions, key=lambda a: a.at):
            await self._at(action.at)
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
            event = feedback_event(item, post_id=post_id, at=said_at, account=self.api.account)
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
        if self.clock.now() - said_at > self.reply_limit:
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
