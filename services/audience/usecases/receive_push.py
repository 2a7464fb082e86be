"""One WeChat push: record it once, keep followers right, answer it passively.

* ``subscribe`` / ``SCAN`` / ``unsubscribe``: the follower rules of
  :mod:`..domain.followers`; a subscription or unsubscription is kept by China day and
  published (``follower.subscribed`` / ``follower.unsubscribed``) through the outbox.
  A subscriber is greeted by the greeting of the branch or campaign whose code they
  scanned, else by the default greeting.
* ``CLICK`` / ``VIEW`` (menu): counted by button and day; a click is answered by the
  exact rule whose keyword is the button's key, if any.
* A message: answered by the best keyword rule at that China time, else by the default
  reply; when no rule answered it, or it asks a question, it is handed to the feedback
  service as ``feedback.received`` (``source=wechat_message``, ``source_id`` = ``MsgId``,
  the natural key feedback's own push endpoint uses too, so an enquiry is stored once
  and its 12-hour clock starts at the message's time).

Accounts (#12): a push arrives at one account's push URL and is that account's: its
followers, its rules and greetings answer, its events (``follower.*`` and the
``feedback.received`` of an enquiry) carry the account.

Every push is recorded under its natural key in the same transaction as its effects,
so a re-sent push changes nothing twice; it is answered again the same way (WeChat
re-sends when our first answer came late).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from services.audience.deps import CHINA, AudienceDeps
from services.audience.domain.followers import (
    Change,
    Follower,
    on_scan,
    on_subscribe,
    on_unsubscribe,
    push_key,
)
from services.audience.domain.questions import is_question
from services.audience.domain.replies import Reply, ReplyKind
from services.audience.domain.scenes import Attribution, attribute, scene_of_event_key
from services.audience.errors import DuplicatePush
from services.audience.ports import AudienceTx
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import (
    FeedbackKind,
    FeedbackReceived,
    FeedbackReceivedPayload,
    FollowerSource,
    FollowerSubscribed,
    FollowerSubscribedPayload,
    FollowerUnsubscribed,
    FollowerUnsubscribedPayload,
)
from shared.events.feedback import MAX_FEEDBACK_TEXT
from shared.wechat import PushMessage

__all__ = ["MESSAGE_SOURCE", "PRODUCER", "Answer", "Outcome", "receive_push"]

PRODUCER = "audience"
#: The feedback service's source for WeChat private messages (its natural key with MsgId).
MESSAGE_SOURCE = "wechat_message"
_PLACEHOLDER = {
    "image": "[图片]",
    "voice": "[语音]",
    "video": "[视频]",
    "shortvideo": "[小视频]",
    "location": "[位置]",
    "link": "[链接]",
    "file": "[文件]",
}


class Outcome(StrEnum):
    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    IGNORED = "ignored"


@dataclass(frozen=True)
class Answer:
    """What happened, and the passive reply (``None``: answer ``success``)."""

    outcome: Outcome
    reply: Reply | None = None
    by: str = "none"
    handed_to_feedback: bool = False
    change: Change | None = None


def _instant(message: PushMessage, now: datetime) -> datetime:
    return datetime.fromtimestamp(message.create_time, UTC) if message.create_time > 0 else now


def _text_of(message: PushMessage) -> str:
    f = message.fields
    if message.msg_type == "text":
        return (message.content or "").strip()
    if message.msg_type == "voice" and f.get("Recognition"):
        return f["Recognition"].strip()
    label = _PLACEHOLDER.get(message.msg_type, f"[{message.msg_type}]")
    detail = f.get("Label") or " ".join(x for x in (f.get("Title"), f.get("Url")) if x)
    return f"{label} {detail}".strip()


async def _greeting(
    account: str, attribution: Attribution, default: Reply | None, deps: AudienceDeps
) -> Reply | None:
    text: str | None = None
    if attribution.branch_code:
        branch = await deps.branches.get(account, attribution.branch_code)
        text = branch.greeting if branch else None
    elif attribution.campaign_code:
        campaign = await deps.campaigns.get(account, attribution.campaign_code)
        text = campaign.greeting if campaign else None
    return Reply(ReplyKind.TEXT, text=text) if text else default


def _subscribed_event(follower: Follower, at: datetime, change: Change) -> FollowerSubscribed:
    a = follower.attribution
    return FollowerSubscribed(
        occurred_at=at,
        producer=PRODUCER,
        account=follower.account,
        correlation_id=f"follower:{follower.openid}"[:128],
        payload=FollowerSubscribedPayload(
            openid=follower.openid,
            source=a.source,
            branch_code=a.branch_code,
            campaign_code=a.campaign_code,
            scene=a.scene,
            subscribed_at=at,
            via=follower.via,
            returning=change is Change.RETURNED,
        ),
    )


def _unsubscribed_event(follower: Follower, at: datetime) -> FollowerUnsubscribed:
    a = follower.attribution
    return FollowerUnsubscribed(
        occurred_at=at,
        producer=PRODUCER,
        account=follower.account,
        correlation_id=f"follower:{follower.openid}"[:128],
        payload=FollowerUnsubscribedPayload(
            openid=follower.openid,
            source=a.source,
            branch_code=a.branch_code,
            campaign_code=a.campaign_code,
            scene=a.scene,
            unsubscribed_at=at,
            subscribed_at=follower.subscribed_at,
        ),
    )


async def _follow_event(
    message: PushMessage, key: str, at: datetime, account: str, deps: AudienceDeps
) -> Change:
    openid = message.from_user
    event = message.event or ""
    event_key = message.fields.get("EventKey")

    async def work(tx: AudienceTx) -> Change:
        # DuplicatePush if seen
        await tx.pushes.record(key, account=account, openid=openid, kind=event, at=at)
        existing = await tx.followers.get(account, openid)
        if event == "SCAN":
            await tx.followers.save(on_scan(existing, openid, at, account=account))
            return Change.UNCHANGED
        if event == "subscribe":
            attribution = attribute(scene_of_event_key(event, event_key))
            follower, change = on_subscribe(existing, openid, attribution, at, account=account)
        else:
            follower, change = on_unsubscribe(existing, openid, at, account=account)
        if change is Change.UNCHANGED:
            return change
        await tx.followers.save(follower)
        envelope = (
            _unsubscribed_event(follower, at)
            if change is Change.UNSUBSCRIBED
            else _subscribed_event(follower, at, change)
        )
        await tx.followers.record_change(
            follower, change, at=at, day=deps.china_day(at), event_id=str(envelope.event_id)
        )
        tx.emit(envelope)
        return change

    return await deps.uow.run(work)


async def _record_only(
    message: PushMessage,
    key: str,
    at: datetime,
    account: str,
    deps: AudienceDeps,
    *,
    click: str | None,
) -> None:
    kind = message.event or message.msg_type
    sender = message.from_user
    if click is None:  # one write, no transaction: the answer waits for it
        await deps.pushes.record(key, account=account, openid=sender, kind=kind, at=at)
        return

    async def work(tx: AudienceTx) -> None:
        await tx.pushes.record(key, account=account, openid=sender, kind=kind, at=at)
        await tx.pushes.count_click(account, click[:200], deps.china_day(at))

    await deps.uow.run(work)


async def _hand_over(
    message: PushMessage, key: str, text: str, at: datetime, account: str, deps: AudienceDeps
) -> None:
    source_id = (message.msg_id or f"{message.from_user}:{message.create_time}")[:128]
    event = FeedbackReceived(
        occurred_at=at,
        producer=PRODUCER,
        account=account,
        correlation_id=f"{MESSAGE_SOURCE}:{source_id}"[:128],
        payload=FeedbackReceivedPayload(
            source=MESSAGE_SOURCE,
            source_id=source_id,
            kind=FeedbackKind.MESSAGE,
            author=(message.from_user or "anonymous")[:128],
            text=text[:MAX_FEEDBACK_TEXT],
            received_at=at,
        ),
    )

    async def work(tx: AudienceTx) -> None:
        await tx.pushes.record(
            key, account=account, openid=message.from_user, kind=message.msg_type, at=at
        )
        tx.emit(event)

    await deps.uow.run(work)


async def receive_push(
    message: PushMessage, *, account: str = DEFAULT_ACCOUNT, deps: AudienceDeps
) -> Answer:
    """Handle one push to ``account`` (see the module's rules) and say how to answer it."""
    at = _instant(message, deps.clock.now())
    china_time = at.astimezone(CHINA).time()
    key = push_key(
        msg_id=message.msg_id,
        from_user=message.from_user,
        create_time=message.create_time,
        event=message.event,
        account=account,
    )
    compiled = await deps.replies.current(account)
    event = message.event or ""
    try:
        if message.msg_type == "event":
            if event in ("subscribe", "SCAN", "unsubscribe"):
                change = await _follow_event(message, key, at, account, deps)
                if event != "subscribe":
                    return Answer(Outcome.RECORDED, change=change)
                attribution = attribute(scene_of_event_key(event, message.fields.get("EventKey")))
                greeting = await _greeting(account, attribution, compiled.greeting, deps)
                return Answer(
                    Outcome.RECORDED, greeting, "greeting" if greeting else "none", change=change
                )
            if event in ("CLICK", "VIEW"):
                click = message.fields.get("EventKey") or ""
                await _record_only(
                    message, key, at, account, deps, click=f"{event.lower()}:{click}"
                )
                rule = compiled.matcher.match(click, china_time) if event == "CLICK" else None
                return Answer(
                    Outcome.RECORDED, rule.reply if rule else None, "rule" if rule else "none"
                )
            return Answer(Outcome.IGNORED)
        text = _text_of(message)
        if not text:
            return Answer(Outcome.IGNORED)
        rule = (
            compiled.matcher.match(text, china_time)
            if message.msg_type in ("text", "voice")
            else None
        )
        reply = rule.reply if rule else compiled.default
        by = "rule" if rule else ("default" if reply else "none")
        hand = rule is None or is_question(text)
        if hand:
            await _hand_over(message, key, text, at, account, deps)
        else:
            await _record_only(message, key, at, account, deps, click=None)
        return Answer(Outcome.RECORDED, reply, by, handed_to_feedback=hand)
    except DuplicatePush:
        return await _again(message, at, compiled.default, account, deps)


async def _again(
    message: PushMessage, at: datetime, default: Reply | None, account: str, deps: AudienceDeps
) -> Answer:
    """A re-sent push: no effect, the same kind of answer."""
    compiled = await deps.replies.current(account)
    china_time = at.astimezone(CHINA).time()
    if message.msg_type == "event":
        if message.event == "subscribe":
            attribution = attribute(scene_of_event_key("subscribe", message.fields.get("EventKey")))
            follower = await deps.followers.get(account, message.from_user)
            if follower is not None and follower.attribution.source is not FollowerSource.OTHER:
                attribution = follower.attribution
            greeting = await _greeting(account, attribution, compiled.greeting, deps)
            return Answer(Outcome.DUPLICATE, greeting, "greeting" if greeting else "none")
        if message.event == "CLICK":
            rule = compiled.matcher.match(message.fields.get("EventKey") or "", china_time)
            return Answer(
                Outcome.DUPLICATE, rule.reply if rule else None, "rule" if rule else "none"
            )
        return Answer(Outcome.DUPLICATE)
    text = _text_of(message)
    rule = (
        compiled.matcher.match(text, china_time) if message.msg_type in ("text", "voice") else None
    )
    reply = rule.reply if rule else default
    return Answer(Outcome.DUPLICATE, reply, "rule" if rule else ("default" if reply else "none"))
