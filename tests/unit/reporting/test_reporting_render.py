"""Renderers: HTML (phone-friendly, inline SVG, escaped), XLSX and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook

from services.reporting.reports import (
    DigestRow,
    PostFeedbackAgg,
    PostRow,
    Report,
    build_report,
    render_csv,
    render_html,
    render_xlsx,
)
from shared.calendar import biweekly_period, weekly_period

GENERATED = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)


@pytest.fixture
def report(posts: list[PostRow], aggs: list[PostFeedbackAgg], digests: list[DigestRow]) -> Report:
    hostile = posts[0].model_copy(update={"title": "<script>alert(1)</script>=SUM(A1)"})
    current, previous = weekly_period(date(2026, 12, 7))
    return build_report(
        "weekly", current, previous, [hostile, *posts[1:]], aggs, digests, GENERATED
    )


@pytest.fixture
def empty() -> Report:
    current, previous = biweekly_period(date(2026, 11, 9), 1)
    return build_report("biweekly", current, previous, [], [], [], GENERATED)


class TestHtml:
    def test_is_a_phone_friendly_standalone_page(self, report: Report) -> None:
        page = render_html(report)
        assert page.startswith("<!DOCTYPE html>")
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        assert "overflow-x:auto" in page
        assert "<link" not in page
        assert "<script" not in page.replace("&lt;script", "")

    def test_contains_the_figures(self, report: Report) -> None:
        page = render_html(report)
        for figure in ("1,600", "2,000", "10.0%", "9.0%", "75.0%", "+100.0%", "+25.0%"):
            assert figure in page, figure
        assert "税务筹划" in page
        assert "请联系客服" in page
        assert "行业信息" in page

    def test_charts_are_inline_svg(self, report: Report) -> None:
        page = render_html(report)
        assert page.count("<svg") == 3
        assert "<?xml" not in page
        assert "Reads by category" in page  # svg.fonttype none keeps text as text

    def test_text_is_escaped(self, report: Report) -> None:
        page = render_html(report)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_empty_report_says_so(self, empty: Report) -> None:
        page = render_html(empty)
        assert "No posts were published in this period" in page
        assert "<svg" in page


class TestXlsx:
    def test_opens_with_the_expected_sheets_and_numbers(self, report: Report) -> None:
        wb = load_workbook(io.BytesIO(render_xlsx(report)))
        assert wb.sheetnames == [
            "Summary",
            "Categories",
            "Changes",
            "Posts",
            "Themes",
            "Questions",
            "Recommendations",
        ]
        ws = wb["Categories"]
        header = [c.value for c in ws[2]]
        assert header[:5] == ["Category", "类别", "Posts", "Failed", "Reads"]
        rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
        col = {name: i for i, name in enumerate(header)}
        assert rows["industry"][col["Reads"]] == 1600
        assert rows["industry"][col["Engagement rate"]] == pytest.approx(0.1)
        assert rows["total"][col["Reads"]] == 2000
        assert rows["total"][col["Reply rate ≤12h"]] == pytest.approx(0.75)
        assert rows["finance"][col["Engagement rate"]] is None
        assert ws["C2"].font.bold
        assert ws.column_dimensions["B"].width >= 8

    def test_customer_text_never_becomes_a_formula(self, report: Report) -> None:
        wb = load_workbook(io.BytesIO(render_xlsx(report)))
        titles = [r[2] for r in wb["Posts"].iter_rows(min_row=3, values_only=True)]
        assert "<script>alert(1)</script>=SUM(A1)" in titles

    def test_recommendations_sheet_holds_mix_and_topics(self, report: Report) -> None:
        ws = load_workbook(io.BytesIO(render_xlsx(report)))["Recommendations"]
        values = [v for row in ws.iter_rows(values_only=True) for v in row if v is not None]
        assert "Topic ideas" in values
        assert "税务筹划" in values

    def test_empty_report_opens(self, empty: Report) -> None:
        wb = load_workbook(io.BytesIO(render_xlsx(empty)))
        notes = [r[1] for r in wb["Summary"].iter_rows(values_only=True) if r[0] == "Note"]
        assert any("No posts were published" in str(n) for n in notes)


class TestCsv:
    def test_one_parsable_file_per_table(self, report: Report) -> None:
        files = render_csv(report)
        assert set(files) == {
            "categories.csv",
            "changes.csv",
            "posts.csv",
            "themes.csv",
            "questions.csv",
            "recommended_mix.csv",
            "recommended_topics.csv",
        }
        categories = list(csv.DictReader(io.StringIO(files["categories.csv"])))
        assert [r["Category"] for r in categories] == [
            "industry",
            "management",
            "hr",
            "finance",
            "services",
            "total",
        ]
        assert categories[0]["Reads"] == "1600"
        assert float(categories[0]["Engagement rate"]) == pytest.approx(0.1)
        assert categories[3]["Engagement rate"] == ""
        changes = list(csv.DictReader(io.StringIO(files["changes.csv"])))
        (reads,) = [r for r in changes if r["Scope"] == "total" and r["Metric"] == "reads"]
        assert (reads["Current"], reads["Previous"], reads["Change"]) == ("2000", "1600", "400")
        assert float(reads["Change %"]) == pytest.approx(25.0)

    def test_formula_like_text_is_defused(self, posts: list[PostRow]) -> None:
        title = posts[0].model_copy(update={"title": "=HYPERLINK(1)"})
        current, previous = weekly_period(date(2026, 12, 7))
        report = build_report("weekly", current, previous, [title], [], [], GENERATED)
        rows = list(csv.DictReader(io.StringIO(render_csv(report)["posts.csv"])))
        assert rows[0]["Title"] == "'=HYPERLINK(1)"

    def test_questions_csv(self, report: Report) -> None:
        rows = list(csv.DictReader(io.StringIO(render_csv(report)["questions.csv"])))
        assert len(rows) == 4
        assert rows[0]["Asked (Asia/Shanghai)"] == "2026-11-30 13:00"
        assert rows[0]["Within 12 h"] == "true"
        assert rows[0]["Reply hours"] == "4.0"
