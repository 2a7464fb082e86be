"""A follower's question reaches the real feedback service once, as an enquiry with its
12-hour clock started at the message's time, however often WeChat re-sends it."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from audience_support import (
    audience_settings,
    client,
    delete_follower_queues,
    push_query,
    running,
    text_push,
)

from services.feedback.bootstrap import create_app as create_feedback
from services.feedback.settings import FeedbackSettings
from tests.fakes.wechat_server import running_fake_wechat
from tests.support.services import make_settings

pytestmark = pytest.mark.integration


async def test_a_question_becomes_one_enquiry_in_the_feedback_service(
    namespace: str, mongo_url: str
) -> None:
    feedback_settings = make_settings(FeedbackSettings, namespace, mongo_url)
    feedback = create_feedback(feedback_settings)
    runtime = feedback.state.service.runtime
    await asyncio.wait_for(runtime.start(), timeout=20)
    try:
        async with (
            running_fake_wechat() as fake,
            running(audience_settings(namespace, mongo_url, fake)) as app,
            client(app) as http,
        ):
            question = text_push(31337, "请问年度报告什么时候发布？", "o-ask")
            sent_at = datetime.now(UTC).replace(microsecond=0)
            for _ in range(3):  # WeChat re-sends when the answer is late
                answer = await http.post("/wechat/push", params=push_query(), content=question)
                assert answer.status_code == 200
            items = runtime.db["feedback_items"]
            deadline = time.monotonic() + 15
            stored: list[dict[str, object]] = []
            while time.monotonic() < deadline:
                stored = await items.find({"source": "wechat_message"}).to_list(None)
                if stored:
                    break
                await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # a second copy, if any, would be stored by now
            stored = await items.find({"source": "wechat_message"}).to_list(None)
    finally:
        await runtime.stop()
        await delete_follower_queues(namespace)
    [item] = stored
    assert item["source_id"] == "31337"
    assert item["author"] == "o-ask"
    enquiry = item.get("enquiry")
    assert isinstance(enquiry, dict), item
    due = enquiry["deadline"]
    assert enquiry["state"] == "open"
    assert abs(due - (sent_at + timedelta(hours=12))) <= timedelta(seconds=5)
