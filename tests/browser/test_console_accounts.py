"""Two official accounts in the console (#12), in a real headless Chromium against the real
drafting, review and gateway services (one namespace on the real broker and store):

* the director (who also edits) writes a draft in 融智财税, switches the header's account
  to 融智人才 and writes another: each account's draft list shows only its own draft, and
  全部账号 shows both with an account column;
* the choice survives navigation (it is kept in the server-side session);
* an editor limited to 融智人才 sees its name without a switcher, and only its draft.

Every page is screenshot under var/screenshots/accounts-*.png (zh-CN) and checked with
axe-core; no page logs an error or fails a request."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, async_playwright

from services.gateway import usecases
from shared.settings import Principal, Role
from tests.browser.console_stack import CHROMIUM, Stack, Watcher, check_page, console_stack
from tests.integration.gateway.gateway_support import ADMIN
from tests.support.accounts import TWO_ACCOUNTS

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Principal(subject="root", roles=frozenset({Role.ADMIN}))
PASSWORD = "Console-secret-01"
PEOPLE = {
    "liu": ("刘总监", ["director", "editor"], []),
    "tina": ("Tina 人才编辑", ["editor"], ["talent"]),
}
TAX_DRAFT = "个税汇算三问"
TALENT_DRAFT = "春季招聘会安排"


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make infra-tools`")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM))
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture(scope="module")
async def stack(mongo_url: str) -> AsyncIterator[Stack]:
    async with console_stack(mongo_url, accounts_json=TWO_ACCOUNTS) as running:
        for username, (name, roles, accounts) in PEOPLE.items():
            command = usecases.PersonCreate(username, name, roles, PASSWORD, accounts)
            await usecases.create_person(command, deps=running.gateway.deps, actor=ROOT)
        yield running


async def signed_in(browser: Browser, stack: Stack, watcher: Watcher, username: str) -> Page:
    # bypass_csp lets the test inject axe-core; the CSP itself is the security tests' part.
    context = await browser.new_context(
        viewport={"width": 1280, "height": 800}, bypass_csp=True, locale="zh-CN"
    )
    page = await context.new_page()
    watcher.watch(page)
    await page.goto(f"{stack.base}/signin")
    await page.get_by_label("用户名").fill(username)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url(f"{stack.base}/today")
    return page


async def switch_to(page: Page, label: str) -> None:
    """Choose ``label`` in the header's switcher and send it (back to the same page)."""
    here = page.url
    await page.get_by_label("公众号").select_option(label=label)
    await page.get_by_role("button", name="切换").click()
    await page.wait_for_url(here)
    assert await page.locator("#account-choice option:checked").inner_text() == label


async def write_draft(page: Page, base: str, title: str) -> None:
    await page.goto(f"{base}/drafts/new")
    await page.get_by_label("标题").fill(title)
    await page.get_by_label("正文").fill("正文第一段。\n\n正文第二段。")
    await page.get_by_role("button", name="保存", exact=True).click()
    await page.wait_for_url("**/drafts/*?done=saved")


async def listed_titles(page: Page, base: str) -> str:
    await page.goto(f"{base}/drafts")
    return await page.locator("main table").inner_text()


async def test_each_account_shows_only_its_own_drafts(browser: Browser, stack: Stack) -> None:
    base = stack.base
    watcher = Watcher(base)

    liu = await signed_in(browser, stack, watcher, "liu")
    assert await liu.locator("#account-choice option:checked").inner_text() == "融智财税"
    options = await liu.locator("#account-choice option").all_inner_texts()
    assert options == ["融智财税", "融智人才", "全部账号"]
    await write_draft(liu, base, TAX_DRAFT)
    assert "融智财税" in await liu.locator(".wx-meta").inner_text()

    await liu.goto(f"{base}/drafts")
    await switch_to(liu, "融智人才")
    await write_draft(liu, base, TALENT_DRAFT)
    assert "融智人才" in await liu.locator(".wx-meta").inner_text()

    talent = await listed_titles(liu, base)  # the choice survived navigation
    assert TALENT_DRAFT in talent
    assert TAX_DRAFT not in talent
    await check_page(liu, "accounts-02-drafts-talent")

    await switch_to(liu, "融智财税")
    tax = await liu.locator("main table").inner_text()
    assert TAX_DRAFT in tax
    assert TALENT_DRAFT not in tax
    await check_page(liu, "accounts-01-drafts-default")

    await switch_to(liu, "全部账号")
    together = await liu.locator("main table").inner_text()
    assert TAX_DRAFT in together
    assert TALENT_DRAFT in together
    assert "公众号" in await liu.locator("main table thead").inner_text()
    assert "请先在上方选择一个公众号" in await liu.locator("main").inner_text()
    await check_page(liu, "accounts-03-drafts-all")

    # The stores agree: each draft belongs to the account it was written in.
    docs = await stack.drafting.runtime.db["drafts"].find({}).to_list(None)
    assert {d["content"]["title"]: d["account"] for d in docs} == {
        TAX_DRAFT: "default",
        TALENT_DRAFT: "talent",
    }

    tina = await signed_in(browser, stack, watcher, "tina")
    header = await tina.locator("header").inner_text()
    assert "融智人才" in header
    assert await tina.locator("#account-choice").count() == 0  # one account: no switcher
    mine = await listed_titles(tina, base)
    assert TALENT_DRAFT in mine
    assert TAX_DRAFT not in mine
    await check_page(tina, "accounts-04-drafts-talent-editor")

    # The admin gives people accounts of this deployment (axe checks the new fieldsets).
    admin_context = await browser.new_context(
        viewport={"width": 1280, "height": 800}, bypass_csp=True, locale="zh-CN"
    )
    admin = await admin_context.new_page()
    watcher.watch(admin)
    await admin.goto(f"{base}/signin")
    await admin.get_by_label("用户名").fill(ADMIN[0])
    await admin.get_by_label("密码").fill(ADMIN[1])
    await admin.get_by_role("button", name="登录").click()
    await admin.wait_for_url(f"{base}/today")
    await admin.goto(f"{base}/admin/users")
    row = admin.locator("tr", has_text="tina")
    assert "融智人才" in await row.locator("td").nth(3).inner_text()
    await check_page(admin, "accounts-05-admin-people")
    await admin_context.close()

    assert not watcher.problems, watcher.problems
