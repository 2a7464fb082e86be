"""The fake WeChat server run as a process and steered over its HTTP control API."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from wechat_support import make_draft

from shared.wechat import OutcomeUnknown, PublishState, WeChatClient
from tests.support.servers import die_with_parent
from tests.support.timing import LOST_ANSWER_DELAY_SECONDS, WECHAT_TIMEOUT_SECONDS

ROOT = Path(__file__).resolve().parents[3]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
async def process_url() -> AsyncIterator[str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.wechat_server", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=die_with_parent,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=url) as http:
            for _ in range(100):
                try:
                    if (await http.get("/_fake/health")).status_code == 200:
                        break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            else:
                pytest.fail("fake WeChat process did not become ready")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_process_serves_the_api_and_obeys_the_control_api(process_url: str) -> None:
    async with httpx.AsyncClient(base_url=process_url) as control:
        await control.post("/_fake/reset")
        await control.post("/_fake/publish_outcome", json={"status": 4, "pending_polls": 1})
        await control.post(
            "/_fake/faults",
            json={
                "path": "/cgi-bin/freepublish/submit",
                "kind": "timeout",
                "delay": LOST_ANSWER_DELAY_SECONDS,
            },
        )
        async with WeChatClient(
            "wx-fake-appid", "fake-secret", base_url=process_url, timeout=WECHAT_TIMEOUT_SECONDS
        ) as client:
            media_id = await make_draft(client)
            with pytest.raises(OutcomeUnknown):
                await client.submit_publish(media_id)
            state = (await control.get("/_fake/state")).json()
            assert state["submits"] == {media_id: 1}
            [publish_id] = state["jobs"]
            first = await client.get_publish(publish_id)
            final = await client.get_publish(publish_id)
            await control.post(
                "/_fake/comments",
                json={
                    "msg_data_id": state["jobs"][publish_id]["msg_data_id"],
                    "index": 0,
                    "content": "hi",
                },
            )
            comments = await client.list_comments(state["jobs"][publish_id]["msg_data_id"], 0)

    assert first.state is PublishState.PUBLISHING
    assert final.state is PublishState.REVIEW_REJECTED
    assert [c.content for c in comments] == ["hi"]
