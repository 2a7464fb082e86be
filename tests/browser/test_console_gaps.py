"""Issue #13's last console pieces in a real headless Chromium: the real drafting service
and gateway on the real store, the feedback and reporting services stood in for over HTTP
(tests/integration/gateway/standins.py), business time Monday 12:00 China time.

* The editor's Today shows the feedback window closing in two hours and the reports not
  opened; the editor picks two pictures from the account's materials with the keyboard,
  each showing its origin, marks one the cover, saves, edits the title, and reads the
  revision history with the diff between the two revisions.
* The director's Today lists the core-issues documents and reports not opened; opening one
  from there drops it from the list; the report page words its notes and the topic ideas
  it gave the editors in Chinese, and in English after switching.

Every page is screenshot under var/screenshots/gaps-*.png and checked with axe-core; no
page logs an error or fails a request; a customer's words in a topic idea stay text."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright

from services.drafting import usecases as drafting_usecases
from services.drafting.bootstrap import build_service as build_drafting
from services.drafting.domain.content import OriginRecord
from services.drafting.schemas import MaterialCreate
from services.drafting.settings import DraftingSettings
from services.gateway import usecases
from services.gateway.bootstrap import build_service as build_gateway
from shared.settings import Principal, Role
from tests.browser.console_stack import CHROMIUM, Watcher, check_page
from tests.integration.gateway.gateway_support import gateway_settings, new_keypair
from tests.integration.gateway.standins import (
    CLOSING_LATER,
    CLOSING_SOON,
    DOCUMENTS,
    NOW,
    StandIn,
    standin_app,
)
from tests.support.servers import serve_asgi
from tests.support.services import delete_namespace, make_settings, new_namespace

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FIXED = {"clock_mode": "fixed", "clock_sim_epoch": NOW}
PEOPLE = {
    "erin": ("Erin 编辑", ["editor"], "Editor-secret-0001"),
    "liu": ("刘总监", ["director"], "Direct-secret-0001"),
}
ROOT = Principal(subject="root", roles=frozenset({Role.ADMIN}))
ERIN = Principal(subject="erin", roles=frozenset({Role.EDITOR}))


@dataclass
class GapsStack:
    base: str
    gateway: Any
    drafting: Any
    materials: dict[str, str]


@contextlib.asynccontextmanager
async def gaps_stack(mongo_url: str) -> AsyncIterator[GapsStack]:
    namespace = new_namespace()
    private, public = new_keypair()
    drafting = build_drafting(
        make_settings(DraftingSettings, namespace, mongo_url, person_token_keys=[public], **FIXED)
    )
    try:
        async with contextlib.AsyncExitStack() as stack:
            standin = await stack.enter_async_context(
                serve_asgi(
                    standin_app(StandIn()),
                    lifespan="off",
                    name="standin",
                    start_within=30,
                    stop_within=30,
                )
            )
            drafting_url = await stack.enter_async_context(
                serve_asgi(
                    drafting.app(), lifespan="on", name="drafting", start_within=30, stop_within=30
                )
            )
            urls = dict.fromkeys(("review", "publisher", "feedback", "reporting"), standin)
            gateway = build_gateway(
                gateway_settings(
                    namespace,
                    mongo_url,
                    private,
                    service_urls={**urls, "drafting": drafting_url},
                    **FIXED,
                )
            )
            base = await stack.enter_async_context(
                serve_asgi(
                    gateway.app(), lifespan="on", name="gateway", start_within=30, stop_within=30
                )
            )
            for username, (name, roles, password) in PEOPLE.items():
                command = usecases.PersonCreate(username, name, roles, password)
                await usecases.create_person(command, deps=gateway.deps, actor=ROOT)
            materials: dict[str, str] = {}
            for title, origin in (
                (
                    "办公室配图",
                    OriginRecord(
                        library="视觉中国",
                        url="https://www.vcg.com/creative/1",
                        credit="张三",
                        licence="编辑用途授权",
                    ),
                ),
                (
                    "税务大厅",
                    OriginRecord(
                        library="站酷海洛",
                        url="https://www.hellorf.com/image/2",
                        credit="李四",
                        licence="商业用途授权（可用于公众号）",
                    ),
                ),
                ("来源不明的图", None),
            ):
                body = MaterialCreate(
                    title=title, url=f"https://img.example.cn/{len(materials)}.jpg", origin=origin
                )
                created = await drafting_usecases.create_material(
                    body, deps=drafting.deps, actor=ERIN
                )
                materials[title] = created.id
            yield GapsStack(base, gateway, drafting, materials)
    finally:
        await delete_namespace(namespace)


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
async def stack(mongo_url: str) -> AsyncIterator[GapsStack]:
    async with gaps_stack(mongo_url) as running:
        yield running


async def signed_in(browser: Browser, stack: GapsStack, watcher: Watcher, who: str) -> Page:
    # bypass_csp lets the test inject axe-core; the CSP itself is the security tests' part.
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, bypass_csp=True, locale="zh-CN"
    )
    page = await context.new_page()
    watcher.watch(page)
    await page.goto(f"{stack.base}/signin")
    await page.locator("input[name=username]").fill(who)
    await page.locator("input[name=password]").fill(PEOPLE[who][2])
    await page.locator("form button[type=submit]").click()
    await page.wait_for_url(f"{stack.base}/today")
    return page


async def test_the_editor_picks_pictures_and_reads_the_revision_diff(
    browser: Browser, stack: GapsStack
) -> None:
    watcher = Watcher(stack.base)
    erin = await signed_in(browser, stack, watcher, "erin")
    closing = await erin.locator("section[aria-labelledby=closing-title]").inner_text()
    assert CLOSING_SOON[1] in closing
    assert "还剩 2 小时 0 分钟" in closing
    assert CLOSING_LATER[1] not in closing
    assert await erin.locator("section[aria-labelledby=reports-title] .count").inner_text() == "2"
    assert await erin.locator("section[aria-labelledby=documents-title]").count() == 0
    await check_page(erin, "gaps-01-today-editor")

    await erin.goto(f"{stack.base}/drafts/new")
    await erin.get_by_label("标题").fill("个税汇算要点")
    await erin.get_by_label("正文").fill("今年的个税汇算将于三月开始。\n\n请按时办理。")
    pictures = erin.locator("fieldset.pictures")
    assert "图库：视觉中国 · 署名：张三 · 许可：编辑用途授权" in (
        (await pictures.inner_text()).replace(": ", "：")
    )
    assert "未登记来源" in await pictures.inner_text()
    # with the keyboard: focus a picture's box, Space ticks it; the cover radio likewise
    first = pictures.get_by_role("checkbox", name="办公室配图")
    await first.focus()
    await erin.keyboard.press("Space")
    assert await first.is_checked()
    second = pictures.get_by_role("checkbox", name="税务大厅")
    await second.focus()
    await erin.keyboard.press("Space")
    cover = pictures.locator("li", has_text="税务大厅").get_by_role("radio", name="封面")
    await cover.focus()
    await erin.keyboard.press("Space")
    assert await cover.is_checked()
    await check_page(erin, "gaps-02-editor-pictures")
    await erin.get_by_role("button", name="保存", exact=True).click()
    await erin.wait_for_url("**done=saved")
    draft_id = erin.url.split("/drafts/")[1].split("?")[0]
    stored = await stack.drafting.deps.drafts.get(draft_id)
    # (in the order the page listed them: the newest materials first)
    assert {p.material_id: p.is_cover for p in stored.content.pictures} == {
        stack.materials["办公室配图"]: False,
        stack.materials["税务大厅"]: True,
    }

    # a second revision: another title, the first picture dropped
    await erin.get_by_label("标题").fill("个税汇算要点（修订）")
    await erin.locator("fieldset.pictures").get_by_role("checkbox", name="办公室配图").uncheck()
    await erin.get_by_role("button", name="保存", exact=True).click()
    await erin.wait_for_url("**done=saved")
    history = erin.locator("section[aria-labelledby=revisions-title]")
    assert "初稿" in await history.inner_text()
    await history.get_by_role("link", name="与版本 1 对比").click()
    await erin.wait_for_url("**/history?old=1&new=2")
    diff = erin.locator("section[aria-labelledby=diff-title]")
    text = await diff.inner_text()
    assert "从版本 1 到版本 2 的改动" in text
    assert "个税汇算要点（修订）" in await diff.locator("li.added").first.inner_text()
    removed = [await li.inner_text() for li in await diff.locator("li.removed").all()]
    assert any("办公室配图" in line for line in removed)
    await check_page(erin, "gaps-03-draft-history")
    # choose two revisions with the form
    await erin.get_by_label("起始版本").select_option("2")
    await erin.get_by_label("对比版本").select_option("2")
    await erin.get_by_role("button", name="对比", exact=True).click()
    await erin.wait_for_url("**old=2&new=2")
    assert "请选择两个不同的版本" in await erin.locator("main").inner_text()
    assert not watcher.problems, watcher.problems


async def test_the_director_opens_what_is_unread_and_reads_the_report_in_words(
    browser: Browser, stack: GapsStack
) -> None:
    watcher = Watcher(stack.base)
    liu = await signed_in(browser, stack, watcher, "liu")
    documents = liu.locator("section[aria-labelledby=documents-title]")
    assert await documents.locator(".count").inner_text() == "2"
    reports = liu.locator("section[aria-labelledby=reports-title]")
    assert await reports.locator(".count").inner_text() == "2"
    await check_page(liu, "gaps-04-today-director")

    await documents.get_by_role("link", name=DOCUMENTS[0][1]).click()
    await liu.wait_for_url(f"**/documents/{DOCUMENTS[0][0]}")
    await liu.goto(f"{stack.base}/today")
    documents = liu.locator("section[aria-labelledby=documents-title]")
    assert await documents.locator(".count").inner_text() == "1"
    assert DOCUMENTS[0][1] not in await documents.inner_text()

    await (
        liu.locator("section[aria-labelledby=reports-title]")
        .get_by_role("link", name="运营情况分析（双周）")
        .click()
    )
    await liu.wait_for_url("**/reports/biweekly_*")
    notes = await liu.locator("section[aria-labelledby=notes-h]").inner_text()
    assert "本期发布 6 篇推送，阅读 12,345 次" in notes
    ideas = liu.locator("section[aria-labelledby=topics-h]")
    text = await ideas.inner_text()
    assert "集中答疑（个税申报）：“<script>window.__xss=3</script>专项附加扣除怎么填”" in text
    assert "客户提出的问题中仍有 1 个未得到回复" in text
    assert "问题解决指南：社保基数" in text
    await check_page(liu, "gaps-05-report-ideas")
    await liu.goto(f"{stack.base}/today")
    assert await liu.locator("section[aria-labelledby=reports-title] .count").inner_text() == "1"

    await liu.goto(f"{stack.base}/lang/en?next=/reports/biweekly_2026-11-09")
    english = await liu.locator("section[aria-labelledby=topics-h]").inner_text()
    assert "Topic ideas given to the editors" in english
    assert "Questions answered: 个税申报" in english
    await check_page(liu, "gaps-06-report-ideas-english")
    await liu.goto(f"{stack.base}/today")
    assert "Feedback windows closing soon" in await liu.locator("main").inner_text()
    await check_page(liu, "gaps-07-today-english")
    assert await liu.evaluate("window.__xss === undefined")
    assert not watcher.problems, watcher.problems
