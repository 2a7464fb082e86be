"""A published post's window, fed through all four doors, closed once by three replicas."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from io import BytesIO

import aio_pika
import pytest
from docx import Document
from feedback_support import (
    APP_ID,
    APP_SECRET,
    TOKEN,
    ShiftedClock,
    client,
    drain,
    feedback_event,
    feedback_settings,
    post_published,
    probe,
    publish,
    publish_raw,
    push_query,
    replicas,
    store,
    text_push,
)

from shared.events import FeedbackKind, FeedbackMetrics
from shared.topology import Topology
from tests.fakes.wechat_server import running_fake_wechat
from tests.support.backbone import wait_for
from tests.support.servers import RABBIT_URL
from tests.support.services import auth

pytestmark = pytest.mark.integration

SYSTEM = auth("system-token-000000000001")
EDITOR = auth("editor-token-000000000001")
DIRECTOR = auth("director-token-0000000001")
MSG_DATA_ID = "2247480001"


async def _dlq_reasons(namespace: str) -> list[str]:
    names = Topology(namespace=namespace).names("feedback", "feedback.received")
    connection = await aio_pika.connect(RABBIT_URL)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(names.dlq, ensure=False)
        reasons = []
        while (msg := await queue.get(no_ack=True, fail=False)) is not None:
            reasons.append(str((msg.headers or {}).get("x-dlq-reason")))
        return reasons


async def test_feedback_from_every_door_is_stored_once_and_the_window_closes_once(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    # published a moment ago: WeChat stamps pushes and comments to the second
    start = clock.now() - timedelta(seconds=5)
    post_id = f"p-{uuid.uuid4().hex[:8]}"
    async with running_fake_wechat() as fake:
        settings = feedback_settings(
            namespace,
            mongo_url,
            wechat_token=TOKEN,
            wechat_app_id=APP_ID,
            wechat_app_secret=APP_SECRET,
            wechat_base_url=fake.base_url,
            comment_poll_seconds=0.2,
        )
        async with (
            replicas(settings, clock, 3) as apps,
            probe(namespace, "feedback.digest.ready") as digests,
        ):
            repo = store(apps[0])
            items = repo.items

            # post.published, redelivered and re-sent: one window, one close job
            published = post_published(post_id, at=start, msg_data_id=MSG_DATA_ID)
            again = post_published(post_id, at=start, msg_data_id=MSG_DATA_ID)
            await publish(namespace, published, published, again)

            async def window_open() -> bool:
                return await repo.get_window(post_id) is not None

            await wait_for(window_open)

            # 1. AMQP: other systems' events, with a redelivery and a re-send
            asked = feedback_event("amqp-1", at=start, post_id=post_id)
            message = feedback_event(
                "amqp-2",
                at=start + timedelta(minutes=1),
                kind=FeedbackKind.MESSAGE,
                text="代理记账的收费标准麻烦发我一份",
                post_id=post_id,
            )
            snapshot = feedback_event(
                "snap-1",
                at=start + timedelta(minutes=2),
                kind=FeedbackKind.METRIC,
                text="",
                source="wechat_stats",
                post_id=post_id,
                metrics=FeedbackMetrics(reads=1200, likes=30, shares=5),
            )
            reply = feedback_event(
                "amqp-reply-2",
                at=start + timedelta(minutes=3),
                kind=FeedbackKind.REPLY,
                text="您好，已发到您的邮箱。",
                in_reply_to="crm:amqp-2",
                author="客服小李",
            )
            resent = feedback_event("amqp-1", at=start, post_id=post_id)  # new event id
            invalid = asked.model_dump(mode="json")
            invalid["payload"]["text"] = "   "  # a comment must say something
            await publish(namespace, asked, message, snapshot, reply, asked, resent)
            await publish_raw(
                namespace, (json.dumps(invalid).encode(), "feedback.received", "bad-1")
            )

            async def amqp_stored() -> bool:
                return (
                    await items.count_documents({"source": {"$in": ["crm", "wechat_stats"]}}) == 4
                )

            await wait_for(amqp_stored)

            # 2. HTTP batch: per-item results, a duplicate of an AMQP item, an invalid one
            batch = [
                {
                    "source": "crm",
                    "source_id": "http-1",
                    "kind": "comment",
                    "post_id": post_id,
                    "text": "发票抬头开错了还能报销么",
                    "received_at": (start + timedelta(minutes=4)).isoformat(),
                },
                {
                    "source": "crm",
                    "source_id": "http-2",
                    "kind": "message",
                    "post_id": post_id,
                    "text": "加我微信 wx_12345678，代开发票，日赚500",
                    "received_at": (start + timedelta(minutes=5)).isoformat(),
                },
                message.payload.model_dump(mode="json"),
                {"source": "crm", "source_id": "http-3", "kind": "comment", "text": "长" * 5001},
            ]
            async with client(apps[1]) as http:
                answer = await http.post("/feedback/batch", json={"items": batch}, headers=SYSTEM)
            assert answer.status_code == 200, answer.text
            body = answer.json()
            assert [i["status"] for i in body["items"]] == [
                "stored",
                "stored",
                "duplicate",
                "invalid",
            ]
            fields = {e["field"] for e in body["items"][3]["errors"]}
            assert "items.3.text" in fields
            assert (body["stored"], body["duplicates"], body["invalid"]) == (2, 1, 1)

            # 3. the push endpoint: a message, WeChat's re-send, and a forged one
            async with client(apps[0]) as http:
                push = text_push(9001, "你好，请问周末可以咨询吗？")
                first = await http.post("/wechat/push", params=push_query(), content=push)
                resend = await http.post("/wechat/push", params=push_query(), content=push)
                forged = await http.post(
                    "/wechat/push",
                    params=push_query("not-the-token"),
                    content=text_push(9002, "伪造的消息"),
                )
            assert (first.status_code, first.content) == (200, b"success")
            assert (resend.status_code, resend.content) == (200, b"success")
            assert forged.status_code == 403

            # 4. the poller: comments on the article, one with the account's reply
            fake.state.add_comment(MSG_DATA_ID, 0, "请问这个政策什么时候实施？", openid="o-r1")
            fake.state.add_comment(
                MSG_DATA_ID, 0, "写得很好，学习了[强]", openid="o-r2", reply="谢谢支持"
            )

            async def polled() -> bool:
                return (
                    await items.count_documents(
                        {"source": {"$in": ["wechat_comment", "wechat_comment_reply"]}}
                    )
                    == 3
                )

            await wait_for(polled)

            # every item once, whatever door and however often it came
            keys = [
                (d["source"], d["source_id"])
                async for d in items.find({}, {"source": 1, "source_id": 1})
            ]
            assert len(keys) == len(set(keys)) == 10
            assert await items.count_documents({"source": "wechat_message"}) == 1
            pushed = await items.find_one({"source": "wechat_message"})
            assert pushed is not None
            assert pushed["post_id"] == post_id  # a message names no post: its window's
            assert await repo.get_window(post_id) is not None
            assert await repo.windows.count_documents({}) == 1
            assert await repo.db["jobs"].count_documents({"kind": "window-close"}) == 1

            # a reply through the API to the pushed message
            async with client(apps[2]) as http:
                replied = await http.post(
                    "/enquiries/wechat_message:9001/reply",
                    json={"text": "您好，周末也可以咨询。"},
                    headers=EDITOR,
                )
            assert replied.status_code == 200, replied.text
            assert replied.json()["state"] == "answered"

            async def message_answered() -> bool:
                doc = await repo.get_enquiry("crm:amqp-2")
                return bool(doc and doc["enquiry"]["state"] == "answered")

            await wait_for(message_answered)

            # the window ends: exactly one replica issues the document, once
            clock.advance(timedelta(hours=24, minutes=1))

            async def issued() -> bool:
                return await repo.documents.count_documents({}) == 1

            await wait_for(issued)

            ready: list[aio_pika.abc.AbstractIncomingMessage] = []

            async def announced() -> bool:
                ready.extend(await drain(digests))
                return bool(ready)

            await wait_for(announced)
            window = await repo.get_window(post_id)
            assert window is not None
            assert window["state"] == "closed"
            jobs = repo.db["jobs"]
            close_job = await jobs.find_one({"kind": "window-close"})
            assert close_job is not None
            assert close_job["state"] == "done"
            assert close_job["attempts"] == 1
            outbox = repo.db["outbox"]
            assert await outbox.count_documents({"event_type": "feedback.digest.ready"}) == 1
            ready.extend(await drain(digests))
            assert len(ready) == 1
            payload = json.loads(ready[0].body)["payload"]
            assert payload["post_id"] == post_id

            # the document's numbers
            document = await repo.get_document(post_id)
            assert document is not None
            headline = document["digest"]["headline"]
            assert headline["comments"] == 4
            assert headline["messages"] == 3
            assert headline["spam"] == 1
            assert headline["replies"] == 3
            assert headline["enquiries"] == 5
            assert headline["recorded_enquiries"] == 1
            assert headline["answered"] == 2
            assert headline["open"] == 3
            assert headline["reads"] == 1200
            assert payload["counts"]["comments"] == 4
            assert payload["counts"]["enquiries"] == 5

            # ... in the three formats, from any replica
            async with client(apps[2]) as http:
                md = await http.get(f"/windows/{post_id}/document.md", headers=DIRECTOR)
                html = await http.get(f"/windows/{post_id}/document.html", headers=DIRECTOR)
                docx = await http.get(f"/windows/{post_id}/document.docx", headers=DIRECTOR)
            assert md.status_code == html.status_code == docx.status_code == 200
            assert md.headers["content-type"].startswith("text/markdown")
            assert html.headers["content-type"].startswith("text/html")
            assert docx.headers["content-type"] == (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            )
            assert "推送反馈核心问题汇总" in md.text
            assert "| 评论数 | 4 |" in md.text
            assert "<html" in html.text.lower()
            paragraphs = [p.text for p in Document(BytesIO(docx.content)).paragraphs]
            assert any("推送反馈核心问题汇总" in p for p in paragraphs)

            # feedback after the close is kept, marked late, and changes no document
            late = feedback_event(
                "late-1", at=clock.now(), text="后来补充：请问在哪里办理？", post_id=post_id
            )
            await publish(namespace, late)

            async def late_stored() -> bool:
                doc = await items.find_one({"source_id": "late-1"})
                return bool(doc and doc["late"])

            await wait_for(late_stored)
            async with client(apps[0]) as http:
                again_md = await http.get(f"/windows/{post_id}/document.md", headers=DIRECTOR)
            assert again_md.text == md.text
            assert await repo.documents.count_documents({}) == 1

        assert await _dlq_reasons(namespace) == ["validation_failed"]
