"""Polling WeChat for new comments on a post while its window is open.

WeChat pushes no event for new comments, so each window of a post published on the
``wechat`` channel has a recurring claimed job (``comment-poll:<post>``): a replica claims
it, reads every page of ``comment/list``, stores the comments (and the account's replies
to them) it has not seen, and gives the job back due again after
``FEEDBACK_COMMENT_POLL_SECONDS``. The first poll after the window's end is the last one,
so comments written just before the close are still collected (and marked late if they
arrive after it). A failed poll is released and retried; duplicates are harmless.
"""

from __future__ import annotations

from datetime import UTC, datetime

import structlog

from services.feedback.deps import COMMENT_POLL, FeedbackDeps, account_kind
from services.feedback.domain.item import Outcome
from services.feedback.domain.keys import COMMENT_SOURCE, item_key
from services.feedback.usecases.ingest import ChannelItems, ingest_channel_items
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import FeedbackKind, FeedbackReceivedPayload
from shared.events.feedback import MAX_FEEDBACK_TEXT
from shared.jobs import Claim
from shared.wechat import Comment, WeChatClient

__all__ = [
    "COMMENT_REPLY_SOURCE",
    "comment_payloads",
    "poll_comments",
    "run_comment_poller",
]

COMMENT_REPLY_SOURCE = "wechat_comment_reply"
ACCOUNT_AUTHOR = "official_account"
_log = structlog.get_logger("feedback.poller")


def _at(epoch: int, fallback: datetime) -> datetime:
    return datetime.fromtimestamp(epoch, UTC) if epoch > 0 else fallback


def comment_payloads(
    comment: Comment, *, msg_data_id: str, index: int, post_id: str, now: datetime
) -> list[FeedbackReceivedPayload]:
    """A comment as a feedback item, and the account's reply to it as a reply item."""
    text = comment.content.strip()[:MAX_FEEDBACK_TEXT]
    if not text:
        return []
    source_id = f"{msg_data_id}:{index}:{comment.user_comment_id}"
    items = [
        FeedbackReceivedPayload(
            source=COMMENT_SOURCE,
            source_id=source_id,
            kind=FeedbackKind.COMMENT,
            post_id=post_id,
            author=(comment.openid or "anonymous")[:128],
            text=text,
            received_at=_at(comment.create_time, now),
        )
    ]
    if comment.reply is not None:
        items.append(
            FeedbackReceivedPayload(
                source=COMMENT_REPLY_SOURCE,
                source_id=source_id,
                kind=FeedbackKind.REPLY,
                post_id=post_id,
                author=ACCOUNT_AUTHOR,
                text=comment.reply.content[:MAX_FEEDBACK_TEXT],
                received_at=_at(comment.reply.create_time, now),
                in_reply_to=item_key(COMMENT_SOURCE, source_id),
            )
        )
    return items


async def _all_comments(
    client: WeChatClient, msg_data_id: str, index: int, *, page: int, max_pages: int
) -> list[Comment]:
    comments: list[Comment] = []
    for n in range(max_pages):
        batch = await client.list_comments(msg_data_id, index, begin=n * page, count=page)
        comments.extend(batch)
        if len(batch) < page:
            break
    return comments


async def poll_comments(claim: Claim, *, deps: FeedbackDeps, client: WeChatClient) -> int:
    """One poll of a window's comments (``client``: its account's WeChat app); returns how
    many new items were stored."""
    post_id = str(claim.payload["post_id"])
    msg_data_id = str(claim.payload["msg_data_id"])
    index = int(claim.payload.get("index", 0))
    window = await deps.windows.get(post_id)
    if window is None:
        await deps.jobs.complete(claim, result={"skipped": "no window"})
        return 0
    try:
        comments = await _all_comments(
            client,
            msg_data_id,
            index,
            page=deps.settings.comment_page_size,
            max_pages=deps.settings.comment_max_pages,
        )
        now = deps.clock.now()
        payloads = [
            p
            for c in comments
            for p in comment_payloads(
                c, msg_data_id=msg_data_id, index=index, post_id=post_id, now=now
            )
        ]
        outcomes = await ingest_channel_items(
            ChannelItems(payloads, "poll", window.account), deps=deps
        )
    except Exception:
        deps.metrics.polls.labels("error").inc()
        raise
    deps.metrics.polls.labels("ok").inc()
    stored = sum(o is Outcome.STORED for o in outcomes)
    now = deps.clock.now()
    if now >= window.ends_at:
        await deps.jobs.complete(claim, result={"last_poll": now.isoformat()})
    else:
        await deps.jobs.release(
            claim, retry_in=deps.real_to_business(deps.settings.comment_poll_seconds), now=now
        )
    if stored:
        _log.info("comments_collected", post_id=post_id, stored=stored, seen=len(comments))
    return stored


async def run_comment_poller(account: str = DEFAULT_ACCOUNT, *, deps: FeedbackDeps) -> None:
    """The background loop: claim an account's due polls and run them with its WeChat app."""
    async with deps.wechat_client(account) as client:
        await deps.job_loop(
            account_kind(COMMENT_POLL, account),
            lambda claim: poll_comments(claim, deps=deps, client=client),
            retry_seconds=deps.settings.comment_poll_seconds,
        ).run()
