"""The demo's branches (#14): pushes signed and shaped as WeChat sends them."""

from __future__ import annotations

from demo.promotion import BRANCHES, push_xml, sha1_signature
from shared.wechat.crypto import sha1_signature as platform_signature
from shared.wechat.push import parse_message


def test_the_demo_signs_pushes_as_the_platform_checks_them() -> None:
    assert sha1_signature("token", "1700000000", "n0nce") == platform_signature(
        "token", "1700000000", "n0nce"
    )


def test_a_branch_subscribe_and_a_keyword_message_parse_as_wechat_pushes() -> None:
    subscribe = parse_message(push_xml("o-1", 1_790_000_000, "subscribe", key="qrscene_branch:x"))
    text = parse_message(push_xml("o-1", 1_790_000_000, None, text="开发票"))

    assert (subscribe.event, subscribe.fields.get("EventKey")) == ("subscribe", "qrscene_branch:x")
    assert (text.msg_type, text.content) == ("text", "开发票")
    assert text.msg_id


def test_one_branch_lags_its_head_count() -> None:
    working_days = 5
    behind = [b for b in BRANCHES if b.per_day * working_days * 2 < b.target / 2]
    assert [b.code for b in behind] == ["suzhou"]
