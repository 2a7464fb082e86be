"""A post's feedback window: the 24 hours after the push, open until its document is issued."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, cast

from services.feedback.digest import CategoryHistoryRow, PostInfo
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import PostPublished

__all__ = [
    "CommentPoll",
    "Tail",
    "Window",
    "WindowSpan",
    "WindowState",
    "choose_window",
    "is_late",
]


class WindowState(StrEnum):
    """A window collects feedback while ``open``; ``closed`` once its document is issued."""

    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class WindowSpan:
    """When a post's window collects feedback, and whether it still does: what placing an
    item in its window needs (ingestion reads only this much of each window)."""

    post_id: str
    starts_at: datetime
    ends_at: datetime
    state: WindowState
    account: str = DEFAULT_ACCOUNT

    def contains(self, instant: datetime) -> bool:
        return self.starts_at <= instant < self.ends_at

    def is_late(self, received_at: datetime) -> bool:
        """Late: said outside the window, or arriving after it closed."""
        return self.state is WindowState.CLOSED or not self.contains(received_at)


def is_late(window: WindowSpan | None, received_at: datetime) -> bool:
    """Late: said outside the window, or arriving after it closed. No window: not late."""
    return window is not None and window.is_late(received_at)


def choose_window(
    open_windows: Iterable[WindowSpan], received_at: datetime, account: str = DEFAULT_ACCOUNT
) -> WindowSpan | None:
    """The window an item without a post belongs to: the latest open one of its account
    (the account whose push URL or event brought it) it falls in.

    Private messages name no post; during a window they are feedback on that push.
    """
    candidates = [w for w in open_windows if w.account == account and w.contains(received_at)]
    return max(candidates, key=lambda w: w.starts_at) if candidates else None


@dataclass(frozen=True, slots=True)
class CommentPoll:
    """Where WeChat lists the comments of a post it published (``comment/list``)."""

    msg_data_id: str
    index: int = 0

    @classmethod
    def of(cls, channel: str, channel_ids: Mapping[str, str]) -> CommentPoll | None:
        """Only a post WeChat published, with a numeric ``msg_data_id``, has comments to poll."""
        msg_data_id = channel_ids.get("msg_data_id", "")
        if channel != "wechat" or not msg_data_id.isdigit():
            return None
        index = channel_ids.get("index", "0")
        return cls(msg_data_id, int(index) if index.isdigit() else 0)


@dataclass(frozen=True, slots=True)
class Tail:
    """The last seconds before a close's snapshot: which items stored then it included.

    Items being written while the snapshot was read may or may not be in it; those
    stored since ``since`` and not ``included`` (store ids) were left out: late.
    """

    since: datetime
    included: tuple[object, ...] = ()


@dataclass(frozen=True, slots=True)
class Window:
    """The feedback window of one post, and once closed its document's numbers."""

    post_id: str
    title: str
    category: str
    channel: str
    published_at: datetime
    starts_at: datetime
    ends_at: datetime
    state: WindowState
    opened_at: datetime
    channel_ids: Mapping[str, str] = field(default_factory=dict)
    url: str | None = None
    correlation_id: str = ""
    poll: CommentPoll | None = None
    closed_at: datetime | None = None
    digest_id: str | None = None
    summary: Mapping[str, Any] | None = None
    tail: Tail | None = None
    account: str = DEFAULT_ACCOUNT
    """The official account that published the post (``post.published``'s account)."""

    @classmethod
    def open_for(cls, event: PostPublished, *, length: timedelta, now: datetime) -> Window:
        """A new open window for a published post, with where to poll its comments."""
        p = event.payload
        return cls(
            post_id=p.post_id,
            title=p.title,
            category=p.category.value,
            channel=p.channel,
            channel_ids=dict(p.channel_ids),
            url=p.url,
            correlation_id=event.correlation_id,
            published_at=p.published_at,
            starts_at=p.published_at,
            ends_at=p.published_at + length,
            state=WindowState.OPEN,
            opened_at=now,
            poll=CommentPoll.of(p.channel, p.channel_ids),
            account=event.account,
        )

    @property
    def is_open(self) -> bool:
        return self.state is WindowState.OPEN

    @property
    def span(self) -> WindowSpan:
        return WindowSpan(self.post_id, self.starts_at, self.ends_at, self.state, self.account)

    def contains(self, instant: datetime) -> bool:
        return self.starts_at <= instant < self.ends_at

    def closed(
        self, *, at: datetime, digest_id: str, summary: Mapping[str, Any], tail: Tail
    ) -> Window:
        """The window once its document is issued; only an open window closes."""
        if not self.is_open:
            raise ValueError(f"the window of {self.post_id} is closed already")
        return dataclasses.replace(
            self,
            state=WindowState.CLOSED,
            closed_at=at,
            digest_id=digest_id,
            summary=dict(summary),
            tail=tail,
        )

    def post_info(self) -> PostInfo:
        return PostInfo(
            post_id=self.post_id,
            title=self.title,
            category=cast(Any, self.category),
            published_at=self.published_at,
        )

    def history_row(self) -> CategoryHistoryRow:
        """A closed window as a row of its category's comparison."""
        summary = self.summary or {}
        return CategoryHistoryRow(
            post_id=self.post_id,
            title=self.title,
            published_at=self.published_at,
            comments=int(summary.get("comments", 0)),
            positive_share=float(summary.get("positive_share", 0.0)),
            negative_share=float(summary.get("negative_share", 0.0)),
            reads=int(summary.get("reads") or 0),
        )
