"""The one push URL keeps the feedback endpoint's checks: signature, freshness, safe XML,
and in the encrypted mode a sealed reply only this account can read."""

from __future__ import annotations

import base64
import time
import uuid

import pytest
from audience_support import (
    EDITOR,
    TOKEN,
    audience_settings,
    client,
    observing,
    push_query,
    running,
    text_push,
)

from shared.wechat import MessageCrypto, parse_message
from shared.wechat.crypto import safe_fromstring, sha1_signature
from tests.fakes.wechat_server import running_fake_wechat

pytestmark = pytest.mark.integration

AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")
RULE = {"keyword": "地址", "reply": {"kind": "text", "text": "上海市浦东新区世纪大道1号"}}


async def test_forged_stale_or_unsafe_pushes_are_refused(namespace: str, mongo_url: str) -> None:
    stale_ts = str(int(time.time()) - 3600)
    stale = {
        "signature": sha1_signature(TOKEN, stale_ts, "n1"),
        "timestamp": stale_ts,
        "nonce": "n1",
    }
    async with (
        running_fake_wechat() as fake,
        running(audience_settings(namespace, mongo_url, fake)) as app,
        client(app) as http,
    ):
        echo = await http.get("/wechat/push", params={**push_query(), "echostr": "e-1"})
        forged = await http.post(
            "/wechat/push", params=push_query("another-token-123"), content=text_push(1, "x", "o")
        )
        old = await http.post("/wechat/push", params=stale, content=text_push(2, "x", "o"))
        entity = await http.post(
            "/wechat/push",
            params=push_query(),
            content=b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><xml>&a;</xml>',
        )
        too_old = await http.post(
            "/wechat/push",
            params=push_query(),
            content=text_push(3, "x", "o").replace(
                f"<CreateTime>{int(time.time())}".encode(), b"<CreateTime>1"
            ),
        )
        followers = (await http.get("/followers", headers=EDITOR)).json()
    assert (echo.status_code, echo.text) == (200, "e-1")
    assert forged.status_code == 403
    assert old.status_code == 403
    assert entity.status_code == 400
    assert entity.headers["content-type"] == "application/problem+json"
    assert too_old.status_code == 400
    assert followers["total"] == 0


async def test_the_encrypted_mode_answers_with_a_sealed_reply(
    namespace: str, mongo_url: str
) -> None:
    async with running_fake_wechat() as fake:
        crypto = MessageCrypto(TOKEN, AES_KEY, fake.state.appid)
        settings = audience_settings(namespace, mongo_url, fake, wechat_encoding_aes_key=AES_KEY)
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:8]
        sealed = crypto.encrypt(text_push(77, "公司地址在哪里", "o-enc"))
        query = {
            "timestamp": timestamp,
            "nonce": nonce,
            "encrypt_type": "aes",
            "msg_signature": crypto.signature(timestamp, nonce, sealed),
        }
        body = f"<xml><Encrypt><![CDATA[{sealed}]]></Encrypt></xml>".encode()
        async with (
            observing(namespace, "feedback.received") as events,
            running(settings) as app,
            client(app) as http,
        ):
            await http.post("/rules", headers=EDITOR, json=RULE)
            answer = await http.post("/wechat/push", params=query, content=body)
            plain = await http.post(
                "/wechat/push", params=push_query(), content=text_push(78, "地址", "o-enc")
            )
            [handed] = await events.wait("feedback.received", 1)
    assert answer.status_code == 200
    sealed_reply = safe_fromstring(answer.content).findtext("Encrypt") or ""
    reply = parse_message(crypto.decrypt(sealed_reply))
    assert (reply.to_user, reply.content) == ("o-enc", "上海市浦东新区世纪大道1号")
    assert plain.status_code == 403  # a plain push is refused in the encrypted mode
    assert handed["payload"]["source_id"] == "77"  # a question: handed over too
