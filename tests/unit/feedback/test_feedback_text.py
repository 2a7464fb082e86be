"""Cleaning, tokenising, redaction and spam rules."""

from __future__ import annotations

import pytest

from services.feedback.analysis import (
    clean_text,
    detect_spam,
    display_text,
    find_stickers,
    redact,
    segment,
    tokenize,
)


def test_sticker_codes_are_stripped_and_kept_as_hints() -> None:
    clean = clean_text("写得太好了[强][强]，就是有点长[捂脸]")
    assert clean.text == "写得太好了,就是有点长"
    assert clean.stickers == ("强", "强", "捂脸")


def test_english_sticker_codes_and_emoji_are_stripped() -> None:
    clean = clean_text("[OK]好的👍❤️ 收到")
    assert clean.text == "好的 收到"
    assert clean.stickers == ("OK",)
    assert clean.emoji == ("👍", "❤")


def test_numbers_in_brackets_are_not_stickers() -> None:
    assert find_stickers("见文末[1]") == ()


def test_traditional_input_is_simplified() -> None:
    assert clean_text("請問這個發票怎麼報銷？").text == "请问这个发票怎么报销?"
    assert display_text("請問這個發票怎麼報銷？[捂臉]") == "请问这个发票怎么报销？"


def test_full_width_forms_are_normalised() -> None:
    assert clean_text("ＡＢＣ１２３") == clean_text("ABC123")


def test_empty_text_is_clean() -> None:
    assert clean_text("").text == ""
    assert tokenize("") == []


def test_company_terms_stay_whole() -> None:
    words = segment("融智综合服务体系怎么办理社保和个税汇算清缴")
    assert "融智综合服务体系" in words
    assert "汇算清缴" in words
    assert "社保" in words


def test_tokenize_drops_stopwords_punctuation_and_numbers() -> None:
    tokens = tokenize("请问，社保基数是多少？2024年的薪酬绩效怎么算")
    assert "请问" not in tokens
    assert "多少" not in tokens
    assert "2024" not in tokens
    assert {"社保基数", "薪酬", "绩效"} <= set(tokens)


def test_user_dictionary_does_not_leak_into_global_jieba() -> None:
    import jieba

    tokenize("融智综合服务体系")
    assert "融智综合服务体系" not in jieba.dt.FREQ


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("我电话13812345678", "我电话138****5678"),
        ("电话+86 138-1234-5678谢谢", "电话138****5678谢谢"),
        ("0086 13912345678", "139****5678"),
        ("电话：１３８１２３４５６７８", "电话：138****5678"),
        ("身份证110101199003071234", "身份证110***********1234"),
        ("身份证11010119900307123X号", "身份证110***********123X号"),
        ("邮箱 zhang.san@example.com", "邮箱 z***@example.com"),
        ("微信号: zhang_88888", "微信号: zh****88"),
        ("vx：Wang2024abc", "vx：Wa****bc"),
        ("wxid_abcd1234", "wxid_****"),
        ("座机010-12345678", "座机010-****5678"),
        ("卡号6222 0212 3456 7890", "卡号6222********7890"),
    ],
)
def test_personal_data_is_masked(raw: str, masked: str) -> None:
    assert redact(raw) == masked


def test_short_numbers_and_plain_text_are_left_alone() -> None:
    text = "第3期课程，2024年5月6日，价格1280元，review 通过"
    assert redact(text) == text


def test_long_digit_runs_are_masked_whole_not_as_phones() -> None:
    assert redact("编号213812345678") == "编号2138****5678"


@pytest.mark.parametrize(
    "text",
    [
        "加我微信 wx_zhang8888，代开各种发票",
        "兼职刷单，日赚300，详情私聊",
        "点击 http://t.cn/abc 领取福利",
        "顶顶顶顶顶顶顶顶顶",
        "贷款无抵押，秒到账，联系13912345678",
    ],
)
def test_spam_is_detected_with_reasons(text: str) -> None:
    verdict = detect_spam(clean_text(text).text)
    assert verdict.is_spam
    assert verdict.reasons


@pytest.mark.parametrize(
    "text",
    [
        "我的电话13812345678，请客服回电",
        "请问可以加你们客服微信吗",
        "专项附加扣除怎么填",
        "资料已发到 service@example.com",
        "哈哈哈，写得好",
    ],
)
def test_customers_are_not_spam(text: str) -> None:
    assert not detect_spam(clean_text(text).text).is_spam
