"""A core-issues document in a real browser (#17): Chinese only, readable at A4 and phone width.

Debian's chromium, driven by Playwright, opens the zh-CN HTML document built from the
feedback of the demo post 《数电发票全面推广后，企业开票和报销要注意什么》 (the labelled
comments of tests/data/insight, with replies to some questions), saves full-page
screenshots under var/screenshots/, and checks what a reader sees: no raw key, no English
label (the only Latin letters are the customers' own words), questions grouped by intent
with the reply beside each, praise, complaints and advice on the form apart, and the page
no wider than the phone (wide tables scroll inside their box).
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from services.feedback.analysis import FeedbackItem
from services.feedback.digest import CoreIssuesDigest, PostInfo, build_digest, render_html
from services.feedback.digest.i18n import catalogue_ids

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "var" / "screenshots"
LABELLED = ROOT / "tests" / "data" / "insight" / "comments.jsonl"
POST_KEY = "06-finance-e-invoice"
WIDTHS = {"a4": 794, "phone": 390}
START = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)  # Monday 12:00 China time
REPLIES = {
    "数电发票怎么开通？要去办税大厅吗？": "您好，不需要去大厅，登录电子税务局按提示开通即可。",
    "开错的数电发票怎么红冲？": "您好，先填开红字确认单，对方确认后开具红字发票。",
}


def _digest() -> tuple[CoreIssuesDigest, set[str]]:
    rows = [json.loads(line) for line in LABELLED.read_text("utf-8").splitlines() if line]
    texts = [r["text"] for r in rows if r["post"] == POST_KEY]
    items: list[FeedbackItem] = []
    for n, text in enumerate(texts):
        at = START + timedelta(minutes=20 * n + 5)
        items.append(FeedbackItem(f"c{n}", "comment", text, f"读者{n:02d}", at, "p06"))
        if text in REPLIES:
            items.append(
                FeedbackItem(
                    f"r{n}",
                    "reply",
                    REPLIES[text],
                    "运营小王",
                    at + timedelta(hours=2),
                    "p06",
                    in_reply_to=f"c{n}",
                )
            )
    post = PostInfo(
        post_id="p06",
        title="数电发票全面推广后，企业开票和报销要注意什么",
        category="finance",
        published_at=START,
    )
    end = START + timedelta(hours=24)
    digest = build_digest(post, items, [], [], START, end, end + timedelta(minutes=5))
    customers_latin = {w for t in texts for w in re.findall(r"[A-Za-z]+", t)}
    return digest, customers_latin


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make infra-tools` or `apt-get install chromium`")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            await launched.close()


async def _open(browser: Browser, html: str, width: int, name: str) -> Page:
    page = await browser.new_page(viewport={"width": width, "height": 1000})
    await page.route("**/*", lambda route: route.abort())  # nothing may be fetched
    await page.set_content(html, wait_until="load")
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"feedback-core-issues-{name}.png"), full_page=True)
    return page


@pytest.mark.parametrize("size", list(WIDTHS))
async def test_zh_document_shows_no_raw_key_or_english_label(browser: Browser, size: str) -> None:
    digest, customers_latin = _digest()
    page = await _open(browser, render_html(digest), WIDTHS[size], size)
    try:
        text = await page.inner_text("body")
        title = await page.title()
        assert title == "《推送反馈核心问题汇总》"
        assert re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text) == []
        for raw in ("None", "True", "False", "ask", "praise", "complaint", "finance"):
            assert not re.search(rf"\b{raw}\b", text), raw
        latin = set(re.findall(r"[A-Za-z]+", text)) - customers_latin
        assert not latin, f"English left in the zh-CN page: {sorted(latin)}"
        labels = {w for m in catalogue_ids("zh-CN") for w in re.findall(r"[A-Za-z]{3,}", m)}
        assert labels & set(re.findall(r"[A-Za-z]{3,}", text)) == set()
        for heading in (
            "三、客户提问（按意图）及回复",
            "四、客户表扬",
            "五、投诉与负面反馈",
            "六、推送形式改进建议",
        ):
            assert heading in text
        assert "代开" not in text  # the spaced-out advert is set aside
        assert "到现在也没联系我们" in text  # the customer who mentions 联系 is kept
    finally:
        await page.close()


@pytest.mark.parametrize("size", list(WIDTHS))
async def test_questions_sit_beside_their_replies_and_the_page_fits(
    browser: Browser, size: str
) -> None:
    digest, _latin = _digest()
    page = await _open(browser, render_html(digest), WIDTHS[size], size)
    try:
        rows = await page.eval_on_selector_all(
            "table",
            """tables => tables
                 .filter(t => t.querySelector('th') && t.querySelector('th').textContent === '意图')
                 .flatMap(t => [...t.querySelectorAll('tbody tr')]
                 .map(r => [...r.cells].map(c => c.textContent)))""",
        )
        by_question = {r[1]: r for r in rows}
        for question, reply in REPLIES.items():
            assert by_question[question][4] == reply
        assert {r[0] for r in rows} >= {"开通与账号", "发票与报销"}
        assert all(r[4] == "—" for r in rows if r[1] not in REPLIES)
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
    finally:
        await page.close()
