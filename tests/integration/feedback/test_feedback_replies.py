"""Our replies reach the customer through WeChat: once, or clearly not (real HTTP fake)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from feedback_support import (
    APP_ID,
    APP_SECRET,
    TOKEN,
    ShiftedClock,
    client,
    feedback_settings,
    post_published,
    publish,
    push_query,
    replicas,
    service,
    store,
    text_push,
)

from services.feedback.settings import FeedbackSettings
from shared.mongo import MongoDoc
from tests.fakes.wechat_server import FakeWeChat, running_fake_wechat
from tests.support.backbone import wait_for
from tests.support.services import auth
from tests.support.timing import LOST_ANSWER_DELAY_SECONDS, WECHAT_TIMEOUT_SECONDS

pytestmark = pytest.mark.integration

SYSTEM = auth("system-token-000000000001")
EDITOR = auth("editor-token-000000000001")
SEND = "/cgi-bin/message/custom/send"
REPLY = "/cgi-bin/comment/reply/add"
MSG_DATA_ID = "2247480101"


def _settings(namespace: str, mongo_url: str, fake: FakeWeChat, **extra: Any) -> FeedbackSettings:
    return feedback_settings(
        namespace,
        mongo_url,
        wechat_token=TOKEN,
        wechat_app_id=APP_ID,
        wechat_app_secret=APP_SECRET,
        wechat_base_url=fake.base_url,
        wechat_timeout_seconds=WECHAT_TIMEOUT_SECONDS,
        comment_poll_seconds=0.2,
        job_retry_seconds=0.2,
        **extra,
    )


@contextlib.asynccontextmanager
async def _running(
    namespace: str, mongo_url: str, count: int = 1
) -> AsyncIterator[tuple[FakeWeChat, list[FastAPI]]]:
    async with (
        running_fake_wechat() as fake,
        replicas(_settings(namespace, mongo_url, fake), ShiftedClock(), count) as apps,
    ):
        yield fake, apps


async def _pushed_message(app: FastAPI, msg_id: int, sender: str) -> str:
    """A follower's private message through the push door; returns the enquiry id."""
    async with client(app) as http:
        answer = await http.post(
            "/wechat/push",
            params=push_query(),
            content=text_push(msg_id, "请问周末可以咨询吗？", sender=sender),
        )
    assert answer.status_code == 200, answer.text
    return f"wechat_message:{msg_id}"


async def _reply(app: FastAPI, enquiry_id: str, text: str) -> dict[str, Any]:
    async with client(app) as http:
        answer = await http.post(
            f"/enquiries/{enquiry_id}/reply", json={"text": text}, headers=EDITOR
        )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def _settled(app: FastAPI, enquiry_id: str) -> MongoDoc:
    """The delivery once it left ``pending``."""
    repo = store(app)
    found: list[MongoDoc] = []

    async def settled() -> bool:
        doc = await repo.get_enquiry(enquiry_id)
        delivery = doc["enquiry"].get("delivery") if doc else None
        if delivery is not None and delivery["state"] != "pending":
            found.append(delivery)
            return True
        return False

    await wait_for(settled)
    return found[-1]


async def _send_job(app: FastAPI, enquiry_id: str) -> MongoDoc | None:
    return await service(app).deps.jobs.get(f"reply-send:{enquiry_id}")


async def _a_later_reply_is_sent(app: FastAPI, msg_id: int, sender: str) -> str:
    """The positive signal that the reply-send loop has had its turn: a reply made now is
    sent. Due jobs are claimed oldest first, so a job due before it (a wrong retry or a
    second send) would have been claimed first. Returns the later enquiry's id."""
    enquiry_id = await _pushed_message(app, msg_id, sender)
    await _reply(app, enquiry_id, "您好，已收到。")
    delivery = await _settled(app, enquiry_id)
    assert delivery["state"] == "sent", delivery
    return enquiry_id


async def _past_a_retry_delay(settings: FeedbackSettings) -> None:
    """Pacing, not proof: a wrongly released job is due again a retry delay after it
    failed; waiting that long first makes the later reply's job due after it, so the
    check that follows fails if the job is retried."""
    await asyncio.sleep(settings.job_retry_seconds * 1.5)


def _count(apps: list[FastAPI], channel: str, outcome: str) -> float:
    labels = {"channel": channel, "outcome": outcome}
    return sum(
        service(app).runtime.registry.get_sample_value("feedback_reply_sends_total", labels) or 0.0
        for app in apps
    )


async def test_a_reply_to_a_comment_is_put_on_the_comment_once(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    post_id = f"p-{uuid.uuid4().hex[:6]}"
    async with running_fake_wechat() as fake:
        comment_id = fake.state.add_comment(
            MSG_DATA_ID, 0, "请问这个政策什么时候实施？", openid="o-r1"
        )
        settings = _settings(namespace, mongo_url, fake)
        async with replicas(settings, clock, 2) as apps:
            repo = store(apps[0])
            enquiry_id = f"wechat_comment:{MSG_DATA_ID}:0:{comment_id}"
            await publish(
                namespace,
                post_published(
                    post_id, at=clock.now() - timedelta(seconds=5), msg_data_id=MSG_DATA_ID
                ),
            )

            async def polled() -> bool:
                return await repo.get_enquiry(enquiry_id) is not None

            await wait_for(polled)
            answered = await _reply(apps[1], enquiry_id, "您好，明年1月起实施。")
            assert answered["state"] == "answered"
            assert answered["delivery"]["state"] == "pending"
            assert answered["delivery"]["channel"] == "wechat_comment"

            delivery = await _settled(apps[0], enquiry_id)

            # the next poll reads our reply back from WeChat, as the account's reply
            async def read_back() -> bool:
                return await repo.items.count_documents({"source": "wechat_comment_reply"}) == 1

            await wait_for(read_back)
            job = await _send_job(apps[0], enquiry_id)
            async with client(apps[0]) as http:
                shown = (await http.get(f"/enquiries/{enquiry_id}", headers=EDITOR)).json()
            sends = _count(apps, "wechat_comment", "sent")

    assert delivery["state"] == "sent"
    assert delivery["attempts"] == 1
    assert delivery["error"] is None
    assert delivery["sent_at"] is not None
    assert shown["delivery"]["state"] == "sent"
    # the read-back (WeChat stamps it to the second, so it may look earlier) is the echo
    # of the answer we sent: the enquiry keeps who answered and what
    assert (shown["answered_by"], shown["reply_text"]) == (
        answered["answered_by"],
        "您好，明年1月起实施。",
    )
    [sent] = fake.state.comment_replies
    assert (sent["msg_data_id"], sent["index"], sent["user_comment_id"]) == (
        int(MSG_DATA_ID),
        0,
        comment_id,
    )
    assert sent["content"] == "您好，明年1月起实施。"
    assert fake.state.calls[REPLY] == 1
    assert fake.state.calls[SEND] == 0
    assert job is not None
    assert (job["state"], job["attempts"]) == ("done", 1)
    assert sends == 1


async def test_a_reply_to_a_message_goes_to_the_sender_once_even_when_replied_again(
    namespace: str, mongo_url: str
) -> None:
    async with _running(namespace, mongo_url) as (fake, [app]):
        enquiry_id = await _pushed_message(app, 9101, "o-follower-9")
        first = await _reply(app, enquiry_id, "您好，周末也可以咨询。")
        delivery = await _settled(app, enquiry_id)
        again = await _reply(app, enquiry_id, "补充：周日下午休息。")
        later = await _a_later_reply_is_sent(app, 9111, "o-follower-9b")
        jobs = await store(app).jobs.count_documents(
            {"kind": "reply-send", "payload.enquiry_id": enquiry_id}
        )

    assert first["delivery"]["channel"] == "wechat_message"
    assert delivery["state"] == "sent"
    assert fake.state.messages_to("o-follower-9") == ["您好，周末也可以咨询。"]
    assert fake.state.calls[SEND] == 2  # the first reply and the later enquiry's
    assert later != enquiry_id
    assert again["reply_text"] == "您好，周末也可以咨询。"  # the first reply stays the answer
    assert again["delivery"]["state"] == "sent"
    assert jobs == 1


async def test_a_follower_silent_for_48_hours_is_not_reached_and_not_retried(
    namespace: str, mongo_url: str
) -> None:
    async with _running(namespace, mongo_url) as (fake, [app]):
        fake.state.set_last_interaction("o-quiet", seconds_ago=49 * 3600)
        enquiry_id = await _pushed_message(app, 9102, "o-quiet")
        await _reply(app, enquiry_id, "您好，抱歉回复晚了。")
        delivery = await _settled(app, enquiry_id)
        await _past_a_retry_delay(service(app).deps.settings)
        later = await _a_later_reply_is_sent(app, 9112, "o-follower-2b")
        job = await _send_job(app, enquiry_id)
        async with client(app) as http:
            failed = (
                await http.get("/enquiries", params={"delivery": "failed"}, headers=EDITOR)
            ).json()
            sent = (
                await http.get("/enquiries", params={"delivery": "sent"}, headers=EDITOR)
            ).json()
        count = _count([app], "wechat_message", "failed")

    assert delivery["state"] == "failed"
    assert "45015" in delivery["error"]
    assert delivery["attempts"] == 1
    assert delivery["sent_at"] is None
    assert fake.state.calls[SEND] == 2  # once to the quiet follower, once the later reply
    assert fake.state.messages_to("o-quiet") == []
    assert job is not None
    assert (job["state"], job["attempts"]) == ("failed", 1)
    assert [e["id"] for e in failed["items"]] == [enquiry_id]
    assert [e["id"] for e in sent["items"]] == [later]
    assert count == 1


@pytest.mark.parametrize(
    "fault",
    [{"kind": "http_error", "status": 500}, {"kind": "errcode", "errcode": -1}],
    ids=["http-500", "system-busy"],
)
async def test_a_transient_failure_is_retried_and_the_message_sent_once(
    namespace: str, mongo_url: str, fault: dict[str, Any]
) -> None:
    async with _running(namespace, mongo_url, 2) as (fake, apps):
        fake.state.inject(SEND, **fault)
        enquiry_id = await _pushed_message(apps[0], 9103, "o-follower-3")
        await _reply(apps[1], enquiry_id, "您好，可以的。")
        delivery = await _settled(apps[0], enquiry_id)
        job = await _send_job(apps[0], enquiry_id)
        retries = _count(apps, "wechat_message", "retry")

    assert delivery["state"] == "sent"
    assert delivery["attempts"] == 2
    assert delivery["error"] is None  # cleared once sent
    assert fake.state.calls[SEND] == 2
    assert fake.state.messages_to("o-follower-3") == ["您好，可以的。"]
    assert job is not None
    assert (job["state"], job["attempts"]) == ("done", 2)
    assert retries == 1


async def test_transient_failures_give_up_after_the_configured_attempts(
    namespace: str, mongo_url: str
) -> None:
    async with running_fake_wechat() as fake:
        settings = _settings(namespace, mongo_url, fake, reply_send_max_attempts=2)
        async with replicas(settings, ShiftedClock()) as [app]:
            fake.state.inject(SEND, "http_error", status=503, times=5)
            enquiry_id = await _pushed_message(app, 9104, "o-follower-4")
            await _reply(app, enquiry_id, "您好。")
            delivery = await _settled(app, enquiry_id)
            with fake.state.lock:
                fake.state.faults.pop(SEND, None)  # WeChat is well again
            await _past_a_retry_delay(settings)
            await _a_later_reply_is_sent(app, 9114, "o-follower-4b")
            calls = fake.state.calls[SEND]
            job = await _send_job(app, enquiry_id)

    assert delivery["state"] == "failed"
    assert delivery["attempts"] == 2
    assert "HTTP 503" in delivery["error"]
    assert calls == 3  # two attempts, then the later reply
    assert fake.state.messages_to("o-follower-4") == []
    assert job is not None
    assert (job["state"], job["attempts"]) == ("failed", 2)


async def test_a_lost_answer_is_unknown_and_never_resent(namespace: str, mongo_url: str) -> None:
    async with _running(namespace, mongo_url) as (fake, [app]):
        # WeChat takes the message, but answers after the client gave up
        fake.state.inject(SEND, "timeout", delay=LOST_ANSWER_DELAY_SECONDS)
        enquiry_id = await _pushed_message(app, 9105, "o-follower-5")
        await _reply(app, enquiry_id, "您好，已为您登记。")
        delivery = await _settled(app, enquiry_id)
        await _past_a_retry_delay(service(app).deps.settings)
        await _a_later_reply_is_sent(app, 9115, "o-follower-5b")  # the fault was used up
        job = await _send_job(app, enquiry_id)
        calls = fake.state.calls[SEND]
        count = _count([app], "wechat_message", "unknown")

    assert delivery["state"] == "unknown"
    assert "answer lost" in delivery["error"]
    assert delivery["sent_at"] is None
    assert calls == 2  # once for the lost answer, once the later reply
    assert len(fake.state.messages_to("o-follower-5")) <= 1
    assert job is not None
    assert (job["state"], job["attempts"]) == ("unknown", 1)
    assert count == 1


async def test_an_interrupted_attempt_is_unknown_and_not_repeated(
    namespace: str, mongo_url: str
) -> None:
    async with running_fake_wechat() as fake:
        settings = _settings(namespace, mongo_url, fake, reply_send_enabled=False)
        async with replicas(settings, ShiftedClock()) as [app]:
            # stand in for a replica that crashed mid-send: the delivery is marked in flight
            enquiry_id = await _pushed_message(app, 9106, "o-follower-6")
            repo = store(app)
            await repo.items.update_one(
                {"source": "wechat_message", "source_id": "9106"},
                {
                    "$set": {
                        "enquiry.delivery": {
                            "state": "pending",
                            "channel": "wechat_message",
                            "attempts": 1,
                            "error": None,
                            "sent_at": None,
                            "in_flight_since": service(app).deps.clock.now(),
                        }
                    }
                },
            )
            await service(app).deps.jobs.schedule(
                f"reply-send:{enquiry_id}",
                kind="reply-send",
                due_at=service(app).deps.clock.now(),
                payload={
                    "enquiry_id": enquiry_id,
                    "text": "您好。",
                    "channel": "wechat_message",
                    "openid": "o-follower-6",
                },
            )
        settings = _settings(namespace, mongo_url, fake)
        async with replicas(settings, ShiftedClock()) as [app]:
            delivery = await _settled(app, enquiry_id)

    assert delivery["state"] == "unknown"
    assert "interrupted" in delivery["error"]
    assert fake.state.calls[SEND] == 0


async def test_nothing_is_sent_for_a_crm_enquiry_or_without_credentials(
    namespace: str, mongo_url: str
) -> None:
    items = [
        {
            "source": "crm",
            "source_id": "ticket-1",
            "kind": "message",
            "author": "c-1029",
            "text": "请问发票什么时候开？",
            "received_at": "2026-11-23T05:00:00Z",
        },
    ]
    async with _running(namespace, mongo_url) as (fake, [app]):
        async with client(app) as http:
            stored = await http.post("/feedback/batch", json={"items": items}, headers=SYSTEM)
        assert stored.status_code == 200, stored.text
        answered = await _reply(app, "crm:ticket-1", "您好，三个工作日内。")
        await _a_later_reply_is_sent(app, 9116, "o-follower-1b")
        job = await _send_job(app, "crm:ticket-1")
        doc = await store(app).get_enquiry("crm:ticket-1")

    assert answered["state"] == "answered"
    assert answered["delivery"] is None
    assert doc is not None
    assert "delivery" not in doc["enquiry"]
    assert job is None
    assert fake.state.calls[REPLY] == 0
    assert fake.state.calls[SEND] == 1  # the later reply only


async def test_without_credentials_a_wechat_reply_is_only_recorded(
    namespace: str, mongo_url: str
) -> None:
    settings = feedback_settings(namespace, mongo_url, wechat_token=TOKEN)
    async with replicas(settings, ShiftedClock()) as [app]:
        enquiry_id = await _pushed_message(app, 9107, "o-follower-7")
        answered = await _reply(app, enquiry_id, "您好。")
        job = await _send_job(app, enquiry_id)

    assert answered["state"] == "answered"
    assert answered["delivery"] is None
    assert job is None
