"""Opening a post's feedback window when it is published (``post.published``)."""

from __future__ import annotations

import structlog

from services.feedback.deps import (
    COMMENT_POLL,
    STATS_POLL,
    WINDOW_CLOSE,
    FeedbackDeps,
    account_kind,
    comment_poll_key,
    stats_poll_key,
    window_close_key,
)
from services.feedback.domain.stats import stats_target
from services.feedback.domain.window import Window
from services.feedback.ports import FeedbackTx
from shared.events import PostPublished

__all__ = ["open_window"]

_log = structlog.get_logger("feedback")


async def open_window(event: PostPublished, *, deps: FeedbackDeps) -> bool:
    """Open the post's feedback window (the event's account's) and schedule its close
    (and, for a post WeChat published for an account with app credentials, the comment
    polls and the daily statistics polls) once."""

    async def work(tx: FeedbackTx) -> bool:
        now = deps.clock.now()
        settings = deps.settings
        window = Window.open_for(event, length=settings.window, now=now)
        post_id = window.post_id
        if not await tx.windows.create(window):
            return False  # the same post published twice: one window
        await tx.jobs.schedule(
            window_close_key(post_id),
            kind=WINDOW_CLOSE,
            due_at=window.ends_at,
            payload={"post_id": post_id},
        )
        wechat = deps.wechat_app(window.account) is not None
        if window.poll is not None and wechat:
            await tx.jobs.schedule(
                comment_poll_key(post_id),
                kind=account_kind(COMMENT_POLL, window.account),
                due_at=now,
                payload={
                    "post_id": post_id,
                    "msg_data_id": window.poll.msg_data_id,
                    "index": window.poll.index,
                    "account": window.account,
                },
            )
        target = stats_target(window, days=settings.stats_poll_days)
        if target is not None and wechat and settings.stats_enabled:
            await tx.jobs.schedule(
                stats_poll_key(post_id),
                kind=account_kind(STATS_POLL, window.account),
                due_at=target.first_poll(settings.stats_poll_time),
                payload={**target.as_payload(), "account": window.account},
            )
        return True

    opened = await deps.uow.run(work, consumed=(deps.settings.service_name, str(event.event_id)))
    if opened:
        deps.metrics.windows_open.set(await deps.windows.count_open())
        _log.info("window_opened", post_id=event.payload.post_id, account=event.account)
    return opened
