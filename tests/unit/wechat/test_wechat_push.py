"""Push endpoint helpers: signatures, parsing (incl. PUBLISHJOBFINISH), hostile XML, replies."""

from __future__ import annotations

import hashlib

import pytest
from wechat_support import make_draft

from shared.wechat import (
    PUBLISH_JOB_FINISH,
    PublishState,
    PushParseError,
    WeChatClient,
    parse_message,
    parse_publish_job_finish,
    text_reply,
    verify_signature,
)
from tests.fakes.wechat_server import FakeWeChat

TOKEN = "push-token"
NOW = 1_700_000_000.0


def _sign(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class TestVerifySignature:
    def test_valid_signature_and_fresh_timestamp_pass(self) -> None:
        ts, nonce = str(int(NOW) - 10), "n0nce"
        assert verify_signature(TOKEN, _sign(TOKEN, ts, nonce), ts, nonce, NOW)

    def test_wrong_signature_fails(self) -> None:
        ts = str(int(NOW))
        assert not verify_signature(TOKEN, _sign("other", ts, "n"), ts, "n", NOW)

    def test_stale_timestamp_fails_even_when_signed(self) -> None:
        ts = str(int(NOW) - 301)
        assert not verify_signature(TOKEN, _sign(TOKEN, ts, "n"), ts, "n", NOW)

    def test_future_timestamp_beyond_skew_fails(self) -> None:
        ts = str(int(NOW) + 400)
        assert not verify_signature(TOKEN, _sign(TOKEN, ts, "n"), ts, "n", NOW, max_skew=300)

    def test_non_numeric_timestamp_fails(self) -> None:
        assert not verify_signature(TOKEN, _sign(TOKEN, "soon", "n"), "soon", "n", NOW)


TEXT_MESSAGE = b"""<xml>
  <ToUserName><![CDATA[gh_account]]></ToUserName>
  <FromUserName><![CDATA[o-reader]]></FromUserName>
  <CreateTime>1700000000</CreateTime>
  <MsgType><![CDATA[text]]></MsgType>
  <Content><![CDATA[\xe4\xbd\xa0\xe5\xa5\xbd]]></Content>
  <MsgId>1234567890123456</MsgId>
</xml>"""

FAILED_JOB = """<xml>
  <ToUserName><![CDATA[gh_account]]></ToUserName>
  <FromUserName><![CDATA[mphelper]]></FromUserName>
  <CreateTime>1700000000</CreateTime>
  <MsgType><![CDATA[event]]></MsgType>
  <Event><![CDATA[PUBLISHJOBFINISH]]></Event>
  <PublishEventInfo>
    <publish_id>2247503051</publish_id>
    <publish_status>2</publish_status>
    <fail_idx>1</fail_idx>
    <fail_idx>2</fail_idx>
  </PublishEventInfo>
</xml>"""


class TestParseMessage:
    def test_text_message(self) -> None:
        message = parse_message(TEXT_MESSAGE)

        assert message.msg_type == "text"
        assert message.content == "你好"
        assert message.from_user == "o-reader"
        assert message.to_user == "gh_account"
        assert message.create_time == 1_700_000_000
        assert message.msg_id == "1234567890123456"
        assert message.event is None

    def test_subscribe_event_keeps_all_fields(self) -> None:
        xml = (
            "<xml><ToUserName>gh</ToUserName><FromUserName>o</FromUserName>"
            "<CreateTime>1</CreateTime><MsgType>event</MsgType><Event>subscribe</Event>"
            "<EventKey>qrscene_7</EventKey></xml>"
        )
        message = parse_message(xml)

        assert message.event == "subscribe"
        assert message.fields["EventKey"] == "qrscene_7"
        assert message.publish is None

    def test_failed_publish_job_event(self) -> None:
        message = parse_message(FAILED_JOB)

        assert message.event == PUBLISH_JOB_FINISH
        assert message.publish is not None
        assert message.publish.publish_id == "2247503051"
        assert message.publish.state is PublishState.ORIGINAL_CHECK_FAILED
        assert message.publish.fail_idx == (1, 2)
        assert "[1, 2]" in message.publish.reason

    async def test_publish_job_finish_from_the_fake_matches_get_publish(
        self, client: WeChatClient, fake: FakeWeChat
    ) -> None:
        submission = await client.submit_publish(await make_draft(client))
        polled = await client.get_publish(submission.publish_id)

        pushed = parse_publish_job_finish(fake.state.publish_job_finish_xml(submission.publish_id))

        assert pushed == polled

    def test_publish_job_finish_requires_publish_event_info(self) -> None:
        with pytest.raises(PushParseError, match="PublishEventInfo"):
            parse_publish_job_finish(TEXT_MESSAGE)

    def test_billion_laughs_is_rejected(self) -> None:
        bomb = (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
            b"<xml><MsgType>text</MsgType><Content>&lol3;</Content></xml>"
        )
        with pytest.raises(PushParseError, match="unsafe or malformed"):
            parse_message(bomb)

    def test_external_entity_is_rejected(self) -> None:
        xxe = (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<xml><MsgType>text</MsgType><Content>&e;</Content></xml>"
        )
        with pytest.raises(PushParseError):
            parse_message(xxe)

    def test_oversized_body_is_rejected_before_parsing(self) -> None:
        with pytest.raises(PushParseError, match="exceeds"):
            parse_message(b"<xml>" + b" " * 70_000 + b"</xml>")

    @pytest.mark.parametrize(
        "body",
        [
            b"not xml",
            b"<xml><ToUserName>gh</ToUserName></xml>",
            b"<root><MsgType>t</MsgType></root>",
        ],
    )
    def test_malformed_or_incomplete_bodies_are_rejected(self, body: bytes) -> None:
        with pytest.raises(PushParseError):
            parse_message(body)


def test_text_reply_round_trips_and_escapes_cdata_end() -> None:
    reply = text_reply(to_user="o-reader", from_user="gh", content="a]]>b 你好", create_time=5)

    message = parse_message(reply)

    assert message.content == "a]]>b 你好"
    assert message.to_user == "o-reader"
    assert message.create_time == 5
