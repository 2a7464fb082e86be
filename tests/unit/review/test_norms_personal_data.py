"""Personal-data detectors: mobile numbers, resident IDs, bank cards, e-mail, WeChat/QQ."""

from __future__ import annotations

from datetime import date

import pytest

from services.review.norms import (
    Category,
    Finding,
    NormChecker,
    Severity,
    is_valid_resident_id,
    luhn_valid,
    resident_id_check_char,
)

TODAY = date(2026, 5, 1)


@pytest.fixture(scope="module")
def checker() -> NormChecker:
    return NormChecker(today=lambda: TODAY, allowed_email_domains=["example-corp.cn"])


def findings(checker: NormChecker, text: str, rule_id: str) -> list[Finding]:
    found = [f for f in checker.check(text).findings if f.rule_id == rule_id]
    for f in found:
        assert text[f.start : f.end] == f.matched
    return found


def matched(checker: NormChecker, text: str, rule_id: str) -> list[str]:
    return [f.matched for f in findings(checker, text, rule_id)]


# --- mobile numbers --------------------------------------------------------------------

MOBILE = "privacy.mobile_number"


@pytest.mark.parametrize(
    "number",
    [
        "13800138000",
        "19912345678",
        "138 0013 8000",
        "138-0013-8000",
        "+86 13800138000",
        "+8613800138000",
        "+86-138-0013-8000",
        "0086 138 0013 8000",
        "8613800138000",
    ],
)
def test_mobile_number_is_found_with_prefix_and_separators(
    checker: NormChecker, number: str
) -> None:
    assert matched(checker, f"联系人张先生，手机{number}，欢迎来电", MOBILE) == [number]


def test_mobile_number_next_to_chinese_characters_is_found(checker: NormChecker) -> None:
    found = findings(checker, "请拨打13912345678咨询", MOBILE)

    assert [f.matched for f in found] == ["13912345678"]
    assert found[0].severity is Severity.WARN
    assert found[0].category is Category.PRIVACY
    assert found[0].confidence == pytest.approx(0.85)


def test_mobile_number_after_a_context_word_is_more_confident(checker: NormChecker) -> None:
    assert findings(checker, "联系电话：13912345678", MOBILE)[0].confidence == pytest.approx(0.95)


def test_full_width_mobile_number_is_found_as_an_evasion(checker: NormChecker) -> None:
    found = findings(checker, "手机１３９１２３４５６７８", MOBILE)

    assert [f.matched for f in found] == ["１３９１２３４５６７８"]
    assert found[0].evasion == "fullwidth"


def test_mobile_number_with_zero_width_characters_is_found(checker: NormChecker) -> None:
    text = "手机139\u200b1234\u200b5678"

    found = findings(checker, text, MOBILE)

    assert [f.matched for f in found] == ["139\u200b1234\u200b5678"]
    assert found[0].evasion == "zero_width"


@pytest.mark.parametrize(
    "text",
    [
        "订单号213800138000已发货",  # 12 digits
        "订单号138001380001已发货",  # 12 digits starting like a mobile
        "流水号20261380013800012",
        "编号2026-13800138000-1",
        "编号138 0013 8000 1",
        "12800138000",  # 12x is not a mobile prefix
        "1380013800",  # 10 digits
        "增长13.5%，营收1380万元，2026年11月",
        "合同编号HT-2026-013800",
        "服务热线400-820-1380",
        "电话021-62345678",
    ],
)
def test_digit_runs_that_are_not_mobile_numbers_are_ignored(
    checker: NormChecker, text: str
) -> None:
    assert findings(checker, text, MOBILE) == []


# --- resident ID numbers -----------------------------------------------------------------

RESIDENT_ID = "privacy.resident_id"
WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # the ISO 7064 MOD 11-2 weights


def check_char(first17: str) -> str:
    """Independent implementation of the check character, for building test numbers."""
    remainder = (12 - sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11) % 11
    return "X" if remainder == 10 else str(remainder)


def with_check(first17: str) -> str:
    return first17 + check_char(first17)


def test_check_character_matches_the_published_example() -> None:
    # GB 11643-1999's own example; by hand: the weighted sum is 167, 167 mod 11 = 2 -> "X"
    assert WEIGHTS == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    assert check_char("11010519491231002") == "X"
    assert resident_id_check_char("11010519491231002") == "X"
    assert is_valid_resident_id("11010519491231002X", today=TODAY)
    assert is_valid_resident_id("11010519491231002x", today=TODAY)


@pytest.mark.parametrize(
    "first17",
    ["44030519900307123", "31011519851122004", "51010720000229331", "65010219700101100"],
)
def test_valid_resident_id_is_found_and_blocks(checker: NormChecker, first17: str) -> None:
    number = with_check(first17)
    assert resident_id_check_char(first17) == number[-1]

    found = findings(checker, f"身份证号：{number}。", RESIDENT_ID)

    assert [f.matched for f in found] == [number]
    assert found[0].severity is Severity.BLOCK
    assert checker.check(f"身份证号：{number}。").blocking


def test_resident_id_with_spaces_between_its_parts_is_found(checker: NormChecker) -> None:
    number = with_check("44030519900307123")
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"

    assert matched(checker, f"证件号码 {spaced}", RESIDENT_ID) == [spaced]


def test_resident_id_with_wrong_check_character_is_ignored(checker: NormChecker) -> None:
    number = with_check("44030519900307123")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")

    assert findings(checker, f"身份证号：{wrong}", RESIDENT_ID) == []
    assert not is_valid_resident_id(wrong, today=TODAY)


@pytest.mark.parametrize(
    ("first17", "why"),
    [
        ("44030519900230123", "30 February"),
        ("44030519901301123", "month 13"),
        ("44030520990101123", "born in the future"),
        ("44030520260502123", "born tomorrow"),
        ("44030518500101123", "implausibly old"),
        ("99030519900307123", "no such region"),
    ],
)
def test_resident_id_with_impossible_birth_date_or_region_is_ignored(
    checker: NormChecker, first17: str, why: str
) -> None:
    number = with_check(first17)

    assert not is_valid_resident_id(number, today=TODAY), why
    assert findings(checker, f"身份证号：{number}", RESIDENT_ID) == [], why


def test_resident_id_inside_a_longer_digit_run_is_ignored(checker: NormChecker) -> None:
    number = with_check("44030519900307123")

    assert findings(checker, f"流水号9{number}", RESIDENT_ID) == []


# --- bank cards --------------------------------------------------------------------------

BANK_CARD = "privacy.bank_card"


def luhn_complete(body: str) -> str:
    """``body`` plus the Luhn check digit, computed here independently."""
    total = 0
    for i, char in enumerate(reversed(body)):
        value = int(char) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return body + str((10 - total % 10) % 10)


def test_luhn_check_accepts_known_test_numbers() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("79927398713")
    assert not luhn_valid("4111111111111112")
    assert luhn_valid(luhn_complete("622202123456789012"))


@pytest.mark.parametrize("body", ["622202123456789", "62170012345678901", "621700123456789012"])
def test_bank_card_with_luhn_and_context_is_found(checker: NormChecker, body: str) -> None:
    card = luhn_complete(body)

    found = findings(checker, f"请转到我的银行卡号：{card}，谢谢", BANK_CARD)

    assert [f.matched for f in found] == [card]
    assert found[0].severity is Severity.BLOCK


def test_bank_card_in_groups_of_four_is_found(checker: NormChecker) -> None:
    card = luhn_complete("622202123456789")
    grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))

    assert matched(checker, f"卡号 {grouped} 开户行：某银行", BANK_CARD) == [grouped]


def test_bank_card_with_context_after_the_number_is_found(checker: NormChecker) -> None:
    card = luhn_complete("622202123456789")

    assert matched(checker, f"{card}是我的收款账户", BANK_CARD) == [card]


def test_luhn_valid_number_without_context_is_ignored(checker: NormChecker) -> None:
    card = luhn_complete("622202123456789")

    assert findings(checker, f"本批次产品追溯码为{card}。", BANK_CARD) == []


def test_bank_card_failing_luhn_is_ignored_even_with_context(checker: NormChecker) -> None:
    card = luhn_complete("622202123456789")
    wrong = card[:-1] + str((int(card[-1]) + 1) % 10)

    assert findings(checker, f"银行卡号：{wrong}", BANK_CARD) == []


def test_valid_resident_id_wins_over_a_bank_card_reading(checker: NormChecker) -> None:
    # an ID number that also passes Luhn, next to a bank word: reported once, as an ID
    for seq in range(100, 1000):
        number = with_check(f"44030519900307{seq}")
        if number[-1] != "X" and luhn_valid(number):
            break
    text = f"账户信息：{number}"

    assert [f.rule_id for f in checker.check(text).findings] == [RESIDENT_ID]


# --- e-mail, WeChat and QQ ------------------------------------------------------------------


def test_email_address_is_found(checker: NormChecker) -> None:
    found = findings(checker, "简历请发送至Zhang.San88@mail.com，注明岗位", "privacy.email")

    assert [f.matched for f in found] == ["Zhang.San88@mail.com"]
    assert found[0].severity is Severity.WARN


def test_full_width_email_address_is_found(checker: NormChecker) -> None:
    assert matched(checker, "邮箱ｚｓ＠ｍａｉｌ．ｃｏｍ", "privacy.email") == [
        "ｚｓ＠ｍａｉｌ．ｃｏｍ"
    ]


def test_email_in_an_allowed_company_domain_is_ignored(checker: NormChecker) -> None:
    assert (
        findings(checker, "请联系hr@example-corp.cn或hr@bj.example-corp.cn", "privacy.email") == []
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的微信号：zhang_san88", "微信号：zhang_san88"),
        ("微信 lily2024", "微信 lily2024"),
        ("VX: Lily_fashion", "VX: Lily_fashion"),
        ("wx：abc-12345", "wx：abc-12345"),
        ("薇信是kefu2026", "薇信是kefu2026"),
    ],
)
def test_wechat_id_is_found(checker: NormChecker, text: str, expected: str) -> None:
    assert matched(checker, text, "privacy.wechat_id") == [expected]


@pytest.mark.parametrize(
    "text",
    ["欢迎关注微信公众号", "支持微信支付", "打开微信 wechat 扫一扫", "微信小程序mini"],
)
def test_words_after_wechat_are_not_taken_for_an_id(checker: NormChecker, text: str) -> None:
    assert findings(checker, text, "privacy.wechat_id") == []


def test_qq_number_is_found(checker: NormChecker) -> None:
    assert matched(checker, "有问题加QQ：123456789", "privacy.qq_number") == ["QQ：123456789"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("感兴趣的加V详聊", "加V"),
        ("感兴趣+v详聊", "+v"),
        ("感兴趣的加vx", "加vx"),
        ("感兴趣的加 VX 详聊", "加 VX"),
        ("请添加微信，备注公司名", "添加微信"),
        ("加ＷＸ领资料", "加ＷＸ"),
        ("加扣扣详聊", "加扣扣"),
    ],
)
def test_contact_solicitation_is_found(checker: NormChecker, text: str, expected: str) -> None:
    found = findings(checker, text, "spam.contact_solicitation")

    assert [f.matched for f in found] == [expected]
    assert found[0].category is Category.SPAM


@pytest.mark.parametrize(
    "text",
    [
        "公司增加VR体验区",
        "参加VIP客户答谢会",
        "增加微信公众号菜单",
        "添加微信支付方式",
        "追加V型反弹的投资",
        "C++ vs Rust",
        "版本v2.0",
    ],
)
def test_ordinary_phrases_are_not_contact_solicitation(checker: NormChecker, text: str) -> None:
    assert checker.check(text).findings == ()
