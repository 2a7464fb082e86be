"""publish_status codes 0-6 and the errcode table."""

from __future__ import annotations

import pytest
from wechat_support import make_draft

from shared.wechat import PublishState, WeChatClient
from shared.wechat.errors import (
    AccessTokenInvalid,
    ContentRejected,
    InvalidCredential,
    TransientWeChatError,
    WeChatError,
    error_for,
)
from tests.fakes.wechat_server import FakeWeChat

EXPECTED = {
    0: (PublishState.SUCCEEDED, True, True),
    1: (PublishState.PUBLISHING, False, False),
    2: (PublishState.ORIGINAL_CHECK_FAILED, True, False),
    3: (PublishState.FAILED, True, False),
    4: (PublishState.REVIEW_REJECTED, True, False),
    5: (PublishState.DELETED_BY_USER, True, True),
    6: (PublishState.BANNED, True, True),
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
async def test_publish_status_codes_map_to_states(
    client: WeChatClient, fake: FakeWeChat, code: int
) -> None:
    state, is_final, went_live = EXPECTED[code]
    submission = await client.submit_publish(await make_draft(client))
    fake.state.set_job_status(submission.publish_id, code)

    status = await client.get_publish(submission.publish_id)

    assert status.state is state
    assert status.status_code == code
    assert status.state.is_final is is_final
    assert status.state.went_live is went_live
    assert status.reason
    assert bool(status.article_urls) is (code in (0, 5, 6))
    assert bool(status.fail_idx) is (code in (2, 3, 4))


def test_unrecognised_publish_status_is_unknown_and_not_final() -> None:
    state = PublishState.from_code(42)

    assert state is PublishState.UNKNOWN
    assert not state.is_final


@pytest.mark.parametrize(
    ("errcode", "error"),
    [
        (40001, AccessTokenInvalid),
        (42001, AccessTokenInvalid),
        (40013, InvalidCredential),
        (53504, ContentRejected),
        (-1, TransientWeChatError),
        (12345, WeChatError),
    ],
)
def test_error_for_maps_errcodes(errcode: int, error: type[WeChatError]) -> None:
    exc = error_for(errcode, "msg", path="/p")

    assert type(exc) is error
    assert str(exc) == f"WeChat errcode {errcode} on /p: msg"
