"""Access token: caching, expiry, forced refresh on a rejected token, single flight."""

from __future__ import annotations

import asyncio

import pytest
from wechat_support import ManualClock, publish_one

from shared.wechat import InvalidCredential, WeChatClient
from tests.fakes.wechat_server import FakeWeChat


async def test_token_is_fetched_once_and_cached(client: WeChatClient, fake: FakeWeChat) -> None:
    first = await client.access_token()
    second = await client.access_token()

    assert first == second
    assert fake.state.token_requests == [False]


async def test_token_is_refreshed_shortly_before_it_expires(
    client: WeChatClient, fake: FakeWeChat, clock: ManualClock
) -> None:
    await client.access_token()
    clock.advance(7200 - 300 - 10)
    await client.access_token()
    assert len(fake.state.token_requests) == 1

    clock.advance(20)
    await client.access_token()

    assert fake.state.token_requests == [False, False]


async def test_expired_token_is_force_refreshed_once_and_the_call_retried(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    msg_data_id = await publish_one(client)
    old = await client.access_token()
    fake.state.expire_tokens()

    comments = await client.list_comments(msg_data_id, 0)

    assert comments == []
    assert await client.access_token() != old
    assert fake.state.token_requests == [False, True]


async def test_concurrent_callers_share_one_refresh(client: WeChatClient, fake: FakeWeChat) -> None:
    tokens = await asyncio.gather(*(client.access_token() for _ in range(10)))

    assert len(set(tokens)) == 1
    assert len(fake.state.token_requests) == 1


async def test_wrong_secret_is_an_invalid_credential(fake: FakeWeChat) -> None:
    async with WeChatClient(fake.state.appid, "wrong", base_url=fake.base_url) as client:
        with pytest.raises(InvalidCredential) as info:
            await client.access_token()

    assert info.value.errcode == 40125


async def test_token_rejected_twice_raises_instead_of_looping(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    await client.access_token()
    path = "/cgi-bin/freepublish/get"
    fake.state.inject(path, "errcode", times=2, errcode=40001, errmsg="invalid credential")

    with pytest.raises(InvalidCredential) as info:
        await client.get_publish("1")

    assert info.value.errcode == 40001
    assert fake.state.calls[path] == 2
