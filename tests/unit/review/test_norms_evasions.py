"""Evasions (issue #11 item 7): symbols, look-alikes and homophones between the characters
of a contact solicitation or a term are read through, and findings keep original offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo.articles import load_articles
from services.review.norms import (
    Category,
    Finding,
    Lexicon,
    NormChecker,
    Severity,
    Substitute,
    SubstituteError,
    SubstituteTable,
    Term,
    normalise,
    parse_substitute_lines,
)
from services.review.norms.lexicon import shipped_substitutes

SOLICITATION = "spam.contact_solicitation"


@pytest.fixture(scope="module")
def checker() -> NormChecker:
    return NormChecker()


def findings(checker: NormChecker, text: str, rule: str | None = None) -> list[Finding]:
    found = list(checker.check(text).findings)
    for f in found:
        assert text[f.start : f.end] == f.matched, f
    return [f for f in found if rule is None or f.rule_id == rule]


# --- contact solicitation: every evasion of 加微信 / 加QQ -----------------------------------


@pytest.mark.parametrize(
    ("text", "matched", "evasion"),
    [
        ("想要完整版资料的朋友加★微★信，备注“资料”", "加★微★信", "separator"),
        ("想要完整版资料的朋友加 微 信，备注“资料”", "加 微 信", "separator"),
        ("想要完整版资料的朋友加-微-信，备注“资料”", "加-微-信", "separator"),
        ("想要完整版资料的朋友加😊微😊信拿资料", "加😊微😊信", "separator"),
        ("感兴趣的朋友加V信详聊", "加V信", "substitute"),
        ("感兴趣的朋友加薇信详聊", "加薇信", "substitute"),
        ("感兴趣的朋友加威信详聊", "加威信", "substitute"),
        ("感兴趣的朋友加徽信详聊", "加徽信", "substitute"),
        ("感兴趣的朋友加微x详聊", "加微x", "substitute"),
        ("感兴趣的朋友加wei xin详聊", "加wei xin", "substitute"),
        ("感兴趣的朋友加 wei-xin 详聊", "加 wei-xin", "substitute"),
        ("感兴趣的朋友加wechat详聊", "加wechat", "substitute"),
        ("感兴趣的朋友加ＶＸ详聊", "加ＶＸ", "fullwidth+substitute"),
        ("感兴趣的朋友加vx详聊", "加vx", "substitute"),
        ("有问题的加扣扣详聊", "加扣扣", "substitute"),
        ("有问题的加叩叩详聊", "加叩叩", "substitute"),
        ("有问题的加Q Q详聊", "加Q Q", "separator"),
        ("名额有限，加★薇★信抢位", "加★薇★信", "separator+substitute"),
    ],
)
def test_contact_solicitation_is_found_through_its_evasion(
    checker: NormChecker, text: str, matched: str, evasion: str
) -> None:
    found = findings(checker, text, SOLICITATION)

    assert [f.matched for f in found] == [matched]
    assert found[0].evasion == evasion
    assert found[0].category is Category.SPAM
    assert found[0].start == text.index(matched)


def test_solicitation_does_not_span_a_comma(checker: NormChecker) -> None:
    assert findings(checker, "预算再加，微信群里再讨论", SOLICITATION) == []
    assert findings(checker, "今年再加一个，微信公众号要多更新", SOLICITATION) == []


# --- IDs and phone numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rule", "matched"),
    [
        ("我的V信：lily_2026，欢迎骚扰", "privacy.wechat_id", "V信：lily_2026"),
        ("wei xin：rzhr2027，备注来意", "privacy.wechat_id", "wei xin：rzhr2027"),
        ("威信号：kefu_0088", "privacy.wechat_id", "威信号：kefu_0088"),
        ("微x号 shop2026", "privacy.wechat_id", "微x号 shop2026"),
        ("售后请找扣扣：123456789", "privacy.qq_number", "扣扣：123456789"),
        ("售后请找蔻蔻号 123456789", "privacy.qq_number", "蔻蔻号 123456789"),
    ],
)
def test_contact_ids_are_found_through_substitutes(
    checker: NormChecker, text: str, rule: str, matched: str
) -> None:
    found = findings(checker, text, rule)

    assert [f.matched for f in found] == [matched]
    assert "substitute" in found[0].evasion


@pytest.mark.parametrize(
    "text",
    ["dian hua 13912345678", "dian hua：13912345678", "電話13912345678", "shou ji 13912345678"],
)
def test_phone_context_words_are_read_through_substitutes(checker: NormChecker, text: str) -> None:
    found = findings(checker, text, "privacy.mobile_number")

    assert [f.matched for f in found] == ["13912345678"]
    assert found[0].confidence == pytest.approx(0.95)  # the context word was understood


def test_phone_without_context_word_stays_less_confident(checker: NormChecker) -> None:
    assert findings(checker, "dia hua 13912345678", "privacy.mobile_number")[
        0
    ].confidence == pytest.approx(0.85)


# --- lexicon terms through substitutes, offsets and explanations ---------------------------


def test_lexicon_term_is_found_through_a_substitute(checker: NormChecker) -> None:
    text = "扫码加V信领取新人礼包"

    found = findings(checker, text, "lexicon.spam")

    assert [(f.matched, f.normalised) for f in found] == [("加V信领取", "加微信领取")]
    assert "substitute" in found[0].evasion
    assert found[0].confidence < 0.95


def test_explanation_shows_the_variant_and_its_original_position(checker: NormChecker) -> None:
    text = "前言。欢迎加★薇★信了解详情"

    (finding,) = findings(checker, text, SOLICITATION)

    assert (finding.start, finding.end) == (5, 10)
    assert "「薇★信」→「微信」" in finding.explanation
    assert "原文第 6–10 字" in finding.explanation
    assert "分隔符" in finding.explanation


def test_offsets_stay_in_the_original_text_around_substitutes(checker: NormChecker) -> None:
    text = "網 賭平台。加wei xin：abc_123，或加★扣★扣。電話13912345678"

    found = findings(checker, text)

    assert [f.rule_id for f in found] == [
        "lexicon.gambling_violence",
        "privacy.wechat_id",
        SOLICITATION,
        "privacy.mobile_number",
    ]
    assert [f.matched for f in found] == [
        "網 賭",
        "wei xin：abc_123",
        "加★扣★扣",
        "13912345678",
    ]


def test_a_term_written_with_a_variant_matches_every_spelling() -> None:
    lexicon = Lexicon.load(added=[Term("vx私聊", Category.SPAM, Severity.BLOCK)])
    checker = NormChecker(lexicon)

    for text in ("有事微信私聊", "有事vx私聊", "有事薇信私聊"):
        assert [f.normalised for f in findings(checker, text, "lexicon.spam")] == ["vx私聊"]


# --- no new false positives ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "他在村里很有威信，大家都听他的。",
        "公司增加VR体验区",
        "VxWorks 是一种实时操作系统",
        "小程序调用 wx.login 获取登录凭证",
        "原文链接：https://mp.weixin.qq.com/s/abc123",
        "衣服上的扣扣子掉了",
        "维信诺发布了新款屏幕",
        "Q&A 环节请举手提问",
        "本次活动由市场部和人事部联合举办，欢迎参加",
        "他说“加”，微信群里的同事都同意了",
    ],
)
def test_ordinary_text_raises_no_finding(checker: NormChecker, text: str) -> None:
    assert findings(checker, text) == []


EXPECTED_DEMO_FINDINGS = {
    "02-hr-campus-recruiting": [("privacy.wechat_id", Severity.WARN)],
    "06-finance-e-invoice": [("privacy.mobile_number", Severity.WARN)],
    "08-industry-cross-border-gambling": [
        ("lexicon.gambling_violence", Severity.BLOCK),
        ("lexicon.gambling_violence", Severity.BLOCK),
    ],
    "10-services-year-end-promo": [
        ("lexicon.spam", Severity.WARN),
        ("lexicon.spam", Severity.WARN),
        ("lexicon.spam", Severity.WARN),
        ("privacy.wechat_id", Severity.WARN),
    ],
}


def test_demo_articles_raise_exactly_their_known_findings(checker: NormChecker) -> None:
    articles = load_articles()
    assert len(articles) >= 10
    for article in articles:
        text = "\n".join([article.title, article.digest, *article.body])
        found = [(f.rule_id, f.severity) for f in findings(checker, text)]
        assert found == EXPECTED_DEMO_FINDINGS.get(article.key, []), article.key
        if article.revision:
            revised = "\n".join([article.title, article.digest, *article.revision.body])
            assert findings(checker, revised) == [], article.key


# --- the table of substitutes --------------------------------------------------------------


def test_every_shipped_substitute_is_read_as_its_standard_spelling() -> None:
    table = SubstituteTable(shipped_substitutes())
    assert len(table) >= 20
    for substitute in shipped_substitutes():
        norm = table.apply(normalise(f"。{substitute.variant}。"))
        assert substitute.canonical_key in norm.dense, substitute
        assert [s.variant for s in norm.substitutions] == [substitute.variant]


def test_table_lines_are_parsed_and_bad_ones_named() -> None:
    parsed = parse_substitute_lines(["# 注释", "", "薇信|微信|谐音", "V X|微信"], source="t.txt")

    assert [(s.key, s.canonical_key, s.note) for s in parsed] == [
        ("薇信", "微信", "谐音"),
        ("vx", "微信", ""),
    ]
    with pytest.raises(SubstituteError, match=r"t\.txt:2"):
        parse_substitute_lines(["薇信|微信", "電話|电话"], source="t.txt")  # already folded
    with pytest.raises(SubstituteError, match=r"t\.txt:1"):
        parse_substitute_lines(["薇信|"], source="t.txt")


def test_variant_needs_word_boundaries_at_its_latin_ends() -> None:
    table = SubstituteTable([Substitute("vx", "微信")])

    assert table.apply(normalise("加vx")).dense == "加微信"
    assert table.apply(normalise("vxworks")).dense == "vxworks"
    assert table.apply(normalise("devx 工具")).dense == "devx工具"
    assert table.canonical_key("加vx") == "加微信"
    assert table.canonical_key("vxworks") == "vxworks"


def test_a_lexicon_folder_may_bring_its_own_table(tmp_path: Path) -> None:
    (tmp_path / "spam.txt").write_text("加微信好友\n", encoding="utf-8")
    (tmp_path / "substitutes.txt").write_text("卫星|微信|内部黑话\n", encoding="utf-8")

    lexicon = Lexicon.load(tmp_path)

    assert [s.variant for s in lexicon.substitutes] == ["卫星"]
    assert lexicon.with_changes().substitutes == lexicon.substitutes  # kept through changes
    found = NormChecker(lexicon).check("请加卫星好友").findings
    assert [(f.normalised, f.evasion) for f in found] == [("加微信好友", "substitute")]
    assert NormChecker(lexicon).check("请加薇信好友").findings == ()  # not in this table


def test_a_lexicon_folder_without_a_table_uses_the_shipped_one(tmp_path: Path) -> None:
    (tmp_path / "spam.txt").write_text("加微信好友\n", encoding="utf-8")
    lexicon = Lexicon.load(tmp_path)
    (tmp_path / "substitutes.txt").write_text("卫星|微信\n", encoding="utf-8")

    assert Lexicon.load(tmp_path).version != lexicon.version

    assert lexicon.substitutes == shipped_substitutes()
    assert [f.normalised for f in NormChecker(lexicon).check("请加薇信好友").findings] == [
        "加微信好友"
    ]


def test_the_table_counts_in_the_lexicon_version() -> None:
    shipped = Lexicon.load()
    without = Lexicon.build(shipped.terms, allowed=shipped.allowed, substitutes=())

    assert without.version != shipped.version
    assert without.with_changes().version == without.version
    assert findings(NormChecker(without), "加薇信详聊", SOLICITATION) == []
