"""The calendar, posts, feedback, documents and reports pages (#13) in a real headless
Chromium against the real publisher, feedback, reporting and gateway services (one
namespace on the real broker and store, one business clock the test moves):

* the reviewer sees both approved posts in their Monday 11:30 slot, in the week and the
  month view, pauses one and resumes it;
* at 11:30 one post goes out and the other's outcome is lost: the posts page shows both,
  and the reviewer settles the unknown one;
* the editor watches the open 24-hour window fill as feedback.received events arrive,
  without reloading, and answers the enquiry in the log, whose reply is delivered;
* the director opens the core-issues document once the window closes (unread, then
  read) and the biweekly report, and downloads its .docx and XLSX.

Every page is screenshot under var/screenshots/h5-*.png and checked with axe-core; no
page logs an error or fails a request; XSS payloads in titles and texts stay text."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page, async_playwright

from services.feedback.bootstrap import build_service as build_feedback
from services.gateway import usecases
from services.gateway.bootstrap import build_service as build_gateway
from services.publisher.bootstrap import build_service as build_publisher
from services.publisher.domain.publishing import post_id_for
from services.publisher.settings import PublisherSettings
from services.reporting.bootstrap import build_service as build_reporting
from services.reporting.settings import ReportingSettings
from shared.clock import FixedClock
from shared.events import Category, ContentSnapshot, FeedbackKind
from shared.settings import Principal, Role
from tests.browser.console_stack import CHROMIUM, Watcher, check_page
from tests.fakes.wechat_server import running_fake_wechat
from tests.integration.feedback.feedback_support import (
    feedback_event,
    feedback_settings,
    publish,
)
from tests.integration.gateway.gateway_support import gateway_settings, new_keypair
from tests.integration.publisher.publisher_support import FakeChannel
from tests.support.events import draft_approved
from tests.support.servers import serve_asgi
from tests.support.services import delete_namespace, make_settings, new_namespace

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_0900 = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
SLOT = datetime(2026, 11, 23, 11, 30, tzinfo=SHANGHAI)
MONDAY_LABEL = "2026-11-23 11:30 (UTC+08:00 北京时间)"
WEDNESDAY_LABEL = "2026-11-25 11:30 (UTC+08:00 北京时间)"
FORTNIGHT_FIRES = datetime(2026, 12, 7, 14, 31, tzinfo=SHANGHAI)  # 2026-11-23..12-06
XSS_TITLE = '<img src=x onerror="window.__xss=1">个税汇算要点'
QUESTION = "请问专项附加扣除怎么填？"
XSS_ENQUIRY = "<script>window.__xss=2</script>请问个税汇算几号截止？"
PEOPLE = {
    "erin": ("Erin 编辑", ["editor"], "Editor-secret-0001"),
    "rita": ("Rita 审核", ["reviewer"], "Review-secret-0001"),
    "liu": ("刘总监", ["director"], "Direct-secret-0001"),
}


@dataclass
class PagesStack:
    base: str
    namespace: str
    clock: FixedClock
    channel: FakeChannel
    publisher: Any
    feedback: Any
    reporting: Any
    gateway: Any
    posts: dict[str, str]


def _content(title: str, category: Category) -> ContentSnapshot:
    return ContentSnapshot(
        title=title,
        category=category,
        digest="三分钟看懂。",
        body_html="<p>今年的个人所得税汇算清缴将于3月1日开始。</p>",
        author="erin",
    )


@contextlib.asynccontextmanager
async def pages_stack(mongo_url: str) -> AsyncIterator[PagesStack]:
    namespace = new_namespace()
    private, public = new_keypair()
    keys = {"person_token_keys": [public]}
    clock = FixedClock(MONDAY_0900)
    channel = FakeChannel(clock)
    try:
        async with contextlib.AsyncExitStack() as stack:
            fake = await stack.enter_async_context(running_fake_wechat())
            publisher = build_publisher(
                make_settings(
                    PublisherSettings,
                    namespace,
                    mongo_url,
                    posts_per_slot=2,
                    job_lease_seconds=2.0,
                    prepare_ahead_seconds=0.5,
                    poll_max_seconds=0.05,
                    retry_seconds=0.2,
                    reconcile_interval_seconds=0.1,
                    reconcile_max_interval_seconds=0.2,
                    escalate_unknown_after_seconds=0.5,
                    **keys,
                ),
                clock=clock,
                channel=channel,
            )
            feedback = build_feedback(
                feedback_settings(
                    namespace,
                    mongo_url,
                    wechat_app_id=fake.state.appid,
                    wechat_app_secret=fake.state.secret,
                    wechat_base_url=fake.base_url,
                    job_retry_seconds=0.2,
                    **keys,
                ),
                clock=clock,
            )
            reporting = build_reporting(
                make_settings(
                    ReportingSettings,
                    namespace,
                    mongo_url,
                    schedule_poll_seconds=0.2,
                    job_poll_seconds=0.2,
                    **keys,
                ),
                clock=clock,
            )
            urls = {"drafting": "http://127.0.0.1:9", "review": "http://127.0.0.1:9"}
            for name, service in (
                ("publisher", publisher),
                ("feedback", feedback),
                ("reporting", reporting),
            ):
                urls[name] = await stack.enter_async_context(
                    serve_asgi(
                        service.app(), lifespan="on", name=name, start_within=30, stop_within=30
                    )
                )
            gateway = build_gateway(
                gateway_settings(namespace, mongo_url, private, service_urls=urls), clock=clock
            )
            base = await stack.enter_async_context(
                serve_asgi(
                    gateway.app(), lifespan="on", name="gateway", start_within=30, stop_within=30
                )
            )
            admin = Principal(subject="root", roles=frozenset({Role.ADMIN}), person=True)
            for username, (name, roles, password) in PEOPLE.items():
                command = usecases.PersonCreate(username, name, roles, password)
                await usecases.create_person(command, deps=gateway.deps, actor=admin)
            yield PagesStack(
                base, namespace, clock, channel, publisher, feedback, reporting, gateway, {}
            )
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


async def signed_in(browser: Browser, stack: PagesStack, watcher: Watcher, who: str) -> Page:
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


async def until(page: Page, url: str, text: str, *, timeout: float = 30.0) -> None:
    """Open ``url`` again until it shows ``text`` (events travel through the broker)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        await page.goto(url)
        if text in await page.locator("main").inner_text():
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{url} never showed {text!r}")
        await asyncio.sleep(0.3)


async def reached(probe: Callable[[], Awaitable[bool]], timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await probe():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.1)


async def leave_live_page_between_refreshes(page: Page) -> None:
    """Wait until a refresh has just landed, so leaving does not abort one in flight (an
    aborted request would count as a failed one)."""
    await page.wait_for_function(
        "(() => { const u = Number(document.getElementById('live').dataset.updated || 0);"
        " return Date.now() - u < 1000; })()",
        timeout=30_000,
    )


async def post_state(stack: PagesStack, post_id: str) -> str:
    post = await stack.publisher.deps.posts.get(post_id)
    return "" if post is None else str(post.state)


@pytest.fixture(scope="module")
async def stack(mongo_url: str) -> AsyncIterator[PagesStack]:
    async with pages_stack(mongo_url) as running:
        run = uuid.uuid4().hex[:6]
        approvals = {
            "a": draft_approved(
                _content(XSS_TITLE, Category.FINANCE), draft_id=f"d-a-{run}", slot=SLOT
            ),
            "b": draft_approved(
                _content("社保基数调整说明", Category.HR), draft_id=f"d-b-{run}", slot=SLOT
            ),
        }
        running.posts = {
            key: post_id_for(e.payload.draft_id, e.payload.revision) for key, e in approvals.items()
        }
        running.channel.script[running.posts["b"]] = ["unknown_after_send"]
        running.channel.blind.add(running.posts["b"])
        await publish(running.namespace, *approvals.values())
        yield running


async def test_calendar_posts_feedback_documents_and_reports_in_a_browser(
    browser: Browser, stack: PagesStack
) -> None:
    base, clock = stack.base, stack.clock
    post_a, post_b = stack.posts["a"], stack.posts["b"]
    watcher = Watcher(base)

    # -- the reviewer: both posts in their slot; pause one and resume it ---------------
    rita = await signed_in(browser, stack, watcher, "rita")
    week = f"{base}/calendar?view=week&day=2026-11-23"
    await until(rita, week, "社保基数调整说明")
    monday = rita.locator("td[data-day='2026-11-23'] .slot")
    assert XSS_TITLE in await monday.inner_text()
    assert "社保基数调整说明" in await monday.inner_text()
    assert "已排期" in await monday.inner_text()
    await check_page(rita, "h5-01-calendar-week")
    first = rita.locator(".slot-post", has_text="个税汇算要点")
    await first.locator("summary").click()
    await first.get_by_role("button", name="暂停").click()
    await rita.wait_for_url("**done=pause")
    assert "已暂停" in await rita.locator(".slot-post", has_text="个税汇算要点").inner_text()
    assert await post_state(stack, post_a) == "paused"
    await rita.locator(".slot-post", has_text="个税汇算要点").locator("summary").click()
    await (
        rita.locator(".slot-post", has_text="个税汇算要点")
        .get_by_role("button", name="恢复")
        .click()
    )
    await rita.wait_for_url("**done=resume")
    assert await post_state(stack, post_a) == "scheduled"
    # reschedule the second post to Wednesday, then back to Monday
    second = rita.locator(".slot-post", has_text="社保基数调整说明")
    await second.locator("summary").click()
    await second.get_by_label("改到").select_option(label=WEDNESDAY_LABEL)
    await second.get_by_role("button", name="改期").click()
    await rita.wait_for_url("**done=reschedule")
    wednesday = await rita.locator("td[data-day='2026-11-25']").inner_text()
    assert "社保基数调整说明" in wednesday
    assert "社保基数调整说明" not in await rita.locator("td[data-day='2026-11-23']").inner_text()
    second = rita.locator(".slot-post", has_text="社保基数调整说明")
    await second.locator("summary").click()
    await second.get_by_label("改到").select_option(label=MONDAY_LABEL)
    await second.get_by_role("button", name="改期").click()
    await rita.wait_for_url("**done=reschedule")
    assert "社保基数调整说明" in await rita.locator("td[data-day='2026-11-23']").inner_text()
    await rita.goto(f"{base}/calendar?view=month&day=2026-11-23")
    assert "社保基数调整说明" in await rita.locator("td[data-day='2026-11-23']").inner_text()
    await check_page(rita, "h5-02-calendar-month")
    await rita.goto(f"{base}/calendar?view=month&day=2026-10-01")  # 国庆节 and its 调休
    assert "国庆节" in await rita.locator("td[data-day='2026-10-01']").inner_text()
    await check_page(rita, "h5-02b-calendar-holidays")

    # -- 11:30: one goes out, the other's outcome is lost; the reviewer settles it -----
    clock.set(SLOT + timedelta(seconds=1))

    async def both_went() -> bool:
        return (
            await post_state(stack, post_a) == "published"
            and await post_state(stack, post_b) == "unknown"
        )

    await reached(both_went)
    await rita.goto(f"{base}/posts")
    table = await rita.locator("table").inner_text()
    assert "已发布" in table
    assert "结果未知" in table
    assert "晚" in table  # the lateness of the published post against its slot
    assert "社保基数调整说明" in await rita.locator(".attention").inner_text()
    await check_page(rita, "h5-03-posts")
    await rita.locator(".attention").get_by_role("link", name="社保基数调整说明").click()
    await rita.get_by_label("文章链接（已发布时填写）").fill("https://mp.weixin.qq.com/s/AbCdEf")
    await rita.get_by_label("核实内容与途径").fill("查看了公众号发表记录：文章已发出")
    await check_page(rita, "h5-04-post-unknown")
    await rita.get_by_role("button", name="确认", exact=True).click()
    await rita.wait_for_url("**done=resolved")
    assert await post_state(stack, post_b) == "published"
    assert "已发布" in await rita.locator("dl.facts").inner_text()
    await check_page(rita, "h5-05-post-settled")

    # -- the editor: the open window fills as feedback arrives, without reloading -----
    clock.set(SLOT + timedelta(minutes=10))
    erin = await signed_in(browser, stack, watcher, "erin")
    await publish(
        stack.namespace,
        feedback_event(f"c1-{post_a}", at=clock.now(), post_id=post_a, text="讲得很清楚，谢谢！"),
    )
    window_url = f"{base}/feedback/windows/{post_a}"
    await until(erin, window_url, "讲得很清楚")
    assert await erin.locator("[data-kind=comment]").inner_text() == "1"
    await erin.evaluate("window.__sameDocument = 1")
    await publish(
        stack.namespace,
        feedback_event(
            f"c2-{post_a}", at=clock.now(), post_id=post_a, text="请问专项附加扣除怎么填？"
        ),
        feedback_event(f"c3-{post_a}", at=clock.now(), post_id=post_a, text="太复杂了，看不懂"),
        feedback_event(
            f"m1-{post_a}",
            at=clock.now(),
            post_id=post_a,
            kind=FeedbackKind.MESSAGE,
            source="wechat_message",
            author="o-follower-1",
            text=XSS_ENQUIRY,
        ),
    )
    await erin.wait_for_function(
        "document.querySelector('[data-kind=comment]').textContent.trim() === '3'"
        " && document.querySelector('[data-kind=message]').textContent.trim() === '1'",
        timeout=30_000,
    )
    assert await erin.evaluate("window.__sameDocument") == 1  # refreshed in place
    live = await erin.locator("#live").inner_text()
    assert QUESTION in live
    # themes as they form: the feedback service's analysis preview groups the words
    # (a slow first analysis is tried again at the next refresh)
    await erin.wait_for_function(
        "document.querySelectorAll('#live ul.themes > li').length >= 1", timeout=60_000
    )
    assert await erin.evaluate("window.__sameDocument") == 1
    await check_page(erin, "h5-06-feedback-window-live")
    await leave_live_page_between_refreshes(erin)
    await erin.goto(f"{base}/feedback")
    assert XSS_TITLE in await erin.locator("main").inner_text()
    await check_page(erin, "h5-07-feedback")

    # -- the editor answers the enquiry within its 12 hours; the reply is delivered ----
    clock.set(SLOT + timedelta(minutes=25))  # 15 minutes after it was asked
    await until(erin, f"{base}/feedback/enquiries", "个税汇算几号截止")
    enquiry = erin.locator("li.enquiry", has_text="个税汇算几号截止")
    assert "还剩 11 小时 45 分钟" in await enquiry.inner_text()
    await check_page(erin, "h5-08-enquiries-open")
    await enquiry.locator("textarea").fill("您好，汇算截止到6月30日。")
    await enquiry.get_by_role("button", name="发送回复").click()
    await erin.wait_for_url("**done=replied")
    await until(erin, f"{base}/feedback/enquiries?state=answered", "已送达")
    answered = await erin.locator("li.enquiry").first.inner_text()
    assert "您好，汇算截止到6月30日。" in answered
    await check_page(erin, "h5-09-enquiries-answered")

    # -- the window closes: the director opens its core-issues document ----------------
    clock.set(SLOT + timedelta(hours=24, minutes=5))
    liu = await signed_in(browser, stack, watcher, "liu")
    await until(liu, f"{base}/documents", "个税汇算要点")
    row = liu.locator("tr", has_text="个税汇算要点")
    assert "未读" in await row.inner_text()
    await check_page(liu, "h5-10-documents-unread")
    await row.get_by_role("link", name=XSS_TITLE).click()
    await liu.wait_for_url(f"**/documents/{post_a}")
    document = await liu.locator("article.document").inner_text()
    assert QUESTION in document
    await check_page(liu, "h5-11-document")
    docx = await liu.request.get(f"{base}/documents/{post_a}/download.docx")
    assert docx.status == 200
    assert "wordprocessingml" in docx.headers["content-type"]
    await liu.goto(f"{base}/documents")
    assert "未读" not in await liu.locator("tr", has_text="个税汇算要点").inner_text()

    # -- the fortnight ends: the director opens the biweekly report --------------------
    clock.set(FORTNIGHT_FIRES)
    # the schedule fires the weekly, monthly and biweekly reports due by then, each
    # rendered with its charts and documents: allow for a loaded machine
    await until(liu, f"{base}/reports?kind=biweekly", "未读", timeout=180)
    await check_page(liu, "h5-12-reports")
    await liu.locator("tbody tr").first.get_by_role("link").first.click()
    await liu.wait_for_url("**/reports/*")
    main = await liu.locator("main").inner_text()
    assert "关键指标" in main
    assert "发布推送" in main
    assert XSS_TITLE in main  # the post of the period, as text
    await check_page(liu, "h5-13-report")
    xlsx = await liu.request.get(liu.url + "/download.xlsx")
    assert xlsx.status == 200
    assert "spreadsheetml" in xlsx.headers["content-type"]
    full = await liu.request.get(liu.url + "/download.html")  # the service's own rendering
    assert full.status == 200
    assert "sandbox" in full.headers["content-security-policy"]  # its page, not ours
    assert "<svg" in await full.text()

    for page in (rita, erin, liu):
        assert await page.evaluate("window.__xss === undefined")
    await erin.goto(f"{base}/lang/en?next=/calendar")
    assert "Calendar" in await erin.locator("h1").inner_text()
    await check_page(erin, "h5-14-calendar-english")
    assert not watcher.problems, watcher.problems
