"""The console in a real headless Chromium against the real drafting and review services
(#13): an admin adds the editor and the reviewer; the editor writes a draft and submits
it; the reviewer sees the finding highlighted and rejects with a comment; the editor
fixes it and resubmits; the reviewer approves. Every page is screenshot under
var/screenshots/ and checked with axe-core; no page logs an error or fails a request.
XSS payloads in the title, body and comment are shown as text."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from tests.browser.console_stack import CHROMIUM, Stack, Watcher, check_page, console_stack
from tests.integration.gateway.gateway_support import ADMIN

pytestmark = [pytest.mark.integration, pytest.mark.slow]

XSS_TITLE = '<img src=x onerror="window.__xss=1">个税要点'
XSS_COMMENT = "<script>window.__xss=2</script>第二段请删去“赌场”一词。"
BODY = "今年的个税汇算将于三月开始。\n\n文中提到的赌场案例与本主题无关。"
FIXED_BODY = "今年的个税汇算将于三月开始。\n\n请按时办理。"
PEOPLE = [
    ("erin", "Erin 编辑", "editor", "Editor-secret-0001"),
    ("rita", "Rita 审核", "reviewer", "Review-secret-0001"),
]


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make infra-tools` (deploy/local/infra.sh chromium)"
        )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture(scope="module")
async def stack(mongo_url: str) -> AsyncIterator[Stack]:
    async with console_stack(mongo_url) as running:
        yield running


async def person(browser: Browser, stack: Stack, watcher: Watcher) -> tuple[BrowserContext, Page]:
    # bypass_csp lets the test inject axe-core; the pages' own CSP is checked in the
    # security tests.
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, bypass_csp=True, locale="zh-CN"
    )
    page = await context.new_page()
    watcher.watch(page)
    return context, page


async def sign_in(page: Page, base: str, username: str, password: str) -> None:
    await page.goto(f"{base}/signin")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(password)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(f"{base}/today")


async def until(page: Page, url: str, text: str, *, timeout: float = 20.0) -> None:
    """Reload ``url`` until it shows ``text`` (events travel through the broker)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        await page.goto(url)
        if text in await page.content():
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{url} never showed {text!r}")
        await asyncio.sleep(0.3)


async def test_a_draft_goes_from_editor_to_reviewer_and_back_until_approved(
    browser: Browser, stack: Stack
) -> None:
    base = stack.base
    watcher = Watcher(base)

    # The admin adds the editor and the reviewer.
    admin_ctx, admin = await person(browser, stack, watcher)
    await sign_in(admin, base, *ADMIN)
    await check_page(admin, "01-today-admin")
    await admin.goto(f"{base}/admin/users")
    for username, name, role, password in PEOPLE:
        form = admin.locator("form[action='/admin/users']")
        await form.get_by_label("用户名").fill(username)
        await form.get_by_label("姓名").fill(name)
        await form.locator(f"input[name=roles][value={role}]").check()
        await form.get_by_label("密码").fill(password)
        await form.get_by_role("button", name="添加").click()
        await admin.wait_for_url(f"{base}/admin/users?done=added:{username}")
    await check_page(admin, "02-admin-users")
    await admin_ctx.close()

    # The editor writes a draft with a finding and an XSS payload, and submits it.
    erin_ctx, erin = await person(browser, stack, watcher)
    await erin.goto(f"{base}/signin")
    await check_page(erin, "00-signin")
    await sign_in(erin, base, "erin", "Editor-secret-0001")
    await check_page(erin, "03-today-editor")
    await erin.goto(f"{base}/drafts/new")
    await erin.get_by_label("标题").fill(XSS_TITLE)
    await erin.get_by_label("分类").select_option("finance")
    await erin.get_by_label("正文").fill(BODY)
    await erin.get_by_label("信息来源").fill(
        "authority | 国家税务总局 | https://www.chinatax.gov.cn/"
    )
    assert await erin.locator("#preview-title").inner_text() == XSS_TITLE  # live, as text
    await check_page(erin, "04-draft-editor")
    await erin.get_by_role("button", name="保存并提交审核").click()
    await erin.wait_for_url("**/drafts/*?done=submitted")
    draft_url = erin.url.split("?")[0]
    await check_page(erin, "05-draft-submitted")
    await erin.goto(f"{base}/drafts")
    assert XSS_TITLE in await erin.locator("table").inner_text()
    await check_page(erin, "06-drafts-list")

    # The reviewer sees the finding highlighted and rejects with a comment.
    rita_ctx, rita = await person(browser, stack, watcher)
    await sign_in(rita, base, "rita", "Review-secret-0001")
    await until(rita, f"{base}/reviews", "个税要点")
    await check_page(rita, "07-review-queue")
    await rita.get_by_role("link", name=XSS_TITLE).click()
    mark = rita.locator("mark.finding", has_text="赌场")
    await mark.first.wait_for()
    assert "block" in (await mark.first.get_attribute("class") or "")
    await rita.keyboard.press("j")  # keyboard: the first finding gets focus
    assert await rita.evaluate("document.activeElement.tagName") == "MARK"
    await check_page(rita, "08-review-finding")
    await rita.keyboard.press("r")
    await rita.keyboard.type(XSS_COMMENT)
    await rita.get_by_role("button", name="附此意见退回").click()
    await rita.wait_for_url("**?done=reject")

    # The editor reads the comment (as text), fixes the draft and resubmits.
    await until(erin, draft_url, "退回")
    assert XSS_COMMENT in await erin.locator("main").inner_text()
    await check_page(erin, "09-draft-rejected")
    await erin.get_by_label("正文").fill(FIXED_BODY)
    await erin.get_by_role("button", name="保存并提交审核").click()
    await erin.wait_for_url("**/drafts/*?done=submitted")

    # The reviewer approves the new revision.
    await until(rita, f"{base}/reviews", "个税要点")
    await rita.get_by_role("link", name=XSS_TITLE).click()
    await rita.get_by_role("button", name="通过").click()
    await rita.wait_for_url("**?done=approve")
    await check_page(rita, "10-review-approved")
    await until(erin, draft_url, "已排期")  # approved for its slot: scheduled
    assert "2026-11-23 11:30 (UTC+08:00 北京时间)" in await erin.locator("main").inner_text()
    await check_page(erin, "11-draft-scheduled")

    for page in (erin, rita):
        assert await page.evaluate("window.__xss === undefined")
    await erin.goto(f"{base}/lang/en?next=/today")
    assert "Today" in await erin.locator("h1").inner_text()
    await check_page(erin, "12-today-english")
    await erin.goto(f"{base}/account")
    await check_page(erin, "13-account-english")
    await erin_ctx.close()
    await rita_ctx.close()
    assert not watcher.problems, watcher.problems
