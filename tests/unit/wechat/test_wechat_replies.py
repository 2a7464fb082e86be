"""Answering customers: a reply to a comment and a customer-service text message."""

from __future__ import annotations

import pytest
from wechat_support import publish_one

from shared.wechat import (
    InvalidRequest,
    OutcomeUnknown,
    TransientWeChatError,
    WeChatClient,
    WeChatError,
)
from tests.fakes.wechat_server import FakeWeChat
from tests.support.timing import LOST_ANSWER_DELAY_SECONDS

REPLY = "/cgi-bin/comment/reply/add"
SEND = "/cgi-bin/message/custom/send"


async def test_reply_comment_puts_the_reply_on_the_comment(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    msg_data_id = await publish_one(client)
    comment_id = fake.state.add_comment(msg_data_id, 0, "请问几号截止？")

    await client.reply_comment(msg_data_id, 0, comment_id, "您好，月底截止。")

    [comment] = await client.list_comments(msg_data_id, 0)
    assert comment.reply is not None
    assert comment.reply.content == "您好，月底截止。"
    [sent] = fake.state.comment_replies
    assert (sent["msg_data_id"], sent["index"], sent["user_comment_id"]) == (
        int(msg_data_id),
        0,
        comment_id,
    )


async def test_reply_to_an_unknown_comment_is_refused(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    msg_data_id = await publish_one(client)

    with pytest.raises(WeChatError) as info:
        await client.reply_comment(msg_data_id, 0, 999, "您好")

    assert info.value.errcode == 88008
    assert fake.state.comment_replies == []


async def test_reply_on_an_unknown_message_is_an_invalid_request(client: WeChatClient) -> None:
    with pytest.raises(InvalidRequest) as info:
        await client.reply_comment("123", 0, 1, "您好")

    assert info.value.errcode == 88001


async def test_send_text_message_reaches_the_follower(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    fake.state.set_last_interaction("o-follower", seconds_ago=3600)

    await client.send_text_message("o-follower", "您好，周末也可以咨询。")

    assert fake.state.messages_to("o-follower") == ["您好，周末也可以咨询。"]


async def test_send_text_message_after_48_hours_is_refused_with_45015(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    fake.state.set_last_interaction("o-quiet", seconds_ago=49 * 3600)

    with pytest.raises(WeChatError) as info:
        await client.send_text_message("o-quiet", "您好")

    assert info.value.errcode == 45015
    assert not isinstance(info.value, TransientWeChatError | OutcomeUnknown)
    assert fake.state.calls[SEND] == 1
    assert fake.state.messages == []


@pytest.mark.parametrize(("path", "kind"), [(SEND, "timeout"), (REPLY, "reset")])
async def test_a_lost_answer_is_outcome_unknown_and_not_resent(
    client: WeChatClient, fake: FakeWeChat, path: str, kind: str
) -> None:
    msg_data_id = await publish_one(client)
    comment_id = fake.state.add_comment(msg_data_id, 0, "请问？")
    fake.state.inject(path, kind, delay=LOST_ANSWER_DELAY_SECONDS)  # type: ignore[arg-type]
    call = (
        client.send_text_message("o-follower", "您好")
        if path == SEND
        else client.reply_comment(msg_data_id, 0, comment_id, "您好")
    )

    with pytest.raises(OutcomeUnknown):
        await call

    assert fake.state.calls[path] == 1
    assert len(fake.state.messages) + len(fake.state.comment_replies) == 1  # it took effect


async def test_http_5xx_on_send_is_not_retried(client: WeChatClient, fake: FakeWeChat) -> None:
    fake.state.inject(SEND, "http_error", status=500)

    with pytest.raises(TransientWeChatError):
        await client.send_text_message("o-follower", "您好")

    assert fake.state.calls[SEND] == 1
    assert fake.state.messages == []
