"""Lexicon matching: every category, every evasion kind, the gap rules and the offsets."""

from __future__ import annotations

import pytest

from services.review.norms import (
    MAX_GAP,
    Category,
    Finding,
    Lexicon,
    NormChecker,
    Severity,
    Term,
)


@pytest.fixture(scope="module")
def checker() -> NormChecker:
    return NormChecker(confidential_terms=["星河计划"])


def lexicon_findings(checker: NormChecker, text: str) -> list[Finding]:
    findings = [f for f in checker.check(text).findings if f.rule_id.startswith("lexicon.")]
    for f in findings:
        assert text[f.start : f.end] == f.matched
    return findings


def only(checker: NormChecker, text: str) -> Finding:
    findings = lexicon_findings(checker, text)
    assert len(findings) == 1, findings
    return findings[0]


# --- one case per category -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "term", "category", "severity"),
    [
        ("有人企图颠覆国家政权，必须警惕。", "颠覆国家政权", Category.POLITICAL, Severity.BLOCK),
        ("宣扬法轮功的材料", "法轮功", Category.POLITICAL, Severity.BLOCK),
        ("本站提供裸聊服务", "裸聊", Category.SEXUAL, Severity.BLOCK),
        ("这个链接是色情网站", "色情", Category.SEXUAL, Severity.BLOCK),
        ("新开的网赌平台注册就送", "网赌", Category.GAMBLING_VIOLENCE, Severity.BLOCK),
        ("香港六合彩开奖结果", "六合彩", Category.GAMBLING_VIOLENCE, Severity.BLOCK),
        ("他们策划了恐怖袭击。", "恐怖袭击", Category.GAMBLING_VIOLENCE, Severity.BLOCK),
        ("教你自制炸弹", "自制炸弹", Category.GAMBLING_VIOLENCE, Severity.BLOCK),
        ("据内部人士透露，下月降价", "据内部人士透露", Category.RUMOUR, Severity.WARN),
        ("这条视频在朋友圈疯传", "朋友圈疯传", Category.RUMOUR, Severity.WARN),
        ("招聘宝妈兼职，在家刷单", "刷单", Category.SPAM, Severity.WARN),
        ("可以代开增值税发票", "代开增值税发票", Category.SPAM, Severity.WARN),
        ("网友人肉搜索了这位车主", "人肉搜索", Category.PRIVACY, Severity.WARN),
        ("群里有人曝光个人信息", "曝光个人信息", Category.PRIVACY, Severity.WARN),
        ("附件是未公开财报，请勿外传", "未公开财报", Category.CONFIDENTIAL, Severity.BLOCK),
        ("听到一个内幕消息", "内幕消息", Category.CONFIDENTIAL, Severity.BLOCK),
    ],
)
def test_each_category_finds_its_terms(
    checker: NormChecker, text: str, term: str, category: Category, severity: Severity
) -> None:
    found = [f for f in lexicon_findings(checker, text) if f.normalised == term]

    assert len(found) == 1
    assert found[0].category is category
    assert found[0].severity is severity
    assert found[0].matched == term
    assert found[0].rule_id == f"lexicon.{category}"
    assert found[0].evasion == "none"
    assert found[0].confidence == pytest.approx(0.95)
    assert term in found[0].explanation


def test_configured_confidential_terms_block(checker: NormChecker) -> None:
    finding = only(checker, "下周将发布星河计划的细节")

    assert finding.category is Category.CONFIDENTIAL
    assert finding.severity is Severity.BLOCK
    assert checker.check("下周将发布星河计划的细节").blocking


def test_rumour_term_with_exclamation_mark_matches_half_and_full_width(
    checker: NormChecker,
) -> None:
    assert only(checker, "震惊！这家公司").evasion == "none"
    assert only(checker, "震惊!这家公司").evasion == "none"
    assert lexicon_findings(checker, "这一消息令人震惊。") == []


def test_every_shipped_term_is_found_in_its_own_text(checker: NormChecker) -> None:
    for term in checker.lexicon.terms:
        findings = checker.check(term.text).findings
        assert findings, term
        assert any(f.start == 0 and f.end == len(term.text) for f in findings), (term, findings)


# --- evasion kinds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "matched", "evasion"),
    [
        ("ａｖ女优合集", "ａｖ女优", "fullwidth"),
        ("AV女优合集", "AV女优", "case"),
        ("ＡＶ女优合集", "ＡＶ女优", "fullwidth+case"),
        ("線上賭博平台", "賭博", "traditional"),
        ("六合彩", "六合彩", "none"),
        ("網賭", "網賭", "traditional"),
        ("赌 博", "赌 博", "separator"),
        ("赌\u3000博", "赌\u3000博", "separator"),
        ("赌-博", "赌-博", "separator"),
        ("赌.博", "赌.博", "separator"),
        ("赌*博", "赌*博", "separator"),
        ("赌/博", "赌/博", "separator"),
        ("赌😊博", "赌😊博", "separator"),
        ("赌❤️博", "赌❤️博", "separator"),
        ("赌★☆博", "赌★☆博", "separator"),
        ("赌\u200b博", "赌\u200b博", "zero_width"),
        ("赌\u200d博", "赌\u200d博", "zero_width"),
        ("赌\ufeff博", "赌\ufeff博", "zero_width"),
        ("赌\u2060博", "赌\u2060博", "zero_width"),
        ("賭\u200b博", "賭\u200b博", "traditional+zero_width"),
        ("Ａ Ｖ女优", "Ａ Ｖ女优", "fullwidth+case+separator"),
        ("賭 . 博", "賭 . 博", "traditional+separator"),
        ("加 我 微 信", "加 我 微 信", "separator"),
    ],
)
def test_evasion_kind_is_recorded(
    checker: NormChecker, text: str, matched: str, evasion: str
) -> None:
    finding = only(checker, f"看这里{text}。")

    assert finding.matched == matched
    assert finding.evasion == evasion


def test_evasion_lowers_confidence(checker: NormChecker) -> None:
    plain = only(checker, "赌博")
    traditional = only(checker, "賭博")
    zero_width = only(checker, "赌\u200b博")
    separated = only(checker, "赌 博")

    assert plain.confidence > traditional.confidence > zero_width.confidence
    assert zero_width.confidence > separated.confidence


def test_explanation_names_the_evasion(checker: NormChecker) -> None:
    finding = only(checker, "賭 博")

    assert "繁体字" in finding.explanation
    assert "分隔符" in finding.explanation


# --- gap rules -------------------------------------------------------------------------


def test_gap_of_max_separators_still_matches(checker: NormChecker) -> None:
    text = "赌" + " " * MAX_GAP + "博"

    assert only(checker, text).matched == text


def test_gap_longer_than_the_limit_does_not_match(checker: NormChecker) -> None:
    assert lexicon_findings(checker, "赌" + " " * (MAX_GAP + 1) + "博") == []
    assert lexicon_findings(checker, "赌-*-*博") == []


def test_zero_width_characters_do_not_count_towards_the_gap(checker: NormChecker) -> None:
    text = "赌" + "\u200b" * 10 + "博"

    assert only(checker, text).evasion == "zero_width"


@pytest.mark.parametrize("end", ["。", "！", "？", "!", "?", "；", "\n", "\r\n", "…"])
def test_match_never_crosses_a_sentence_end(checker: NormChecker, end: str) -> None:
    assert lexicon_findings(checker, f"我们不赌{end}博物馆今天开放") == []


def test_letters_and_chinese_characters_are_never_dropped(checker: NormChecker) -> None:
    assert lexicon_findings(checker, "赌x博") == []
    assert lexicon_findings(checker, "赌一博") == []
    assert lexicon_findings(checker, "赌1博") == []


def test_two_character_terms_do_not_match_across_commas(checker: NormChecker) -> None:
    assert lexicon_findings(checker, "这是一种特色，情况很好") == []
    assert lexicon_findings(checker, "他说“赌”、“博”两个字") == []


def test_longer_terms_match_across_commas_with_low_confidence(checker: NormChecker) -> None:
    finding = only(checker, "六，合，彩")

    assert finding.normalised == "六合彩"
    assert finding.evasion == "separator"
    assert finding.confidence < 0.7


def test_shadowed_match_is_still_found_after_a_rejected_one(checker: NormChecker) -> None:
    # "网赌" across the comma is rejected; "赌博" behind it must still be found
    finding = only(checker, "互联网，赌博")

    assert finding.normalised == "赌博"
    assert finding.start == 4


def test_allowed_phrases_suppress_terms_inside_them(checker: NormChecker) -> None:
    assert lexicon_findings(checker, "我们的特色情景教学很受欢迎") == []
    assert lexicon_findings(checker, "这篇文章带有浓厚的感情色彩") == []
    assert lexicon_findings(checker, "不能抹杀人才的贡献") == []
    assert only(checker, "特别的色情内容").normalised == "色情"


# --- Latin terms -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def latin_checker() -> NormChecker:
    lexicon = Lexicon.build(
        [
            Term("casino", Category.GAMBLING_VIOLENCE, Severity.BLOCK),
            Term("qq群", Category.SPAM, Severity.WARN),
        ]
    )
    return NormChecker(lexicon)


def test_latin_term_matches_any_case_and_width(latin_checker: NormChecker) -> None:
    assert only(latin_checker, "去casino玩").evasion == "none"
    assert only(latin_checker, "去Casino玩").evasion == "case"
    assert only(latin_checker, "去ｃａｓｉｎｏ玩").evasion == "fullwidth"


def test_latin_term_needs_word_boundaries(latin_checker: NormChecker) -> None:
    assert lexicon_findings(latin_checker, "visit casinos today") == []
    assert lexicon_findings(latin_checker, "mycasino") == []
    assert only(latin_checker, "go to the casino.").matched == "casino"


def test_latin_only_term_never_matches_across_a_gap(latin_checker: NormChecker) -> None:
    assert lexicon_findings(latin_checker, "ca sino") == []
    assert lexicon_findings(latin_checker, "cas-ino") == []


def test_mixed_term_checks_the_boundary_of_its_latin_end(latin_checker: NormChecker) -> None:
    assert only(latin_checker, "加入QQ群").matched == "QQ群"
    assert lexicon_findings(latin_checker, "加入xqq群") == []


# --- offsets and overlaps ----------------------------------------------------------------


def test_offsets_refer_to_the_original_text(checker: NormChecker) -> None:
    text = "前言：ＡＢＣ公司\u200b。網 賭 平台！\u200b加\u200b我\u200b微信。ﬁ①色 情㈱内幕消息"

    findings = checker.check(text).findings

    assert [f.normalised for f in findings] == ["网赌", "加我微信", "色情", "内幕消息"]
    for f in findings:
        assert text[f.start : f.end] == f.matched


def test_overlapping_terms_are_reported_once(checker: NormChecker) -> None:
    findings = checker.check("网赌博彩").findings

    assert [f.matched for f in findings] == ["网赌", "博彩"]


def test_block_finding_wins_over_an_overlapping_warning(checker: NormChecker) -> None:
    findings = checker.check("惊天内幕消息").findings

    assert [(f.matched, f.severity) for f in findings] == [("内幕消息", Severity.BLOCK)]
