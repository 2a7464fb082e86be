"""Fixtures for the WeChat protocol tests: a real-HTTP fake WeChat and a client on it."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# Tests are not a package here: make `tests.fakes` importable whatever the import mode.
for _path in (Path(__file__).resolve().parents[3], Path(__file__).resolve().parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from wechat_support import ManualClock, RecordingSleep  # noqa: E402

from shared.wechat import RetryPolicy, WeChatClient  # noqa: E402
from tests.fakes.wechat_server import FakeWeChat, running_fake_wechat  # noqa: E402
from tests.support.timing import WECHAT_TIMEOUT_SECONDS  # noqa: E402


@pytest.fixture(scope="session")
async def fake_server() -> AsyncIterator[FakeWeChat]:
    async with running_fake_wechat() as running:
        yield running


@pytest.fixture
def fake(fake_server: FakeWeChat) -> FakeWeChat:
    """The shared fake server, its state reset for this test."""
    fake_server.state.reset()
    return fake_server


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sleeps() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def client(
    fake: FakeWeChat, clock: ManualClock, sleeps: RecordingSleep
) -> AsyncIterator[WeChatClient]:
    async with WeChatClient(
        fake.state.appid,
        fake.state.secret,
        base_url=fake.base_url,
        timeout=WECHAT_TIMEOUT_SECONDS,
        clock=clock,
        sleep=sleeps,
        retry=RetryPolicy(attempts=3, backoff=0.1),
    ) as wechat:
        yield wechat
