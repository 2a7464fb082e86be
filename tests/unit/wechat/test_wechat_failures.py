"""Failures: errcode mapping, retries of idempotent calls, lost answers on submit."""

from __future__ import annotations

import socket

import httpx
import pytest
from wechat_support import RecordingSleep, make_draft

from shared.wechat import (
    ConnectionFailed,
    ContentRejected,
    InvalidCredential,
    OutcomeUnknown,
    PublishState,
    QuotaExceeded,
    RetryPolicy,
    TransientWeChatError,
    Unauthorised,
    WeChatClient,
    WeChatError,
)
from tests.fakes.wechat_server import FakeWeChat
from tests.support.timing import LOST_ANSWER_DELAY_SECONDS

SUBMIT = "/cgi-bin/freepublish/submit"
GET = "/cgi-bin/freepublish/get"


@pytest.mark.parametrize(
    ("errcode", "error"),
    [
        (45009, QuotaExceeded),
        (45011, QuotaExceeded),
        (48001, Unauthorised),
        (48004, Unauthorised),
        (87014, ContentRejected),
        (53503, ContentRejected),
        (53505, ContentRejected),
        (40164, InvalidCredential),
        (-1, TransientWeChatError),
        (99999, WeChatError),
    ],
)
async def test_errcodes_on_submit_map_to_clear_errors(
    client: WeChatClient, fake: FakeWeChat, errcode: int, error: type[WeChatError]
) -> None:
    media_id = await make_draft(client)
    fake.state.inject(SUBMIT, "errcode", errcode=errcode, errmsg="injected")

    with pytest.raises(error) as info:
        await client.submit_publish(media_id)

    assert type(info.value) is error
    assert info.value.errcode == errcode
    assert info.value.path == SUBMIT
    assert fake.state.calls[SUBMIT] == 1
    assert fake.state.published_count(media_id) == 0


async def test_timeout_on_submit_is_outcome_unknown_and_reconcilable(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    media_id = await make_draft(client)
    fake.state.inject(SUBMIT, "timeout", delay=LOST_ANSWER_DELAY_SECONDS)

    with pytest.raises(OutcomeUnknown):
        await client.submit_publish(media_id)

    assert fake.state.calls[SUBMIT] == 1
    assert fake.state.published_count(media_id) == 1
    job = fake.state.job_for(media_id)
    assert job is not None
    status = await client.get_publish(job.publish_id)
    assert status.state is PublishState.SUCCEEDED


async def test_connection_reset_after_sending_submit_is_outcome_unknown(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    media_id = await make_draft(client)
    fake.state.inject(SUBMIT, "reset")

    with pytest.raises(OutcomeUnknown) as info:
        await client.submit_publish(media_id)

    assert isinstance(info.value.__cause__, httpx.TransportError)
    assert not isinstance(info.value, TransientWeChatError)
    assert fake.state.published_count(media_id) == 1


async def test_http_5xx_on_submit_is_not_retried(client: WeChatClient, fake: FakeWeChat) -> None:
    media_id = await make_draft(client)
    fake.state.inject(SUBMIT, "http_error", status=502)

    with pytest.raises(TransientWeChatError, match="HTTP 502"):
        await client.submit_publish(media_id)

    assert fake.state.calls[SUBMIT] == 1


async def test_http_5xx_on_get_publish_is_retried_with_backoff(
    client: WeChatClient, fake: FakeWeChat, sleeps: RecordingSleep
) -> None:
    submission = await client.submit_publish(await make_draft(client))
    fake.state.inject(GET, "http_error", times=2, status=503)

    status = await client.get_publish(submission.publish_id)

    assert status.state is PublishState.SUCCEEDED
    assert fake.state.calls[GET] == 3
    assert sleeps.delays == [0.1, 0.2]


async def test_timeout_and_busy_on_get_publish_are_retried(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    submission = await client.submit_publish(await make_draft(client))
    fake.state.inject(GET, "timeout", delay=LOST_ANSWER_DELAY_SECONDS)
    fake.state.inject(GET, "errcode", errcode=-1, errmsg="system error")

    status = await client.get_publish(submission.publish_id)

    assert status.state is PublishState.SUCCEEDED
    assert fake.state.calls[GET] == 3


async def test_idempotent_call_gives_up_after_the_last_attempt(
    client: WeChatClient, fake: FakeWeChat
) -> None:
    fake.state.inject(GET, "http_error", times=3, status=500)

    with pytest.raises(TransientWeChatError):
        await client.get_publish("1")

    assert fake.state.calls[GET] == 3


async def test_token_fetch_is_retried_on_5xx(client: WeChatClient, fake: FakeWeChat) -> None:
    fake.state.inject("/cgi-bin/stable_token", "http_error", status=503)

    assert await client.access_token()
    assert fake.state.calls["/cgi-bin/stable_token"] == 2


async def test_unreachable_server_is_connection_failed(sleeps: RecordingSleep) -> None:
    # A port just released by the OS has no listener: the connection is refused.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with WeChatClient(
        "a", "s", base_url=f"http://127.0.0.1:{port}", sleep=sleeps, retry=RetryPolicy(attempts=2)
    ) as client:
        with pytest.raises(ConnectionFailed):
            await client.access_token()

    assert len(sleeps.delays) == 1


async def test_submit_is_retried_only_when_the_request_was_never_sent(
    sleeps: RecordingSleep,
) -> None:
    submits: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/stable_token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 7200})
        submits.append(request)
        if len(submits) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"errcode": 0, "publish_id": "42", "msg_data_id": 7})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = WeChatClient("a", "s", http=http, sleep=sleeps)
        submission = await client.submit_publish("draft")

    assert submission.publish_id == "42"
    assert submission.msg_data_id == "7"
    assert len(submits) == 2
    assert submits[0].url.params["access_token"] == "t"


async def test_unreadable_answer_to_submit_is_outcome_unknown(sleeps: RecordingSleep) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/cgi-bin/stable_token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 7200})
        return httpx.Response(200, text="<html>gateway</html>")

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        client = WeChatClient("a", "s", http=http, sleep=sleeps)
        with pytest.raises(OutcomeUnknown):
            await client.submit_publish("draft")

    assert sleeps.delays == []
