"""Publishing channels: where approved posts go out.

``Channel`` is the role; ``LocalChannel`` (HTML files and/or a signed webhook) lives in
``local.py``, its per-post records in ``local_records.py`` and its webhook in
``local_webhook.py``; ``WeChatChannel`` (built on ``shared.wechat``) in ``wechat.py``, with its
per-post progress in a :class:`ChannelProgress` store (``progress.py``);
``SlowAnswerChannel`` simulates a slow channel. Errors and what each allows the publisher
to do are drawn in ``errors.py``.
"""

from services.publisher.channels.base import Channel
from services.publisher.channels.delayed import SlowAnswerChannel
from services.publisher.channels.errors import (
    ChannelError,
    OutcomeUnknown,
    PermanentChannelError,
    TransientChannelError,
)
from services.publisher.channels.local import LocalChannel
from services.publisher.channels.progress import ChannelProgress, MemoryChannelProgress
from services.publisher.channels.render import render_post_html
from services.publisher.channels.wechat import WeChatChannel
from services.publisher.domain.channel import PublishOutcome, PublishRequest, PublishState
from shared.webhooks import sign_webhook, verify_webhook

__all__ = [
    "Channel",
    "ChannelError",
    "ChannelProgress",
    "LocalChannel",
    "MemoryChannelProgress",
    "OutcomeUnknown",
    "PermanentChannelError",
    "PublishOutcome",
    "PublishRequest",
    "PublishState",
    "SlowAnswerChannel",
    "TransientChannelError",
    "WeChatChannel",
    "render_post_html",
    "sign_webhook",
    "verify_webhook",
]
