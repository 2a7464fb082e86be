"""Keyword auto-replies answered in the push response; enquiries handed to feedback once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from audience_support import (
    EDITOR,
    audience_settings,
    client,
    observing,
    push_query,
    running,
    text_push,
)

from shared.wechat import parse_message
from tests.fakes.wechat_server import running_fake_wechat

pytestmark = pytest.mark.integration

INVOICE: dict[str, Any] = {
    "keyword": "发票",
    "mode": "contains",
    "priority": 5,
    "reply": {"kind": "text", "text": "开票请在菜单“服务-开票申请”提交，三个工作日内寄出。"},
}


async def test_a_keyword_is_answered_passively_and_a_question_still_reaches_feedback_once(
    namespace: str, mongo_url: str
) -> None:
    async with (
        running_fake_wechat() as fake,
        observing(namespace, "feedback.received") as events,
        running(audience_settings(namespace, mongo_url, fake)) as app,
        client(app) as http,
    ):
        rule = await http.post("/rules", headers=EDITOR, json=INVOICE)
        defaults = await http.put(
            "/replies/defaults",
            headers=EDITOR,
            json={"default": {"kind": "text", "text": "收到，我们会在12小时内回复您。"}},
        )
        thanks = await http.post(
            "/wechat/push", params=push_query(), content=text_push(9001, "发票收到了，谢谢", "o-bo")
        )
        question = text_push(9002, "请问发票怎么开？", "o-cy")
        asked = await http.post("/wechat/push", params=push_query(), content=question)
        asked_again = await http.post("/wechat/push", params=push_query(), content=question)
        unmatched = await http.post(
            "/wechat/push", params=push_query(), content=text_push(9003, "你们周末上班", "o-di")
        )
        [first, second] = await events.wait("feedback.received", 2)
        await asyncio.sleep(0.5)  # a third (the re-sent question) would have come by now
        handed = events.of("feedback.received")
    assert rule.status_code == 201, rule.text
    assert defaults.status_code == 200
    answer = parse_message(thanks.content)
    assert (answer.msg_type, answer.to_user, answer.from_user) == ("text", "o-bo", "gh_account")
    assert answer.content == INVOICE["reply"]["text"]
    assert parse_message(asked.content).content == INVOICE["reply"]["text"]
    assert parse_message(asked_again.content).content == INVOICE["reply"]["text"]
    assert parse_message(unmatched.content).content == "收到，我们会在12小时内回复您。"
    assert len(handed) == 2  # the thanks matched a rule and asks nothing: not handed over
    by_id = {e["payload"]["source_id"]: e["payload"] for e in handed}
    assert set(by_id) == {"9002", "9003"}
    assert by_id["9002"]["source"] == "wechat_message"
    assert by_id["9002"]["kind"] == "message"
    assert by_id["9002"]["author"] == "o-cy"
    assert by_id["9002"]["text"] == "请问发票怎么开？"
    assert {first["producer"], second["producer"]} == {"audience"}


async def test_rules_are_bounded_and_refused_with_the_field_named(
    namespace: str, mongo_url: str
) -> None:
    async with (
        running_fake_wechat() as fake,
        running(audience_settings(namespace, mongo_url, fake, max_rules=1)) as app,
        client(app) as http,
    ):
        no_text = await http.post(
            "/rules", headers=EDITOR, json={**INVOICE, "reply": {"kind": "text", "text": " "}}
        )
        long_keyword = await http.post(
            "/rules", headers=EDITOR, json={**INVOICE, "keyword": "长" * 31}
        )
        anonymous = await http.post("/rules", json=INVOICE)
        ok = await http.post("/rules", headers=EDITOR, json=INVOICE)
        full = await http.post("/rules", headers=EDITOR, json=INVOICE)
        missing = await http.delete("/rules/nope", headers=EDITOR)
    assert no_text.status_code == 422
    assert [e["field"] for e in no_text.json()["errors"]] == ["reply"]
    assert long_keyword.status_code == 422
    assert [e["field"] for e in long_keyword.json()["errors"]] == ["keyword"]
    assert anonymous.status_code == 401
    assert ok.status_code == 201
    assert full.status_code == 422
    assert full.headers["content-type"] == "application/problem+json"
    assert missing.status_code == 404
