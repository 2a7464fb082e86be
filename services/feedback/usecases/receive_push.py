"""What a WeChat push means to the feedback service, and the use case that stores it.

A follower's message (text, voice, picture, link ...) is a feedback item of kind
``message`` (``source=wechat_message``, ``source_id`` = its ``MsgId``), so it enters the
12-hour reply log. Events (subscribe, menu clicks, ``PUBLISHJOBFINISH`` ...) are not
customer feedback: they are kept once each in ``push_events`` (keyed by sender, create
time and event, as WeChat identifies a re-sent event), for the record.
"""

from __future__ import annotations

from datetime import UTC, datetime

from services.feedback.deps import FeedbackDeps
from services.feedback.domain.item import Outcome
from services.feedback.domain.keys import MESSAGE_SOURCE
from services.feedback.usecases.ingest import ChannelItems, ingest_channel_items
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import FeedbackKind, FeedbackReceivedPayload
from shared.events.feedback import MAX_FEEDBACK_TEXT
from shared.wechat import PushMessage

__all__ = ["message_payload", "receive_push"]

_PLACEHOLDER = {
    "image": "[图片]",
    "voice": "[语音]",
    "video": "[视频]",
    "shortvideo": "[小视频]",
    "location": "[位置]",
    "link": "[链接]",
    "file": "[文件]",
}


def _text(message: PushMessage) -> str:
    f = message.fields
    if message.msg_type == "text":
        return (message.content or "").strip()
    if message.msg_type == "voice" and f.get("Recognition"):
        return f["Recognition"].strip()
    label = _PLACEHOLDER.get(message.msg_type, f"[{message.msg_type}]")
    detail = f.get("Label") or " ".join(x for x in (f.get("Title"), f.get("Url")) if x)
    return f"{label} {detail}".strip()


def _at(create_time: int, now: datetime) -> datetime:
    return datetime.fromtimestamp(create_time, UTC) if create_time > 0 else now


def message_payload(message: PushMessage, *, now: datetime) -> FeedbackReceivedPayload | None:
    """A follower's message as a feedback item; None for events and empty messages."""
    if message.msg_type == "event":
        return None
    text = _text(message)[:MAX_FEEDBACK_TEXT]
    if not text:
        return None
    source_id = message.msg_id or f"{message.from_user}:{message.create_time}"
    return FeedbackReceivedPayload(
        source=MESSAGE_SOURCE,
        source_id=source_id[:128],
        kind=FeedbackKind.MESSAGE,
        author=(message.from_user or "anonymous")[:128],
        text=text,
        received_at=_at(message.create_time, now),
    )


async def receive_push(
    message: PushMessage, *, deps: FeedbackDeps, account: str = DEFAULT_ACCOUNT
) -> Outcome:
    """Store a pushed message (or event) once, as ``account``'s (whose push URL it came
    to); WeChat re-sends when we answer late."""
    now = deps.clock.now()
    payload = message_payload(message, now=now)
    if payload is None:
        fresh = await deps.push_events.record(message, now=now)
        return Outcome.STORED if fresh else Outcome.DUPLICATE
    [outcome] = await ingest_channel_items(ChannelItems([payload], "push", account), deps=deps)
    return outcome
