"""Renderers: HTML (Jinja2, phone-friendly, inline SVG, escaped), XLSX, CSV and DOCX,
in Chinese by default and in English on request."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, date, datetime

import pytest
from docx import Document
from openpyxl import load_workbook

from services.reporting.reports import (
    ChartFont,
    DigestRow,
    Lang,
    PostFeedbackAgg,
    PostRow,
    Report,
    build_report,
    render_csv,
    render_docx,
    render_html,
    render_xlsx,
    require_cjk_font,
)
from shared.calendar import biweekly_period, weekly_period
from tests.unit.reporting.fortnight import fortnight_report

GENERATED = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
_PAGES: dict[tuple[str, str], str] = {}


def _html(report: Report, font: ChartFont, lang: Lang = "zh-CN") -> str:
    """The page of ``report``, drawn once per report and language (charts are slow)."""
    key = (report.model_dump_json(), lang)
    if key not in _PAGES:
        _PAGES[key] = render_html(report, font=font, lang=lang)
    return _PAGES[key]


@pytest.fixture(scope="module")
def font() -> ChartFont:
    return require_cjk_font()


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
    def test_is_a_phone_friendly_standalone_chinese_page(
        self, report: Report, font: ChartFont
    ) -> None:
        page = _html(report, font)
        assert page.startswith("<!DOCTYPE html>")
        assert '<html lang="zh-CN">' in page
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
        assert "overflow-x:auto" in page
        assert "@page{size:A4" in page
        assert "<link" not in page
        assert "<script" not in page.replace("&lt;script", "")
        assert "<title>运营周报 · 2026-W49</title>" in page

    def test_contains_the_figures_in_chinese(self, report: Report, font: ChartFont) -> None:
        page = _html(report, font)
        for figure in ("1,600", "2,000", "10.0%", "9.0%", "75.0%", "+100%", "+25%"):
            assert figure in page, figure
        for label in ("行业信息", "合计", "互动率", "12 小时内回复率", "下一步推送计划"):
            assert label in page, label
        assert "税务筹划" in page
        assert "replies_within_12h" not in page
        assert "engagement_rate" not in page

    def test_each_question_has_our_reply_beside_it(self, report: Report, font: ChartFont) -> None:
        page = _html(report, font)
        cells = re.findall(
            r'<td class="wide[^"]*"[^>]*>([^<]*)</td>', page.split('id="questions"')[1]
        )
        assert cells[cells.index("补贴怎么申报？") + 1] == "请联系客服"
        assert '<td class="wide reply missing" data-label="我们的回复">未回复</td>' in page

    def test_charts_are_inline_svg_with_text_drawn_in_the_font(
        self, report: Report, font: ChartFont
    ) -> None:
        page = _html(report, font)
        assert page.count("<svg") == 3
        assert "<?xml" not in page
        assert 'aria-label="各类别阅读量"' in page
        assert "<text" not in page  # glyphs are paths: no browser font needed

    def test_text_is_escaped(self, report: Report, font: ChartFont) -> None:
        page = _html(report, font)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    def test_empty_report_says_so(self, empty: Report, font: ChartFont) -> None:
        page = _html(empty, font)
        assert "本期没有发布推送" in page
        assert "<svg" in page

    def test_english_on_request(self, report: Report, font: ChartFont) -> None:
        page = _html(report, font, "en")
        assert '<html lang="en">' in page
        assert "Weekly report · 2026-W49" in page
        assert "The next pushes" in page
        assert "Industry news" in page
        assert "下一步推送计划" not in page


class TestXlsx:
    def test_chinese_sheets_headers_and_numbers(self, report: Report) -> None:
        wb = load_workbook(io.BytesIO(render_xlsx(report)))
        assert wb.sheetnames == [
            "摘要",
            "按类别",
            "与上期对比",
            "本期推送明细",
            "客户关注主题",
            "客户提问",
            "推送计划",
            "选题建议",
            "形式方面的建议",
        ]
        ws = wb["按类别"]
        header = [c.value for c in ws[2]]
        assert header[:4] == ["类别", "推送数", "失败", "阅读"]
        rows = {r[0]: r for r in ws.iter_rows(min_row=3, values_only=True) if r[0]}
        col = {name: i for i, name in enumerate(header)}
        assert rows["行业信息"][col["阅读"]] == 1600
        assert rows["行业信息"][col["互动率"]] == pytest.approx(0.1)
        assert rows["合计"][col["阅读"]] == 2000
        assert rows["合计"][col["12 小时内回复率"]] == pytest.approx(0.75)
        assert rows["财务管理"][col["互动率"]] is None
        assert ws["C2"].font.bold
        assert ws.column_dimensions["A"].width >= 12

    def test_every_table_sheet_has_an_autofilter_over_its_table(self, report: Report) -> None:
        wb = load_workbook(io.BytesIO(render_xlsx(report)))
        for ws in wb.worksheets[1:]:
            assert str(ws.auto_filter.ref).startswith("A2:"), ws.title
        assert wb["按类别"].auto_filter.ref == "A2:S8"

    def test_native_excel_charts_of_the_categories(self, report: Report) -> None:
        data = render_xlsx(report)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
            xml = archive.read(charts[0]).decode("utf-8")
        assert len(charts) == 2
        assert "<barChart>" in xml
        assert "'按类别'!$A$3:$A$7" in xml  # the five categories, not the total

    def test_customer_text_never_becomes_a_formula(self, report: Report) -> None:
        wb = load_workbook(io.BytesIO(render_xlsx(report)))
        titles = [r[2] for r in wb["本期推送明细"].iter_rows(min_row=3, values_only=True)]
        assert "<script>alert(1)</script>=SUM(A1)" in titles

    def test_plan_sheet_holds_the_six_pushes(self, report: Report) -> None:
        ws = load_workbook(io.BytesIO(render_xlsx(report)))["推送计划"]
        rows = [r for r in ws.iter_rows(min_row=3, values_only=True) if any(r)]
        assert len(rows) == 6
        assert rows[0][0] == "12-09 周三 11:30"
        assert rows[0][1] == "行业信息"
        assert "补贴怎么申报" in rows[0][2]

    def test_empty_report_opens(self, empty: Report) -> None:
        wb = load_workbook(io.BytesIO(render_xlsx(empty)))
        notes = [r[1] for r in wb["摘要"].iter_rows(values_only=True) if r[0] == "说明"]
        assert any("本期没有发布推送" in str(n) for n in notes)

    def test_english_sheets_on_request(self, report: Report) -> None:
        wb = load_workbook(io.BytesIO(render_xlsx(report, lang="en")))
        assert wb.sheetnames[:3] == ["Summary", "By category", "Changes"]


class TestCsv:
    def test_one_parsable_file_per_table(self, report: Report) -> None:
        files = render_csv(report)
        assert set(files) == {
            f"{n}.csv"
            for n in (
                "categories",
                "changes",
                "posts",
                "themes",
                "questions",
                "plan",
                "topics",
                "advice",
            )
        }
        categories = list(csv.DictReader(io.StringIO(files["categories.csv"])))
        assert [r["类别"] for r in categories] == [
            "行业信息",
            "企业管理",
            "人力资源管理",
            "财务管理",
            "公司融智综合服务体系",
            "合计",
        ]
        assert categories[0]["阅读"] == "1600"
        assert float(categories[0]["互动率"]) == pytest.approx(0.1)
        assert categories[3]["互动率"] == ""
        changes = list(csv.DictReader(io.StringIO(files["changes.csv"])))
        (reads,) = [r for r in changes if r["范围"] == "合计" and r["指标"] == "阅读"]
        assert (reads["本期"], reads["上期"], reads["变化"]) == ("2000", "1600", "400")
        assert float(reads["变化率"]) == pytest.approx(25.0)

    def test_formula_like_text_is_defused(self, posts: list[PostRow]) -> None:
        title = posts[0].model_copy(update={"title": "=HYPERLINK(1)"})
        current, previous = weekly_period(date(2026, 12, 7))
        report = build_report("weekly", current, previous, [title], [], [], GENERATED)
        rows = list(csv.DictReader(io.StringIO(render_csv(report)["posts.csv"])))
        assert rows[0]["标题"] == "'=HYPERLINK(1)"

    def test_questions_csv_with_the_reply(self, report: Report) -> None:
        rows = list(csv.DictReader(io.StringIO(render_csv(report)["questions.csv"])))
        assert len(rows) == 4
        assert rows[0]["提问时间（北京时间）"] == "2026-11-30 13:00"
        assert rows[0]["我们的回复"] == "请联系客服"
        assert rows[0]["12 小时内"] == "true"
        assert rows[0]["回复用时（小时）"] == "4.0"
        assert rows[1]["我们的回复"] == "未回复"

    def test_english_headers_on_request(self, report: Report) -> None:
        rows = list(csv.DictReader(io.StringIO(render_csv(report, lang="en")["categories.csv"])))
        assert rows[0]["Category"] == "Industry news"
        assert rows[0]["Reads"] == "1600"


class TestDocx:
    def test_a4_with_header_footer_page_numbers_and_charts(self, font: ChartFont) -> None:
        report = fortnight_report()
        doc = Document(io.BytesIO(render_docx(report, font=font)))
        section = doc.sections[0]
        assert round(section.page_width.cm, 1) == 21.0
        assert round(section.page_height.cm, 1) == 29.7
        assert section.header.paragraphs[0].text == "运营情况分析（双周） · 2026-11-23 – 2026-12-06"
        footer = section.footer.paragraphs[0]._p.xml
        assert "PAGE" in footer
        assert "NUMPAGES" in footer
        assert "第 " in section.footer.paragraphs[0].text
        assert len(doc.inline_shapes) == 3  # the three charts
        text = "\n".join(p.text for p in doc.paragraphs)
        assert "下一步推送计划" in text
        assert "集中答疑（开通与账号）" in text
        tables = ["".join(c.text for c in t.rows[0].cells) for t in doc.tables]
        assert any("我们的回复" in header for header in tables)
