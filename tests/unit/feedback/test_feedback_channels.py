"""What WeChat pushes and comments become: feedback items (or kept events)."""

from __future__ import annotations

from datetime import UTC, datetime

from services.feedback.domain.keys import COMMENT_SOURCE, MESSAGE_SOURCE
from services.feedback.repository.shapes import push_event_document
from services.feedback.usecases.poll_comments import COMMENT_REPLY_SOURCE, comment_payloads
from services.feedback.usecases.receive_push import message_payload
from shared.events import FeedbackKind
from shared.wechat import Comment, CommentReply, parse_message

NOW = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


def _push(msg_type: str, extra: str, *, msg_id: str | None = "5001") -> bytes:
    msg = f"<MsgId>{msg_id}</MsgId>" if msg_id else ""
    return (
        "<xml><ToUserName><![CDATA[gh_1]]></ToUserName>"
        "<FromUserName><![CDATA[o-follower]]></FromUserName>"
        f"<CreateTime>1795395600</CreateTime><MsgType><![CDATA[{msg_type}]]></MsgType>"
        f"{extra}{msg}</xml>"
    ).encode()


def test_a_text_message_is_a_message_keyed_by_its_msg_id() -> None:
    payload = message_payload(
        parse_message(_push("text", "<Content>请问怎么开票？</Content>")), now=NOW
    )
    assert payload is not None
    assert (payload.source, payload.source_id) == (MESSAGE_SOURCE, "5001")
    assert payload.kind is FeedbackKind.MESSAGE
    assert payload.author == "o-follower"
    assert payload.text == "请问怎么开票？"
    assert payload.received_at == datetime.fromtimestamp(1795395600, UTC)


def test_a_voice_message_carries_its_recognised_text() -> None:
    push = parse_message(_push("voice", "<Recognition>请问几点下班</Recognition>"))
    payload = message_payload(push, now=NOW)
    assert payload is not None
    assert payload.text == "请问几点下班"


def test_a_picture_or_link_is_kept_as_a_described_message() -> None:
    picture = message_payload(
        parse_message(_push("image", "<PicUrl>http://x/1.jpg</PicUrl>")), now=NOW
    )
    link = message_payload(
        parse_message(_push("link", "<Title>社保新规</Title><Url>http://x/a</Url>")), now=NOW
    )
    assert picture is not None
    assert picture.text == "[图片]"
    assert link is not None
    assert link.text == "[链接] 社保新规 http://x/a"


def test_an_event_is_not_feedback_and_is_keyed_by_sender_time_and_event() -> None:
    push = parse_message(_push("event", "<Event>subscribe</Event>", msg_id=None))
    assert message_payload(push, now=NOW) is None
    assert push_event_document(push, now=NOW)["_id"] == "o-follower:1795395600:subscribe"


def test_a_comment_and_the_accounts_reply_become_an_enquiry_and_its_answer() -> None:
    comment = Comment(
        user_comment_id=15,
        openid="o-reader",
        create_time=1795395600,
        content="请问什么时候实施？",
        reply=CommentReply(content="下月起实施。", create_time=1795399200),
    )
    asked, answer = comment_payloads(
        comment, msg_data_id="2247480001", index=0, post_id="p1", now=NOW
    )
    assert (asked.source, asked.source_id) == (COMMENT_SOURCE, "2247480001:0:15")
    assert asked.kind is FeedbackKind.COMMENT
    assert asked.post_id == "p1"
    assert answer.source == COMMENT_REPLY_SOURCE
    assert answer.kind is FeedbackKind.REPLY
    assert answer.in_reply_to == "wechat_comment:2247480001:0:15"
    assert answer.received_at == datetime.fromtimestamp(1795399200, UTC)


def test_an_empty_comment_is_skipped() -> None:
    comment = Comment(user_comment_id=1, openid="o", create_time=0, content="  ")
    assert comment_payloads(comment, msg_data_id="1", index=0, post_id="p1", now=NOW) == []
