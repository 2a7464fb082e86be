"""What the reviewer sees: findings marked safely, time left in words, settings read."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from pydantic import ValidationError

from services.review.checking import CheckerProvider
from services.review.domain.deadline import LatePolicy
from services.review.domain.findings import Part, ReviewFinding
from services.review.domain.lexicon import LexiconChange
from services.review.norms import Lexicon
from services.review.presentation import highlight, time_left_text
from services.review.settings import ReviewSettings
from tests.support.services import TOKENS


def finding(start: int, end: int, matched: str, severity: str = "block") -> ReviewFinding:
    return ReviewFinding(
        part=Part.BODY,
        category="gambling_violence",
        rule_id="lexicon.gambling_violence",
        severity=severity,
        matched=matched,
        start=start,
        end=end,
        explanation='命中词条「网赌」<"x">',
    )


class TestHighlight:
    def test_findings_are_marked_and_everything_else_is_escaped(self) -> None:
        text = "<b>警惕</b>网赌&骗局"
        start = text.index("网赌")

        html = highlight(text, [finding(start, start + 2, "网赌")])

        assert html.startswith("&lt;b&gt;警惕&lt;/b&gt;<mark ")
        assert 'class="finding block"' in html
        assert 'title="命中词条「网赌」&lt;&quot;x&quot;&gt;"' in html
        assert html.endswith(">网赌</mark>&amp;骗局")

    def test_overlapping_or_out_of_range_findings_never_break_the_markup(self) -> None:
        html = highlight(
            "网赌博彩", [finding(0, 3, "网赌博"), finding(1, 3, "赌博"), finding(2, 9, "x")]
        )

        assert html.count("<mark") == 1
        assert html.count("</mark>") == 1

    def test_no_findings_is_just_escaped_text(self) -> None:
        assert highlight("a<b", []) == "a&lt;b"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (5 * 3600 + 5 * 60 + 30, "5 h 05 min left"),
        (240, "4 min left"),
        (0, "0 min left"),
        (-70 * 60, "overdue by 1 h 10 min"),
        (2 * 86400 + 3600, "2 d 1 h left"),
    ],
)
def test_time_left_reads_as_words(seconds: float, text: str) -> None:
    assert time_left_text(seconds) == text


class TestSettings:
    def test_confidential_terms_come_comma_separated_or_as_json(self) -> None:
        plain = ReviewSettings(api_tokens=TOKENS, confidential_terms="蓝鲸计划, 客户甲 ,")
        as_json = ReviewSettings(api_tokens=TOKENS, confidential_terms='["蓝鲸计划","客户甲"]')

        assert plain.confidential_terms == ("蓝鲸计划", "客户甲")
        assert as_json.confidential_terms == ("蓝鲸计划", "客户甲")

    def test_defaults_are_the_plan(self) -> None:
        settings = ReviewSettings(api_tokens=TOKENS)

        calendar = settings.calendar
        assert calendar.zone == "Asia/Shanghai"
        assert calendar.weekdays == (0, 2, 4)
        assert calendar.slot_times == (time(11, 30),)
        assert (calendar.deadline, calendar.cutoff) == (time(10, 0), time(11, 0))
        assert settings.late_policy is LatePolicy.NEXT_SLOT

    def test_a_cutoff_after_the_slot_stops_start_up_naming_the_problem(self) -> None:
        with pytest.raises(ValidationError, match="deadline < cutoff < first slot"):
            ReviewSettings(api_tokens=TOKENS, cutoff="12:00")

    def test_an_unknown_late_policy_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="late_policy"):
            ReviewSettings(api_tokens=TOKENS, late_policy="sometimes")


class FakeLexiconRepository:
    """The two reads the provider makes, and a count of full reloads."""

    def __init__(self) -> None:
        self.rev = 0
        self.stored: list[LexiconChange] = []
        self.loads = 0

    async def revision(self) -> int:
        return self.rev

    async def changes(self) -> list[LexiconChange]:
        self.loads += 1
        return list(self.stored)

    def change(self, doc: dict[str, Any]) -> None:
        self.stored = [c for c in self.stored if c["_id"] != doc["_id"]] + [LexiconChange(doc)]
        self.rev += 1


class TestCheckerProvider:
    async def test_a_change_by_another_replica_is_picked_up_before_the_next_check(self) -> None:
        repo = FakeLexiconRepository()
        provider = CheckerProvider(repo, shipped=Lexicon.load())
        before = await provider.checker()
        assert not before.check("蓝鲸计划").findings

        repo.change(
            {"_id": "蓝鲸计划", "action": "add", "text": "蓝鲸计划", "category": "confidential",
             "severity": "block", "note": ""}
        )  # fmt: skip
        after = await provider.checker()

        assert after.version != before.version
        assert [f.matched for f in after.check("蓝鲸计划").findings] == ["蓝鲸计划"]

    async def test_an_unchanged_revision_does_not_reload(self) -> None:
        repo = FakeLexiconRepository()
        provider = CheckerProvider(repo, shipped=Lexicon.load())

        for _ in range(3):
            await provider.checker()

        assert repo.loads == 1

    async def test_a_removed_shipped_term_no_longer_matches(self) -> None:
        repo = FakeLexiconRepository()
        provider = CheckerProvider(repo, shipped=Lexicon.load())
        assert (await provider.checker()).check("网赌").findings

        repo.change({"_id": "网赌", "action": "remove", "text": "网赌"})

        assert not (await provider.checker()).check("网赌").findings
        assert (await provider.current()).removed == {"网赌"}

    async def test_configured_confidential_terms_block_and_count_in_the_version(self) -> None:
        repo = FakeLexiconRepository()
        plain = CheckerProvider(repo, shipped=Lexicon.load())
        configured = CheckerProvider(
            repo,
            shipped=Lexicon.load(),
            confidential_terms=["客户甲集团"],
        )

        checker = await configured.checker()

        assert checker.check("客户甲集团合作").blocking
        assert checker.version != (await plain.checker()).version
