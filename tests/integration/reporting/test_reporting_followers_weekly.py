"""The weekly report's followers section (issue #14) on the real broker and store: follower
events of two branches over a week, consumed by the service, end up in the timed weekly
report with the right figures in JSON, HTML, XLSX and DOCX, and the lagging branch gets
its recommendation naming its administrator.

Week 49 is Mon 11-30 .. Sun 12-06 (China time); the weekly run fires Mon 12-07 14:30::

    浦东 (王经理, target 10, created 20 days before the week's end: 6 due)
        5 staff follow through its code in the week, one of them leaves: 4 at the end
    徐汇 (李主任, target 20, created 10 days before the week's end: 6 due)
        nobody in the week: silent for 7 days
    年终福利 goes out Tue 12-01 10:00; 4 followers who came by search leave within
        24 hours (4 of 5 unsubscribes of the week: 5/7 a day, so 4 is unusual)
"""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import openpyxl
import pytest
from docx import Document
from reporting_live import DIRECTOR, Reporting, reporting, utc

from shared.events import (
    BranchSaved,
    BranchSavedPayload,
    EventEnvelope,
    FollowerSubscribed,
    FollowerSubscribedPayload,
    FollowerUnsubscribed,
    FollowerUnsubscribedPayload,
)
from tests.support.accounts import TWO_ACCOUNTS
from tests.support.reporting_events import published

pytestmark = pytest.mark.integration

START = utc(2026, 12, 1, 2, 0)  # Tue 10:00 local
WEEKLY_FIRED = utc(2026, 12, 7, 6, 31)  # Mon 14:31 local
MON = utc(2026, 11, 29, 16, 0)  # Mon 11-30 00:00 local: the week's first instant
END = MON + timedelta(days=7)
POST_AT = MON + timedelta(hours=34)  # Tue 10:00 local
H, D = timedelta(hours=1), timedelta(days=1)


def _common(at: datetime, cid: str) -> dict[str, Any]:
    return {"occurred_at": at, "producer": "audience", "correlation_id": cid}


def branch(code: str, name: str, administrator: str, target: int, at: datetime) -> BranchSaved:
    payload = BranchSavedPayload(
        code=code, name=name, administrator=administrator, target=target, saved_at=at
    )
    return BranchSaved(payload=payload, **_common(at, code))


def joined(openid: str, at: datetime, source: str, code: str | None) -> FollowerSubscribed:
    payload = FollowerSubscribedPayload.model_validate(
        {"openid": openid, "source": source, "branch_code": code, "subscribed_at": at}
    )
    return FollowerSubscribed(payload=payload, **_common(at, openid))


def left(openid: str, at: datetime, source: str, code: str | None) -> FollowerUnsubscribed:
    payload = FollowerUnsubscribedPayload.model_validate(
        {"openid": openid, "source": source, "branch_code": code, "unsubscribed_at": at}
    )
    return FollowerUnsubscribed(payload=payload, **_common(at, openid))


def the_week() -> list[EventEnvelope]:
    events: list[EventEnvelope] = [
        branch("pudong", "浦东分公司", "王经理", 10, END - 20 * D),
        branch("xuhui", "徐汇分公司", "李主任", 20, END - 10 * D),
        published("p1", "hr", POST_AT, "年终福利"),
    ]
    events += [joined(f"s-{i}", MON - 5 * D, "search", None) for i in range(4)]  # earlier
    events += [joined(f"pd-{i}", MON + (3 + i) * H, "branch", "pudong") for i in range(5)]
    events.append(left("pd-0", MON + 5 * D, "branch", "pudong"))
    events += [left(f"s-{i}", POST_AT + (1 + 2 * i) * H, "search", None) for i in range(4)]
    return events


async def weekly_report(svc: Reporting) -> dict[str, Any]:
    await svc.publish(*the_week())
    await svc.wait_count("branches", 2, {"account": "default"})
    await svc.wait_count("follower_changes", 14, {"account": "default"})
    await svc.wait_count("posts", 1)
    svc.clock.set(WEEKLY_FIRED)
    body = await svc.wait_report("weekly-2026-W49")
    report: dict[str, Any] = body["report"]
    return report


async def test_the_weekly_report_shows_the_followers_of_two_branches_in_every_format(
    namespace: str, mongo_url: str
) -> None:
    async with reporting(namespace, mongo_url, at=START) as svc:
        report = await weekly_report(svc)

        # JSON
        followers = report["followers"]
        assert followers["has_data"] is True
        assert (followers["subscribed"], followers["unsubscribed"], followers["net"]) == (5, 5, 0)
        rows = {
            b["code"]: (
                b["administrator"],
                b["target"],
                b["subscribed"],
                b["unsubscribed"],
                b["net"],
                b["followers_at_end"],
                b["share_of_target"],
                b["expected"],
                b["behind"],
            )
            for b in followers["branches"]
        }
        assert rows == {
            "pudong": ("王经理", 10, 5, 1, 4, 4, 0.4, 6, 2),
            "xuhui": ("李主任", 20, 0, 0, 0, 0, 0.0, 6, 6),
        }
        sources = {s["source"]: (s["subscribed"], s["unsubscribed"]) for s in followers["sources"]}
        assert (sources["branch"], sources["search"]) == ((5, 1), (0, 4))
        assert followers["unsubscribes_per_24h"] == round(5 / 7, 3)
        assert [
            (p["title"], p["unsubscribes_24h"], p["unusual"], p["window_complete"])
            for p in followers["posts"]
        ] == [("年终福利", 4, True, True)]
        advice = [(a["code"], a["params"].get("code")) for a in followers["recommendations"]]
        assert advice == [
            ("branch_silent", "xuhui"),
            ("branch_behind", "pudong"),
            ("post_unsubscribes", None),
        ]
        silent = followers["recommendations"][0]["params"]
        assert (silent["branch"], silent["administrator"], silent["days"]) == (
            "徐汇分公司",
            "李主任",
            7,
        )
        behind = followers["recommendations"][1]["params"]
        assert (behind["administrator"], behind["expected"], behind["gap"]) == ("王经理", 6, 2)

        # HTML, Chinese first and English on request
        html = await svc.client.get("/reports/weekly-2026-W49.html", headers=DIRECTOR)
        assert html.status_code == 200
        page = html.text[html.text.index('<section id="followers">') :]
        assert "<h2>粉丝增长</h2>" in page
        assert "新增关注 5 人，取消关注 5 人，净增 0 人" in page
        assert "<td>浦东分公司</td><td>pudong</td><td>王经理</td>" in page
        assert '<td class="n">40.0%</td>' in page
        assert "徐汇分公司（负责人：李主任）7 天内没有新增关注" in page
        assert "按已过时间应达 6 人，差 2 人。请王经理组织本分支员工扫描分支二维码关注" in page
        english = await svc.client.get("/reports/weekly-2026-W49.html?lang=en", headers=DIRECTOR)
        assert "<h2>Followers</h2>" in english.text
        assert (
            "徐汇分公司 (administrator: 李主任) brought no new followers in 7 days" in english.text
        )

        # XLSX: the followers' own sheet, with its native chart
        xlsx = await svc.client.get("/reports/weekly-2026-W49.xlsx", headers=DIRECTOR)
        book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
        ws = book["粉丝增长"]
        values = [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]
        by_branch = {r[0]: r[1:11] for r in values if r[0] in ("浦东分公司", "徐汇分公司")}
        assert by_branch["浦东分公司"] == ("pudong", "王经理", 10, 5, 1, 4, 4, 0.4, 6, 2)
        assert by_branch["徐汇分公司"] == ("xuhui", "李主任", 20, 0, 0, 0, 0, 0, 6, 6)
        assert ("年终福利", 4, "是", "是") in [r[1:5] for r in values]
        assert len(ws._charts) == 1

        # DOCX, rendered on request
        docx = await svc.client.get("/reports/weekly-2026-W49.docx", headers=DIRECTOR)
        assert docx.status_code == 200
        doc = Document(io.BytesIO(docx.content))
        text = "\n".join(p.text for p in doc.paragraphs)
        assert "粉丝增长" in text
        assert "徐汇分公司（负责人：李主任）7 天内没有新增关注" in text
        assert "《年终福利》发布后 24 小时内有 4 人取消关注" in text
        cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
        assert {"浦东分公司", "王经理", "40.0%", "徐汇分公司", "李主任"} <= cells

        # CSV
        table = await svc.client.get(
            "/reports/weekly-2026-W49/csv/followers_branches", headers=DIRECTOR
        )
        assert table.status_code == 200, table.text
        assert "浦东分公司,pudong,王经理,10,5,1,4,4,0.4,6,2" in table.text

        # the summary route says the same of the same week
        summary = await svc.client.get(
            "/followers/summary?from=2026-11-30&to=2026-12-06", headers=DIRECTOR
        )
        assert summary.json()["recommendations"] == followers["recommendations"]


async def test_every_account_together_shows_each_accounts_followers_side_by_side(
    namespace: str, mongo_url: str
) -> None:
    def talent(event: EventEnvelope) -> EventEnvelope:
        return event.model_copy(update={"account": "talent"})

    talents: list[EventEnvelope] = [
        talent(branch("pudong", "浦东人才站", "赵站长", 30, END - 15 * D)),  # 15 due
        talent(joined("t-1", MON + H, "branch", "pudong")),
        talent(joined("t-2", MON + 2 * H, "branch", "pudong")),
        talent(joined("t-3", MON + 3 * H, "article", None)),
    ]
    async with reporting(namespace, mongo_url, at=START, accounts_json=TWO_ACCOUNTS) as svc:
        await svc.publish(*talents)
        await svc.wait_count("follower_changes", 3, {"account": "talent"})
        await weekly_report(svc)
        combined = (await svc.wait_report("all_weekly-2026-W49"))["report"]
        followers = combined["followers"]
        assert followers["accounts"] == ["default", "talent"]
        assert [
            (a["account"], a["subscribed"], a["unsubscribed"], a["net"], a["branch_followers"])
            for a in followers["by_account"]
        ] == [("default", 5, 5, 0, 4), ("talent", 3, 0, 3, 2)]
        assert [(b["account"], b["name"], b["behind"]) for b in followers["branches"]] == [
            ("default", "徐汇分公司", 6),
            ("default", "浦东分公司", 2),
            ("talent", "浦东人才站", 13),
        ]
        # each account's own report holds its own followers only; talent has no post yet:
        # its branch and followers alone make its week reported
        own = (await svc.wait_report("talent-weekly-2026-W49"))["report"]["followers"]
        assert [b["name"] for b in own["branches"]] == ["浦东人才站"]

        html = await svc.client.get("/reports/all_weekly-2026-W49.html", headers=DIRECTOR)
        page = html.text[html.text.index('<section id="followers">') :]
        assert "各公众号粉丝增长对照" in page
        assert "<td>融智财税</td>" in page
        assert "<td>融智人才</td>" in page
        assert "【融智人才】浦东人才站（负责人：赵站长）" in page
        table = await svc.client.get(
            "/reports/all_weekly-2026-W49/csv/followers_accounts", headers=DIRECTOR
        )
        assert table.text.splitlines()[1:] == [
            "融智财税,5,5,0,4,30,0.1333,2",
            "融智人才,3,0,3,2,30,0.0667,1",
        ]
