"""Condemnation or promotion (issue #11 item 7): a sentence that condemns a banned subject
warns with a Chinese explanation, a promotion still blocks, and so does a condemning word
that is negated, far from the subject or inside a promotion.

The rules are the shipped ones (``lexicon/condemnation.txt``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import services.review.norms
from demo.articles import load_articles
from services.review.norms import (
    Category,
    CondemnationError,
    CondemnationRules,
    Finding,
    Lexicon,
    NormChecker,
    Severity,
    parse_condemnation_lines,
)

RULES_FILE = Path(services.review.norms.__file__).parent / "lexicon" / "condemnation.txt"
SUBJECT_RULES = ("lexicon.gambling_violence", "lexicon.sexual")


def rules() -> CondemnationRules:
    lines = RULES_FILE.read_text(encoding="utf-8").splitlines()
    return parse_condemnation_lines(lines, source=RULES_FILE.name)


@pytest.fixture(scope="module")
def checker() -> NormChecker:
    return NormChecker()


def test_the_shipped_lexicon_has_the_rules_and_their_terms() -> None:
    shipped = Lexicon.load()

    assert shipped.condemnation == rules()
    for text in ("传销", "诈骗", "非法集资", "套路贷", "杀猪盘"):
        term = shipped.find(text)
        assert term is not None
        assert (term.category, term.severity) == (Category.GAMBLING_VIOLENCE, Severity.BLOCK)


def subject_findings(checker: NormChecker, text: str) -> list[Finding]:
    found = [f for f in checker.check(text).findings if f.rule_id in SUBJECT_RULES]
    assert found, text
    for f in found:
        assert text[f.start : f.end] == f.matched
    return found


# --- condemnation: a warning with an explanation ------------------------------------------


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("我们反对赌博。", "反对"),
        ("珍爱生命，远离毒品。", "远离"),
        ("谨防传销诈骗，守好自己的钱袋子。", "谨防"),
        ("严禁购买、吸食毒品。", "严禁"),
        ("公司严禁员工参与任何形式的赌博。", "严禁"),
        ("我们坚决反对一切形式的网络赌博。", "坚决反对"),
        ("警惕网赌陷阱，保护钱包。", "警惕"),
        ("警方破获一起特大网络赌博案，抓获嫌疑人12名。", "破获"),
        ("千万不要赌博！", "不要"),
        ("认清非法集资的本来面目。", "认清"),
        ("提高警惕，远离非法集资。", "远离"),
        ("赌博的危害有哪些？", "危害"),
        ("网络赌博是违法行为，请勿参与。", "违法"),
        ("识破杀猪盘骗局，守住养老钱。", "识破"),
        ("公司开展反诈骗宣传活动。", "反"),
        ("坚决抵制“色情”内容。", "抵制"),
    ],
)
def test_a_condemning_sentence_warns(checker: NormChecker, text: str, cue: str) -> None:
    result = checker.check(text)

    found = subject_findings(checker, text)
    assert all(f.severity is Severity.WARN for f in found), found
    assert not result.blocking
    for f in found:
        assert "反对/警示语境" in f.explanation
        assert f"「{cue}」" in f.explanation
        assert f"「{f.normalised}」" in f.explanation


def test_condemnation_is_judged_through_evasions(checker: NormChecker) -> None:
    (finding,) = subject_findings(checker, "我们坚决反对賭★博。")

    assert finding.severity is Severity.WARN
    assert finding.matched == "賭★博"
    assert "traditional" in finding.evasion


# --- promotion: still a block ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "赌博网站推荐",
        "新开网赌平台，注册就送88元彩金！",
        "不要错过赌博优惠",  # a condemning-looking word inside a promotion
        "远离赌博，加入我们一起赚！",
        "远离无聊，加入我们一起赚，网络赌博天天返水。",
        "我们不反对赌博，适度娱乐有益身心。",  # the condemning word is negated
        "赌博并不违法。",
        "赌博是否违法？",
        "很多人反对，但我们今天要介绍的这家新开的网络赌博平台真的很好。",  # far, across a comma
        "我们反对浪费，今天给大家推荐一家新开的网络赌博平台。",
        "他们反对的是禁止，而我们今天重点介绍几款热门的网络赌博游戏。",  # too far
        "远离赌博，有需要的朋友加V信私聊。",  # a promotion spelled with a look-alike
        "远离烦恼，澳门赌场欢迎体验。",
        "传销也是一种创业，带你赚大钱。",
    ],
)
def test_a_promotion_still_blocks(checker: NormChecker, text: str) -> None:
    result = checker.check(text)

    assert result.blocking, text
    assert any(f.severity is Severity.BLOCK for f in subject_findings(checker, text)), text


def test_a_promotion_next_to_a_condemning_word_is_explained(checker: NormChecker) -> None:
    (finding,) = subject_findings(checker, "远离赌博，加入我们一起赚！")

    assert finding.severity is Severity.BLOCK
    assert "「远离」" in finding.explanation
    assert "推广用语「加入我们」" in finding.explanation
    assert "不得发布" in finding.explanation


def test_each_sentence_is_judged_on_its_own(checker: NormChecker) -> None:
    text = "我们反对赌博。欢迎来澳门赌场体验！"

    found = subject_findings(checker, text)

    assert [(f.matched, f.severity) for f in found] == [
        ("赌博", Severity.WARN),
        ("澳门赌场", Severity.BLOCK),
    ]
    assert checker.check(text).blocking


def test_a_refused_promotion_word_is_no_promotion(checker: NormChecker) -> None:
    assert not checker.check("严禁购买、吸食毒品。").blocking
    assert checker.check("低价购买毒品，严禁外传。").blocking


# --- the scope: subjects where it matters, blocking terms only ------------------------------


def test_other_subjects_still_block_when_condemned(checker: NormChecker) -> None:
    result = checker.check("我们坚决反对颠覆国家政权的行为。")

    assert result.blocking
    assert [f.severity for f in result.findings] == [Severity.BLOCK]
    assert "反对/警示语境" not in result.findings[0].explanation


def test_warnings_stay_warnings_with_their_usual_explanation(checker: NormChecker) -> None:
    (finding,) = checker.check("我们反对刷单。").findings

    assert finding.severity is Severity.WARN
    assert "反对/警示语境" not in finding.explanation


def test_the_demo_news_report_still_needs_an_override(checker: NormChecker) -> None:
    article = next(a for a in load_articles() if a.key == "08-industry-cross-border-gambling")
    text = "\n".join([article.title, article.digest, *article.body])

    assert [f.severity for f in subject_findings(checker, text)] == [Severity.BLOCK] * 2


def test_clean_demo_articles_stay_clean(checker: NormChecker) -> None:
    for article in load_articles():
        if article.norm_issue is None:
            text = "\n".join([article.title, article.digest, *article.body])
            assert checker.check(text).findings == (), article.key


# --- the rules file -------------------------------------------------------------------------


def test_the_rules_file_has_every_section() -> None:
    loaded = rules()

    assert {"赌", "毒品", "传销", "诈骗"} <= set(loaded.subjects)
    assert {"反对", "远离", "谨防", "严禁"} <= {c.word for c in loaded.before}
    assert {"危害", "违法"} <= {c.word for c in loaded.after}
    assert {"推荐", "优惠", "注册", "一起赚"} <= set(loaded.promotions)
    assert "不" in loaded.negators
    assert next(c for c in loaded.before if c.word == "不要").distance == 0


def test_rules_are_parsed_and_bad_lines_named() -> None:
    parsed = parse_condemnation_lines(
        ["# 注释", "[主题]", "賭", "[前置用语]", "反对", "不要|0", "[推广用语]", "推荐"],
        source="c.txt",
    )

    assert parsed.subjects == ("赌",)
    assert [(c.word, c.distance) for c in parsed.before] == [("反对", 10), ("不要", 0)]
    assert parsed.promotions == ("推荐",)
    with pytest.raises(CondemnationError, match=r"c\.txt:1"):
        parse_condemnation_lines(["反对"], source="c.txt")
    with pytest.raises(CondemnationError, match=r"c\.txt:1"):
        parse_condemnation_lines(["[别的]"], source="c.txt")
    with pytest.raises(CondemnationError, match=r"c\.txt:2"):
        parse_condemnation_lines(["[前置用语]", "反对|很近"], source="c.txt")


def test_rules_count_in_the_version_and_load_from_a_folder(tmp_path: Path) -> None:
    (tmp_path / "gambling_violence.txt").write_text("赌博\n", encoding="utf-8")
    (tmp_path / "condemnation.txt").write_text("# 不区分\n", encoding="utf-8")
    plain = Lexicon.load(tmp_path)
    (tmp_path / "condemnation.txt").write_text(RULES_FILE.read_text(encoding="utf-8"))

    lexicon = Lexicon.load(tmp_path)

    assert plain.condemnation == CondemnationRules()
    assert lexicon.condemnation == rules()
    assert lexicon.version != plain.version
    assert lexicon.with_changes().condemnation == lexicon.condemnation
    assert NormChecker(plain).check("我们反对赌博。").blocking
    assert not NormChecker(lexicon).check("我们反对赌博。").blocking
