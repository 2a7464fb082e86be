"""Today's windows closing soon and what a person has not opened, and the report page's
worded codes, on the real gateway and store with the feedback and reporting services stood
in for over HTTP (tests/integration/gateway/standins.py; business time fixed at Monday
12:00 China time).

* Today shows the window closing in two hours (not the one closing tomorrow), and the
  core-issues documents and reports the person has not opened; opening one is recorded in
  the gateway's own ``opened`` collection for that person only, and Today drops it.
* An editor is not offered documents (the feedback service gives them to reviewers and
  the director), but is offered the reports.
* The report's notes and topic ideas, codes with parameters in the JSON, read as Chinese
  sentences (English after switching), with the topic ideas given to the editors, their
  reasons and evidence; a customer's words in a topic stay text.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from services.gateway import usecases
from shared.settings import Principal, Role
from tests.integration.gateway.gateway_support import (
    browser,
    gateway_settings,
    new_keypair,
    running_gateway,
    sign_in,
)
from tests.integration.gateway.standins import (
    CLOSING_LATER,
    CLOSING_SOON,
    DOCUMENTS,
    NOW,
    REPORT_ID,
    SUMMARY,
    StandIn,
    standin_app,
)
from tests.support.servers import serve_asgi

pytestmark = pytest.mark.integration

ROOT = Principal(subject="root", roles=frozenset({Role.ADMIN}))
SERVICES = ("drafting", "review", "publisher", "feedback", "reporting")
PASSWORD = "Console-secret-01"
PEOPLE = {
    "liu": ("刘总监", ["director"]),
    "rita": ("Rita", ["reviewer"]),
    "erin": ("Erin", ["editor"]),
}


@contextlib.asynccontextmanager
async def console(namespace: str, mongo_url: str) -> AsyncIterator[tuple[Any, StandIn]]:
    record = StandIn()
    private, _ = new_keypair()
    served = serve_asgi(
        standin_app(record), lifespan="off", name="standin", start_within=30, stop_within=30
    )
    async with served as url:
        settings = gateway_settings(
            namespace,
            mongo_url,
            private,
            service_urls=dict.fromkeys(SERVICES, url),
            clock_mode="fixed",
            clock_sim_epoch=NOW,
        )
        async with running_gateway(settings) as gateway:
            for username, (name, roles) in PEOPLE.items():
                command = usecases.PersonCreate(username, name, roles, PASSWORD)
                await usecases.create_person(command, deps=gateway.deps, actor=ROOT)
            yield gateway, record


def section(html: str, heading_id: str) -> str:
    """The card whose heading has ``heading_id`` (to the end of its section)."""
    found = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert found, f"no section {heading_id}"
    return found.group(0)


async def test_today_shows_closing_windows_and_what_i_have_not_opened(
    namespace: str, mongo_url: str
) -> None:
    async with (
        console(namespace, mongo_url) as (gateway, record),
        browser(gateway.app()) as liu,
        browser(gateway.app(), "10.0.0.2") as rita,
        browser(gateway.app(), "10.0.0.3") as erin,
    ):
        for client, who in ((liu, "liu"), (rita, "rita"), (erin, "erin")):
            assert (await sign_in(client, who, PASSWORD)).status_code == 303
        today = (await liu.get("/today")).text
        closing = section(today, "closing-title")
        assert CLOSING_SOON[1] in closing
        assert "还剩 2 小时 0 分钟" in closing
        assert "2026-11-23 14:00 (UTC+08:00 北京时间)" in closing
        assert CLOSING_LATER[1] not in closing
        documents = section(today, "documents-title")
        assert all(title in documents for _, title in DOCUMENTS)
        assert '<p class="count">2</p>' in documents
        reports = section(today, "reports-title")
        assert '<p class="count">2</p>' in reports
        assert "运营情况分析（双周）" in reports
        # Today asked for open and closed windows and the reports, as the person.
        asked = [(p, c.get("state")) for m, p, c in record.calls if p == "/windows"]
        assert ("/windows", "open") in asked
        assert ("/windows", "closed") in asked

        # liu opens the first document and the biweekly report: recorded for liu alone.
        document = await liu.get(f"/documents/{DOCUMENTS[0][0]}")
        assert document.status_code == 200
        assert "专项附加扣除怎么填" in document.text
        assert (await liu.get(f"/reports/{REPORT_ID}")).status_code == 200
        stored = (
            await gateway.runtime.db["opened"]
            .find({}, {"_id": 0, "first_opened_at": 0})
            .to_list(None)
        )
        assert sorted(stored, key=lambda d: d["kind"]) == [
            {"kind": "document", "item": DOCUMENTS[0][0], "username": "liu"},
            {"kind": "report", "item": REPORT_ID, "username": "liu"},
        ]
        today = (await liu.get("/today")).text
        documents = section(today, "documents-title")
        assert '<p class="count">1</p>' in documents
        assert DOCUMENTS[0][1] not in documents
        assert DOCUMENTS[1][1] in documents
        reports = section(today, "reports-title")
        assert '<p class="count">1</p>' in reports
        assert "运营周报" in reports

        # rita has opened nothing: both documents are still unread for her.
        assert '<p class="count">2</p>' in section(
            (await rita.get("/today")).text, "documents-title"
        )
        # erin edits: no documents (the feedback service gives them to reviewers and the
        # director), but the windows and the reports.
        mine = (await erin.get("/today")).text
        assert 'aria-labelledby="documents-title"' not in mine
        assert CLOSING_SOON[1] in section(mine, "closing-title")
        assert '<p class="count">2</p>' in section(mine, "reports-title")


async def test_the_report_page_words_its_codes_and_shows_the_editors_topic_ideas(
    namespace: str, mongo_url: str
) -> None:
    async with console(namespace, mongo_url) as (gateway, _), browser(gateway.app()) as liu:
        assert (await sign_in(liu, "liu", PASSWORD)).status_code == 303
        page = (await liu.get(f"/reports/{REPORT_ID}")).text
        notes = section(page, "notes-h")
        assert "本期发布 6 篇推送，阅读 12,345 次，互动率 8.1%" in notes
        assert "3 条咨询未在 12 小时内回复" in notes
        ideas = section(page, "topics-h")
        assert "给编辑的选题建议" in ideas
        # the customer's words stay text, escaped
        assert (
            "集中答疑（个税申报）：“&lt;script&gt;window.__xss=3&lt;/script&gt;专项附加扣除怎么填”"
            in ideas
        )
        assert "<script>" not in ideas
        assert "客户提出的问题中仍有 1 个未得到回复" in ideas  # why
        assert "共 3 个提问（1 个未回复）" in ideas  # evidence
        assert "《个税汇算要点》已涉及" in ideas  # coverage
        assert "问题解决指南：社保基数" in ideas
        assert "3 条意见，见 《个税汇算要点》" in ideas  # advice on the form
        plan = section(page, "plan-h")
        assert "集中答疑（个税申报）" in plan
        assert "(UTC+08:00 北京时间)" in plan
        assert "%(" not in page

        await liu.get("/lang/en", params={"next": f"/reports/{REPORT_ID}"})
        english = (await liu.get(f"/reports/{REPORT_ID}")).text
        assert "6 posts published, 12,345 reads, engagement rate 8.1%" in section(
            english, "notes-h"
        )
        topics = section(english, "topics-h")
        assert "Questions answered: 个税申报" in topics
        assert "How to solve: 社保基数" in topics
        assert "Customers&#39; questions" in topics
        assert "%(" not in english
        # the stored Chinese summary repeats the notes: the page shows the worded notes
        assert SUMMARY not in english
