"""A biweekly report's HTML in a real browser (#17): Chinese only, readable at A4 and at
phone width.

Debian's chromium (``make infra-tools``), driven by Playwright, opens the zh-CN page of
a realistic fortnight (tests/unit/reporting/fortnight.py) at A4 width (794 px, 96 dpi)
and at phone width (390 px), saves full-page screenshots under var/screenshots/, and
checks what a reader sees: no raw key and no English word in the text, category names
never broken over lines, every question with our reply beside it, the page not wider
than the phone (wide tables scroll inside their box), six planned pushes, and the
followers section (#14) with its branches and advice.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from services.reporting.reports import ChartFont, render_html, require_cjk_font
from tests.unit.reporting.fortnight import fortnight_report

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[3] / "var" / "screenshots"
RAW_KEYS = (
    "replies_within_12h",
    "reply_rate_12h",
    "engagement_rate",
    "enquiries_breached",
    "industry",
    "management",
    "finance",
    "services",
    "published",
    "most_read",
    "rotation",
    "complaint",
    "praise",
    "None",
    "True",
    "False",
    "n/a",
)
ALLOWED_LATIN = {"Asia", "Shanghai"}  # the zone's IANA name, shown beside 北京时间
ALLOWED_LATIN |= {"pudong", "xuhui"}  # the branches' codes (their QR scenes), beside their names
WIDTHS = {"a4": 794, "phone": 390}


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make infra-tools` (deploy/local/infra.sh chromium) "
            "or `apt-get install chromium fonts-wqy-zenhei`"
        )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture(scope="module")
def font() -> ChartFont:
    return require_cjk_font()


async def _open(browser: Browser, html: str, width: int, name: str) -> Page:
    page = await browser.new_page(viewport={"width": width, "height": 1000})
    await page.route("**/*", lambda route: route.abort())  # nothing may be fetched
    await page.set_content(html, wait_until="load")
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"report-biweekly-{name}.png"), full_page=True)
    return page


@pytest.mark.parametrize("size", list(WIDTHS))
async def test_zh_page_shows_no_raw_key_or_english(
    browser: Browser, font: ChartFont, size: str
) -> None:
    page = await _open(browser, render_html(fortnight_report(), font=font), WIDTHS[size], size)
    try:
        text = await page.inner_text("body")
        title = await page.title()
        for key in RAW_KEYS:
            assert key not in text, key
        latin = set(re.findall(r"[A-Za-z][A-Za-z_]+", text + " " + title)) - ALLOWED_LATIN
        assert not latin, f"English left in the zh-CN page: {sorted(latin)}"
        assert "下一步推送计划" in text
        assert "客户提问与回复" in text
        assert await page.locator("li.slot").count() == 6
        # the followers section (#14): the branches against their targets, and advice
        assert "粉丝增长" in text
        assert await page.locator("table.followers_branches tbody tr").count() == 2
        assert await page.locator("ul.followers-advice li").count() == 3
        assert "徐汇分公司（负责人：李主任）" in text
    finally:
        await page.close()


@pytest.mark.parametrize("size", list(WIDTHS))
async def test_tables_read_at_a4_and_phone_width(
    browser: Browser, font: ChartFont, size: str
) -> None:
    page = await _open(browser, render_html(fortnight_report(), font=font), WIDTHS[size], size)
    try:
        # category names sit on one line (the 类别 column is never one character a line)
        squeezed = await page.eval_on_selector_all(
            "td.cat, th.cat",
            """cells => cells.filter(c => {
                   const line = parseFloat(getComputedStyle(c).lineHeight);
                   const text = document.createRange();
                   text.selectNodeContents(c);
                   return c.textContent.trim() && text.getBoundingClientRect().height > line * 1.5;
               }).map(c => c.textContent.trim())""",
        )
        assert squeezed == []
        # the page is no wider than the screen: wide tables scroll inside their box
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        # every question has our reply (or 未回复) in the cell beside it
        rows = await page.eval_on_selector_all(
            "table.qa tbody tr",
            "rows => rows.map(r => [r.cells[1].innerText.trim(), r.cells[2].innerText.trim()])",
        )
        assert len(rows) == len(fortnight_report().questions) > 0
        for question, reply in rows:
            assert question, reply
            assert reply, question
        assert ["开通要带哪些材料？", "未回复"] in rows
        assert ["数电发票报销还要打印纸质版吗？", "不需要，电子存档即可"] in rows
        # the charts are drawn (text as paths in the CJK font), three of them
        assert await page.locator("svg.chart").count() == 3
    finally:
        await page.close()


async def test_english_is_available(browser: Browser, font: ChartFont) -> None:
    html = render_html(fortnight_report(), font=font, lang="en")
    page = await _open(browser, html, WIDTHS["a4"], "a4-en")
    try:
        text = await page.inner_text("body")
        assert "The next pushes" in text
        assert "Customers' questions and our replies" in text
        assert "下一步推送计划" not in text
    finally:
        await page.close()
