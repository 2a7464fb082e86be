"""The calendar page of two official accounts (#12) in a real headless Chromium against
the real publisher and gateway (one namespace on the real broker and store): an approved
draft of 融智财税 waits in Monday 11:30, one of 融智人才 in Tuesday 08:00 (its own
calendar). A director switches the header's account: each account's calendar shows its
own slot and post only and says its slots (from ACCOUNTS); 全部账号 shows both, each slot
named by its account. Screenshots under var/screenshots/accounts-calendar-*.png (zh-CN),
checked with axe-core; no page logs an error or fails a request."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, async_playwright

from services.gateway import usecases
from services.gateway.bootstrap import build_service as build_gateway
from services.publisher.bootstrap import build_service as build_publisher
from services.publisher.settings import PublisherSettings
from shared.clock import FixedClock
from shared.events import Category, ContentSnapshot
from shared.settings import Principal, Role
from tests.browser.console_stack import CHROMIUM, Watcher, check_page
from tests.integration.feedback.feedback_support import publish
from tests.integration.gateway.gateway_support import gateway_settings, new_keypair
from tests.integration.publisher.publisher_support import FakeChannel
from tests.support.accounts import TWO_ACCOUNTS
from tests.support.events import draft_approved
from tests.support.servers import serve_asgi
from tests.support.services import delete_namespace, make_settings, new_namespace

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_0900 = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
TAX_SLOT = datetime(2026, 11, 23, 11, 30, tzinfo=SHANGHAI)
TALENT_SLOT = datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI)
TAX_TITLE = "个税汇算要点"
TALENT_TITLE = "春季招聘会安排"
PASSWORD = "Console-secret-01"
CLOSED = "http://127.0.0.1:9"


@dataclass
class CalendarStack:
    base: str
    publisher: Any


@contextlib.asynccontextmanager
async def calendar_stack(mongo_url: str) -> AsyncIterator[CalendarStack]:
    namespace = new_namespace()
    private, public = new_keypair()
    shared: dict[str, Any] = {"person_token_keys": [public], "accounts_json": TWO_ACCOUNTS}
    clock = FixedClock(MONDAY_0900)
    try:
        async with contextlib.AsyncExitStack() as stack:
            publisher = build_publisher(
                make_settings(
                    PublisherSettings, namespace, mongo_url, prepare_ahead_seconds=0.5, **shared
                ),
                clock=clock,
                channel=FakeChannel(clock),
            )
            url = await stack.enter_async_context(
                serve_asgi(
                    publisher.app(),
                    lifespan="on",
                    name="publisher",
                    start_within=30,
                    stop_within=30,
                )
            )
            urls = dict.fromkeys(("drafting", "review", "feedback", "reporting"), CLOSED)
            urls["publisher"] = url
            gateway = build_gateway(
                gateway_settings(
                    namespace, mongo_url, private, service_urls=urls, accounts_json=TWO_ACCOUNTS
                ),
                clock=clock,
            )
            base = await stack.enter_async_context(
                serve_asgi(
                    gateway.app(), lifespan="on", name="gateway", start_within=30, stop_within=30
                )
            )
            admin = Principal(subject="root", roles=frozenset({Role.ADMIN}), person=True)
            command = usecases.PersonCreate("liu", "刘总监", ["director", "reviewer"], PASSWORD)
            await usecases.create_person(command, deps=gateway.deps, actor=admin)
            run = uuid.uuid4().hex[:6]
            tax = draft_approved(
                _content(TAX_TITLE, Category.FINANCE), draft_id=f"d-t-{run}", slot=TAX_SLOT
            )
            talent = draft_approved(
                _content(TALENT_TITLE, Category.HR), draft_id=f"d-h-{run}", slot=TALENT_SLOT
            ).model_copy(update={"account": "talent"})
            await publish(namespace, tax, talent)
            yield CalendarStack(base, publisher)
    finally:
        await delete_namespace(namespace)


def _content(title: str, category: Category) -> ContentSnapshot:
    return ContentSnapshot(
        title=title,
        category=category,
        digest="三分钟看懂。",
        body_html="<p>正文。</p>",
        author="erin",
    )


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


async def until_listed(stack: CalendarStack, count: int, timeout: float = 60.0) -> None:
    """Wait until the publisher has scheduled ``count`` posts (events cross the broker)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while await stack.publisher.runtime.db["posts"].count_documents({}) < count:
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the publisher never scheduled the approved drafts")
        await asyncio.sleep(0.2)


async def switch_to(page: Page, label: str) -> None:
    here = page.url
    await page.get_by_label("公众号").select_option(label=label)
    await page.get_by_role("button", name="切换").click()
    await page.wait_for_url(here)


async def test_each_account_has_its_own_calendar(browser: Browser, mongo_url: str) -> None:
    async with calendar_stack(mongo_url) as stack:
        await until_listed(stack, 2)
        watcher = Watcher(stack.base)
        context = await browser.new_context(
            viewport={"width": 1280, "height": 900}, bypass_csp=True, locale="zh-CN"
        )
        page = await context.new_page()
        watcher.watch(page)
        await page.goto(f"{stack.base}/signin")
        await page.get_by_label("用户名").fill("liu")
        await page.get_by_label("密码").fill(PASSWORD)
        await page.get_by_role("button", name="登录").click()
        await page.wait_for_url(f"{stack.base}/today")

        await page.goto(f"{stack.base}/calendar?view=week&day=2026-11-23")
        main = page.locator("main")
        assert "本公众号的推送时段：周一、周三、周五 11:30" in await main.inner_text()
        monday = page.locator("td[data-day='2026-11-23']")
        tuesday = page.locator("td[data-day='2026-11-24']")
        assert TAX_TITLE in await monday.inner_text()
        assert await tuesday.locator(".slot").count() == 0
        assert TALENT_TITLE not in await main.inner_text()
        await check_page(page, "accounts-calendar-01-default")

        await switch_to(page, "融智人才")
        assert "本公众号的推送时段：周二、周四 08:00" in await main.inner_text()
        assert TALENT_TITLE in await tuesday.inner_text()
        assert "08:00" in await tuesday.locator(".slot-time").inner_text()
        assert await monday.locator(".slot").count() == 0
        assert TAX_TITLE not in await main.inner_text()
        await check_page(page, "accounts-calendar-02-talent")

        await switch_to(page, "全部账号")
        assert TAX_TITLE in await monday.inner_text()
        assert TALENT_TITLE in await tuesday.inner_text()
        assert "融智人才" in await tuesday.locator(".slot-account").inner_text()
        assert "融智财税" in await monday.locator(".slot-account").inner_text()
        await check_page(page, "accounts-calendar-03-all")
        await context.close()
        assert not watcher.problems, watcher.problems
