"""What the WeChat channel remembers of each post, kept in a :class:`ChannelProgress` store.

Every step of :meth:`~.wechat.WeChatChannel.publish` is saved once done, by compare-and-set
on the record's ``version``: of two attempts that read the same record only one moves it
on, so only one submits (see :mod:`.progress`). :func:`outcome_of` reads WeChat's job
status as the outcome the record keeps once it is final.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict

from services.publisher.channels.errors import TransientChannelError
from services.publisher.channels.progress import ChannelProgress
from services.publisher.domain.channel import PublishOutcome, PublishRequest, PublishState
from shared.wechat import PublishState as WeChatState
from shared.wechat import PublishStatus

__all__ = ["WeChatRecord", "WeChatRecords", "confirmed_unsent", "outcome_of"]


class WeChatRecord(BaseModel):
    """What the channel remembers about one post (stored as JSON)."""

    model_config = ConfigDict(frozen=True)

    post_id: str
    content_hash: str
    version: int = 0
    body_html: str | None = None
    thumb_media_id: str | None = None
    draft_media_id: str | None = None
    submit_started_at: AwareDatetime | None = None
    publish_id: str | None = None
    msg_data_id: str | None = None
    outcome: PublishOutcome | None = None
    resubmit_confirmed_at: AwareDatetime | None = None  # the confirmation already used


class WeChatRecords:
    """The records of one WeChat channel (``channel`` names it in its errors)."""

    def __init__(self, progress: ChannelProgress, *, channel: str) -> None:
        self._progress = progress
        self._channel = channel

    async def load(self, post_id: str) -> WeChatRecord | None:
        raw = await self._progress.load(post_id)
        return None if raw is None else WeChatRecord.model_validate(raw)

    async def start(self, post: PublishRequest) -> WeChatRecord | None:
        """A new record of ``post``; None when another attempt started one first."""
        record = WeChatRecord(post_id=post.post_id, content_hash=post.content_hash)
        saved = await self._progress.save(
            post.post_id, record.model_dump(mode="json"), expected_version=None
        )
        return record if saved else None

    async def advance(self, record: WeChatRecord, **changes: Any) -> WeChatRecord:
        """Save ``changes`` if nobody else moved the record since we read it."""
        updated = record.model_copy(update={**changes, "version": record.version + 1})
        saved = await self._progress.save(
            record.post_id, updated.model_dump(mode="json"), expected_version=record.version
        )
        if not saved:
            raise TransientChannelError(
                "another attempt is publishing this post",
                channel=self._channel,
                publish_id=record.publish_id,
            )
        return updated


def confirmed_unsent(record: WeChatRecord, post: PublishRequest) -> bool:
    """Whether a person confirmed, after the recorded submit began, that it went nowhere.

    Only a confirmation not used before: it answers for the submit it was given about.
    """
    confirmed = post.confirmed_unsent_at
    return (
        confirmed is not None
        and record.submit_started_at is not None
        and record.submit_started_at <= confirmed
        and record.resubmit_confirmed_at != confirmed
    )


def outcome_of(
    status: PublishStatus, *, channel: str, post_id: str, msg_data_id: str | None, now: datetime
) -> PublishOutcome:
    """WeChat's job status as an outcome (``published`` and ``failed`` are final)."""
    ids: dict[str, Any] = {"publish_id": status.publish_id, "msg_data_id": msg_data_id}
    common: dict[str, Any] = {"channel": channel, "post_id": post_id, **ids}
    if status.state.went_live:
        gone = "" if status.state is WeChatState.SUCCEEDED else status.reason
        return PublishOutcome(
            state=PublishState.PUBLISHED,
            article_id=status.article_id,
            url=status.article_urls[0] if status.article_urls else None,
            published_at=now,
            reason=gone or None,
            **common,
        )
    if status.state is WeChatState.PUBLISHING:
        return PublishOutcome(state=PublishState.PENDING, reason=status.reason, **common)
    if status.state is WeChatState.UNKNOWN:
        return PublishOutcome(state=PublishState.UNKNOWN, reason=status.reason, **common)
    return PublishOutcome(
        state=PublishState.FAILED, reason=status.reason, needs_person=True, **common
    )
