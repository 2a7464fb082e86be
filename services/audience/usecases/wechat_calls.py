"""Calling WeChat from a use case: configured or refused, failures as domain errors."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from services.audience.errors import WeChatNotConfigured, WeChatUnavailable
from services.audience.ports import WeChatAudience
from shared.accounts import DEFAULT_ACCOUNT
from shared.wechat import WeChatError

__all__ = ["wechat_of"]


@asynccontextmanager
async def wechat_of(
    api: WeChatAudience | None, account: str = DEFAULT_ACCOUNT
) -> AsyncIterator[WeChatAudience]:
    """``api`` (the account's), or :class:`WeChatNotConfigured`; a WeChat failure becomes
    :class:`WeChatUnavailable` (nothing stored here depends on a call that failed)."""
    if api is None:
        raise WeChatNotConfigured(account)
    try:
        yield api
    except WeChatError as exc:
        raise WeChatUnavailable(str(exc)) from exc
