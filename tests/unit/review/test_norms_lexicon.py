"""The lexicon as data: file format, shipped lists, run-time changes and versions."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.review.norms import (
    DEFAULT_SEVERITY,
    Category,
    Lexicon,
    LexiconError,
    NormChecker,
    Severity,
    Term,
)
from services.review.norms.lexicon import parse_lexicon_lines


@pytest.fixture(scope="module")
def shipped() -> Lexicon:
    return Lexicon.load()


def test_every_category_ships_a_modest_list(shipped: Lexicon) -> None:
    for category in Category:
        count = sum(1 for t in shipped.terms if t.category is category)
        assert 20 <= count <= 100, (category, count)


def test_shipped_terms_have_distinct_normalised_forms(shipped: Lexicon) -> None:
    keys = [t.key for t in shipped.terms]

    assert len(keys) == len(set(keys))
    assert all(len(k) >= 2 for k in keys)


def test_line_format_reads_severity_and_note() -> None:
    lines = [
        "# a comment",
        "",
        "网赌",
        "  赌马 | warn ",
        "赌资|block|钱的来源",
        "赌球||默认严重度",
    ]

    terms = parse_lexicon_lines(lines, Category.GAMBLING_VIOLENCE, source="test.txt")

    assert [(t.text, t.severity, t.note) for t in terms] == [
        ("网赌", Severity.BLOCK, ""),
        ("赌马", Severity.WARN, ""),
        ("赌资", Severity.BLOCK, "钱的来源"),
        ("赌球", DEFAULT_SEVERITY[Category.GAMBLING_VIOLENCE], "默认严重度"),
    ]


def test_unknown_severity_is_reported_with_file_and_line() -> None:
    with pytest.raises(LexiconError, match=r"spam\.txt:2"):
        parse_lexicon_lines(["刷单", "刷好评|maybe"], Category.SPAM, source="spam.txt")


@pytest.mark.parametrize("text", ["赌", "", " - ", "x"])
def test_term_shorter_than_two_characters_after_normalising_is_refused(text: str) -> None:
    with pytest.raises(LexiconError):
        Term(text, Category.SPAM, Severity.WARN)


def test_term_key_is_normalised() -> None:
    assert Term("網 賭", Category.GAMBLING_VIOLENCE, Severity.BLOCK).key == "网赌"
    assert Term("ＶＸ號", Category.SPAM, Severity.WARN).key == "vx号"


def test_lexicon_loads_from_a_directory(tmp_path: Path) -> None:
    (tmp_path / "spam.txt").write_text("刷单\n免费领取|block\n", encoding="utf-8")
    (tmp_path / "allow.txt").write_text("# none\n刷单据\n", encoding="utf-8")

    lexicon = Lexicon.load(tmp_path)

    assert sorted(t.key for t in lexicon.terms) == ["免费领取", "刷单"]
    assert lexicon.allowed == ("刷单据",)
    checker = NormChecker(lexicon)
    assert [f.matched for f in checker.check("刷单据，刷单").findings] == ["刷单"]


def test_version_depends_only_on_content(shipped: Lexicon) -> None:
    assert Lexicon.load().version == shipped.version
    assert Lexicon.build(reversed(shipped.terms), allowed=shipped.allowed).version == (
        shipped.version
    )


def test_adding_a_term_changes_version_and_results(shipped: Lexicon) -> None:
    term = Term("量子致富", Category.SPAM, Severity.WARN, "新型骗局")
    before = NormChecker(shipped)

    changed = shipped.with_changes(added=[term])
    after = NormChecker(changed)

    assert changed.version != shipped.version
    assert before.check("量子致富课程").findings == ()
    result = after.check("量子致富课程")
    assert [f.matched for f in result.findings] == ["量子致富"]
    assert result.lexicon_version == changed.version
    assert "新型骗局" in result.findings[0].explanation


def test_removing_a_term_changes_version_and_results(shipped: Lexicon) -> None:
    changed = shipped.with_changes(removed=["賭博"])  # removal compares normalised forms

    assert changed.version != shipped.version
    assert len(changed) == len(shipped) - 1
    assert NormChecker(changed).check("赌博").findings == ()
    assert NormChecker(changed).check("网赌").findings != ()


def test_removing_then_adding_back_restores_the_version(shipped: Lexicon) -> None:
    original = shipped.find("赌博")
    assert original is not None

    restored = shipped.with_changes(removed=["赌博"]).with_changes(added=[original])

    assert restored.version == shipped.version


def test_load_applies_added_then_removed(shipped: Lexicon) -> None:
    lexicon = Lexicon.load(
        added=[Term("量子致富", Category.SPAM, Severity.WARN)], removed=["赌博", "量子致富"]
    )

    assert lexicon.find("量子致富") is None
    assert lexicon.find("赌博") is None
    assert len(lexicon) == len(shipped) - 1


def test_added_term_replaces_the_shipped_severity(shipped: Lexicon) -> None:
    lexicon = shipped.with_changes(added=[Term("刷单", Category.SPAM, Severity.BLOCK)])

    result = NormChecker(lexicon).check("兼职刷单")

    assert [f.severity for f in result.findings] == [Severity.BLOCK]
    assert result.blocking


def test_confidential_terms_count_in_the_version(shipped: Lexicon) -> None:
    plain = NormChecker(shipped)
    configured = NormChecker(shipped, confidential_terms=["星河计划", "  "])

    assert plain.version == shipped.version
    assert configured.version != shipped.version
    assert configured.check("星河计划").lexicon_version == configured.version


def test_empty_lexicon_still_runs_the_personal_data_detectors() -> None:
    checker = NormChecker(Lexicon.build([]))

    assert checker.check("赌博").findings == ()
    assert [f.rule_id for f in checker.check("手机13912345678").findings] == [
        "privacy.mobile_number"
    ]
