"""The WeChat push endpoint: URL check, plain and encrypted modes, events, bad input."""

from __future__ import annotations

import base64
import time
import uuid

import pytest
from feedback_support import (
    APP_ID,
    TOKEN,
    ShiftedClock,
    client,
    event_push,
    feedback_settings,
    push_query,
    replicas,
    store,
    text_push,
)

from shared.wechat import MessageCrypto

pytestmark = pytest.mark.integration

AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")


async def test_url_check_echoes_only_for_a_fresh_valid_signature(
    namespace: str, mongo_url: str
) -> None:
    settings = feedback_settings(namespace, mongo_url, wechat_token=TOKEN)
    async with replicas(settings, ShiftedClock()) as [app], client(app) as http:
        good = await http.get("/wechat/push", params={**push_query(), "echostr": "e-123"})
        forged = await http.get(
            "/wechat/push", params={**push_query("wrong-token-1234"), "echostr": "e-123"}
        )
        stale = await http.get(
            "/wechat/push",
            params={**push_query(timestamp=int(time.time()) - 3600), "echostr": "e-123"},
        )
    assert (good.status_code, good.text) == (200, "e-123")
    assert forged.status_code == 403
    assert stale.status_code == 403


async def test_pushes_are_stored_once_and_events_are_kept_apart_from_feedback(
    namespace: str, mongo_url: str
) -> None:
    settings = feedback_settings(namespace, mongo_url, wechat_token=TOKEN)
    async with replicas(settings, ShiftedClock()) as [app], client(app) as http:
        voice = (
            text_push(7002, "")
            .replace(b"<MsgType><![CDATA[text]]>", b"<MsgType><![CDATA[voice]]>")
            .replace(
                b"<Content><![CDATA[]]></Content>",
                "<Recognition>请问几点下班</Recognition>".encode(),
            )
        )
        answers = [
            await http.post("/wechat/push", params=push_query(), content=body)
            for body in (
                text_push(7001, "请问发票怎么开？"),
                text_push(7001, "请问发票怎么开？"),  # WeChat re-sends after 5 s
                voice,
                event_push("subscribe"),
                event_push("subscribe"),
            )
        ]
        malformed = await http.post("/wechat/push", params=push_query(), content=b"<xml><oops")
        entity = await http.post(
            "/wechat/push",
            params=push_query(),
            content=b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><xml>&a;</xml>',
        )
        repo = store(app)
        stored = {d["source_id"]: d async for d in repo.items.find({"source": "wechat_message"})}
        events = await repo.push_events.count_documents({})
    assert [(a.status_code, a.content) for a in answers] == [(200, b"success")] * 5
    assert malformed.status_code == 400
    assert entity.status_code == 400
    assert set(stored) == {"7001", "7002"}
    assert stored["7002"]["text"] == "请问几点下班"
    assert stored["7001"]["enquiry"]["state"] == "open"  # every message needs a reply
    assert events == 1


async def test_encrypted_mode_accepts_only_encrypted_pushes_for_this_account(
    namespace: str, mongo_url: str
) -> None:
    settings = feedback_settings(
        namespace,
        mongo_url,
        wechat_token=TOKEN,
        wechat_encoding_aes_key=AES_KEY,
        wechat_app_id=APP_ID,
    )
    crypto = MessageCrypto(TOKEN, AES_KEY, APP_ID)
    other_account = MessageCrypto(TOKEN, AES_KEY, "wx-other-app")

    def encrypted(sealer: MessageCrypto, body: bytes) -> tuple[dict[str, str], bytes]:
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:8]
        sealed = sealer.encrypt(body)
        query = {
            "timestamp": timestamp,
            "nonce": nonce,
            "encrypt_type": "aes",
            "msg_signature": sealer.signature(timestamp, nonce, sealed),
        }
        return query, f"<xml><Encrypt><![CDATA[{sealed}]]></Encrypt></xml>".encode()

    async with replicas(settings, ShiftedClock()) as [app], client(app) as http:
        query, body = encrypted(crypto, text_push(8001, "请问怎么报名？"))
        good = await http.post("/wechat/push", params=query, content=body)
        tampered = await http.post(
            "/wechat/push", params={**query, "msg_signature": "0" * 40}, content=body
        )
        query, body = encrypted(other_account, text_push(8002, "别的公众号"))
        foreign = await http.post("/wechat/push", params=query, content=body)
        plain = await http.post(
            "/wechat/push", params=push_query(), content=text_push(8003, "明文消息")
        )
        stored = [d["source_id"] async for d in store(app).items.find({})]
    assert (good.status_code, good.content) == (200, b"success")
    assert tampered.status_code == 403
    assert foreign.status_code == 403
    assert plain.status_code == 403
    assert stored == ["8001"]


async def test_the_endpoint_is_not_served_without_a_token(namespace: str, mongo_url: str) -> None:
    settings = feedback_settings(namespace, mongo_url)
    async with replicas(settings, ShiftedClock()) as [app], client(app) as http:
        check = await http.get("/wechat/push", params={**push_query(), "echostr": "x"})
        push = await http.post("/wechat/push", params=push_query(), content=text_push(1, "hi"))
    assert check.status_code == 404
    assert push.status_code == 404
