"""Results: JSON, blocking, overlap resolution, and text taken from HTML bodies."""

from __future__ import annotations

import json

import pytest

from services.review.norms import (
    Category,
    CheckResult,
    Finding,
    Lexicon,
    NormChecker,
    Severity,
    Term,
    html_to_text,
    resolve_overlaps,
)


@pytest.fixture(scope="module")
def checker() -> NormChecker:
    return NormChecker()


def finding(
    start: int, end: int, severity: Severity = Severity.WARN, confidence: float = 0.9
) -> Finding:
    return Finding(
        category=Category.SPAM,
        rule_id="lexicon.spam",
        severity=severity,
        matched="x" * (end - start),
        start=start,
        end=end,
        normalised="x",
        evasion="none",
        confidence=confidence,
        explanation="",
    )


def test_result_is_json_serialisable(checker: NormChecker) -> None:
    result = checker.check("網 賭平台，加V详聊，手机13912345678")

    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))

    assert data["lexicon_version"] == checker.version
    assert data["blocking"] is True
    assert [f["rule_id"] for f in data["findings"]] == [
        "lexicon.gambling_violence",
        "spam.contact_solicitation",
        "privacy.mobile_number",
    ]
    first = data["findings"][0]
    assert first == {
        "category": "gambling_violence",
        "rule_id": "lexicon.gambling_violence",
        "severity": "block",
        "matched": "網 賭",
        "start": 0,
        "end": 3,
        "normalised": "网赌",
        "evasion": "traditional+separator",
        "confidence": 0.8,
        "explanation": first["explanation"],
    }
    assert "网赌" in first["explanation"]
    assert "\n" not in first["explanation"]


def test_result_without_block_findings_is_not_blocking(checker: NormChecker) -> None:
    result = checker.check("兼职刷单")

    assert result.findings
    assert not result.blocking
    assert CheckResult(findings=(), lexicon_version="v", text_length=0).blocking is False


def test_findings_are_immutable(checker: NormChecker) -> None:
    found = checker.check("赌博").findings[0]

    with pytest.raises(AttributeError):
        found.start = 3  # type: ignore[misc]


def test_resolve_overlaps_keeps_the_more_severe_then_the_longer() -> None:
    spans = [
        finding(0, 4),
        finding(2, 5, Severity.BLOCK),
        finding(5, 8),
        finding(6, 7, confidence=0.99),
        finding(10, 12),
        finding(10, 12),
    ]

    kept = resolve_overlaps(spans)

    assert [(f.start, f.end) for f in kept] == [(2, 5), (5, 8), (10, 12)]


def test_lexicon_match_inside_a_phone_number_is_dropped() -> None:
    lexicon = Lexicon.build([Term("0013", Category.SPAM, Severity.WARN)])

    result = NormChecker(lexicon).check("电话13800138000")

    assert [f.rule_id for f in result.findings] == ["privacy.mobile_number"]


def test_html_to_text_strips_tags_and_unescapes_entities() -> None:
    html = (
        "<section><h1>标题&amp;副标题</h1><p>第一段<strong>加粗</strong>&nbsp;文字</p>"
        "<p>第二段&lt;注&gt;<br/>换行</p><script>var a = '赌博';</script>"
        "<style>p { color: red }</style><ul><li>一</li><li>二</li></ul></section>"
    )

    assert html_to_text(html) == "标题&副标题\n第一段加粗\xa0文字\n第二段<注>\n换行\n一\n二"


def test_paragraphs_from_html_do_not_run_together(checker: NormChecker) -> None:
    assert checker.check(html_to_text("<p>我们不赌</p><p>博物馆今天开放</p>")).findings == ()
    assert checker.check(html_to_text("<div>赌</div>博")).findings == ()


def test_offsets_of_body_findings_refer_to_the_extracted_text(checker: NormChecker) -> None:
    text = html_to_text("<p>正文<em>介绍</em>了&quot;網賭&quot;的危害</p>")

    found = checker.check(text).findings

    assert [(f.matched, text[f.start : f.end]) for f in found] == [("網賭", "網賭")]
