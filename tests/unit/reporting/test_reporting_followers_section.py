"""The reports' followers section (issue #14): the weekly, monthly and biweekly reports
hold it (built from the read model by the timed run and on request), and every format
shows it — HTML, the XLSX's own sheet with a native chart, DOCX and CSV — in Chinese
first and in English; an account without follower data is one line, not empty tables;
the report of every account together shows each account's followers side by side."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, timedelta

import pytest
from docx import Document
from openpyxl import load_workbook
from openpyxl.chart import BarChart

from services.reporting.domain.followers import (
    Branch,
    FollowerChange,
    PublishedPost,
    branch_doc,
    change_doc,
    followers_summary,
)
from services.reporting.domain.report import CSV_TABLES
from services.reporting.reports import (
    AccountRef,
    ChartFont,
    Lang,
    Report,
    build_report,
    render_csv,
    render_docx,
    render_html,
    render_xlsx,
    require_cjk_font,
)
from services.reporting.reports.follower_tables import FOLLOWER_TABLES
from services.reporting.usecases.produce import produce_timed_report
from shared.calendar import weekly_period
from tests.unit.reporting.followers_fakes import FakeFollowers
from tests.unit.reporting.test_reporting_accounts import (
    MON_1431,
    W48_START,
    _claims,
    _feed_a_week_of_two_accounts,
    _report,
    of,
    two,
)
from tests.unit.reporting.test_reporting_followers import saved, subscribed, unsubscribed

CURRENT, PREVIOUS = weekly_period(date(2026, 12, 7))  # 2026-W49
START, END = CURRENT.start, CURRENT.end
GENERATED = END + timedelta(hours=14, minutes=30)
H, D = timedelta(hours=1), timedelta(days=1)
_PAGES: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module")
def font() -> ChartFont:
    return require_cjk_font()


def _html(report: Report, font: ChartFont, lang: Lang = "zh-CN") -> str:
    key = (report.model_dump_json(), lang)
    if key not in _PAGES:
        _PAGES[key] = render_html(report, font=font, lang=lang)
    return _PAGES[key]


def week_of_two_branches() -> Report:
    """浦东 (王经理, 10 to reach, 20 days old): 5 joined, 5 follow at the end (6 due);
    徐汇 (李主任, 20 to reach, 10 days old): nobody in the week. 年终福利 went out Tue
    05:00 and four searchers left within a day: unusual against 4 in 7 days."""
    post_at = START + 29 * H
    changes = [FollowerChange("subscribed", START + i * H, "branch", "pudong") for i in range(1, 6)]
    changes += [FollowerChange("unsubscribed", post_at + i * H, "search", None) for i in range(4)]
    summary = followers_summary(
        start=START,
        end=END,
        changes=changes,
        branches=[
            Branch("pudong", "浦东分公司", 10, administrator="王经理", since=START - 13 * D),
            Branch("xuhui", "徐汇分公司", 20, administrator="李主任", since=START - 3 * D),
        ],
        attributed_at_end={("default", "pudong"): 5},
        posts=[PublishedPost("p1", "年终福利", post_at)],
        as_of=GENERATED,
    )
    return build_report("weekly", CURRENT, PREVIOUS, [], [], [], GENERATED, followers=summary)


def without_data() -> Report:
    summary = followers_summary(
        start=START,
        end=END,
        changes=[],
        branches=[],
        attributed_at_end={},
        posts=[],
        as_of=GENERATED,
    )
    return build_report("weekly", CURRENT, PREVIOUS, [], [], [], GENERATED, followers=summary)


def section(page: str) -> str:
    start = page.index('<section id="followers">')
    return page[start : page.index("</section>", start)]


# -- the figures and their advice in each format -------------------------------------------


def test_the_report_holds_the_figures_and_the_lagging_branches_advice() -> None:
    followers = week_of_two_branches().followers
    assert followers is not None
    rows = {
        b.code: (b.net, b.followers_at_end, b.share_of_target, b.expected, b.behind)
        for b in followers.branches
    }
    assert rows == {"pudong": (5, 5, 0.5, 6, 1), "xuhui": (0, 0, 0.0, 6, 6)}
    assert [(a.code, a.params.get("code")) for a in followers.recommendations] == [
        ("branch_silent", "xuhui"),
        ("branch_behind", "pudong"),
        ("post_unsubscribes", None),
    ]


def test_the_page_shows_the_section_in_chinese_and_in_english(font: ChartFont) -> None:
    report = week_of_two_branches()
    zh = section(_html(report, font))
    assert "<h2>粉丝增长</h2>" in zh
    assert "新增关注 5 人，取消关注 4 人，净增 +1 人" in zh
    assert "<td>浦东分公司</td><td>pudong</td><td>王经理</td>" in zh
    assert '<td class="n">50.0%</td>' in zh
    assert '<td>分支机构二维码</td><td class="n">5</td>' in zh
    assert '<td>年终福利</td><td class="n">4</td><td>是</td>' in zh
    assert "徐汇分公司（负责人：李主任）7 天内没有新增关注" in zh
    assert zh.count('<tr class="alert">') == 3  # both branches behind, the post
    assert "请王经理组织本分支员工扫描分支二维码关注" in zh
    assert "《年终福利》发布后 24 小时内有 4 人取消关注" in zh
    en = section(_html(report, font, "en"))
    assert "<h2>Followers</h2>" in en
    assert "浦东分公司 (administrator: 王经理) has 5 followers of a target of 10" in en
    assert "Branch code" in en


def test_the_workbook_has_a_chinese_followers_sheet_with_a_native_chart() -> None:
    book = load_workbook(io.BytesIO(render_xlsx(week_of_two_branches())))
    assert book.sheetnames[-1] == "粉丝增长"
    ws = book["粉丝增长"]
    values = [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]
    assert values[0][0] == "粉丝增长"
    header = values.index(next(r for r in values if r[0] == "分支机构"))
    branches = {r[0]: r[3:11] for r in values[header + 1 : header + 3]}
    assert branches["浦东分公司"] == (10, 5, 0, 5, 5, 0.5, 6, 1)
    assert branches["徐汇分公司"] == (20, 0, 0, 0, 0, 0, 6, 6)
    texts = [str(r[0]) for r in values]
    assert any(t.startswith("徐汇分公司（负责人：李主任）") for t in texts)
    (chart,) = ws._charts
    assert isinstance(chart, BarChart)
    assert len(chart.series) == 2  # followers at the end, target
    assert ws.auto_filter.ref == f"A{header + 2}:K{header + 4}"
    english = load_workbook(io.BytesIO(render_xlsx(week_of_two_branches(), lang="en")))
    assert "Followers" in english.sheetnames


def test_the_document_and_the_csv_files_hold_the_section(font: ChartFont) -> None:
    report = week_of_two_branches()
    doc = Document(io.BytesIO(render_docx(report, font=font)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "粉丝增长" in text
    assert (
        "浦东分公司（负责人：王经理）目前关注 5 人，目标 10 人；按已过时间应达 6 人，差 1 人"
        in text
    )
    cells = {c.text for t in doc.tables for row in t.rows for c in row.cells}
    assert {"浦东分公司", "王经理", "50.0%", "分支机构二维码"} <= cells
    files = render_csv(report)
    assert set(FOLLOWER_TABLES) - {"followers_accounts"} <= {n.removesuffix(".csv") for n in files}
    assert set(FOLLOWER_TABLES) <= set(CSV_TABLES)
    rows = list(csv.reader(io.StringIO(files["followers_branches.csv"])))
    assert rows[1][:3] == ["徐汇分公司", "xuhui", "李主任"]
    assert rows[2][7:11] == ["5", "0.5", "6", "1"]


def test_an_account_without_follower_data_says_so_in_one_line(font: ChartFont) -> None:
    report = without_data()
    assert report.followers is not None
    assert report.followers.has_data is False
    page = section(_html(report, font))
    assert "本期没有粉丝数据" in page
    assert "<table" not in page
    assert "<h3>" not in page
    ws = load_workbook(io.BytesIO(render_xlsx(report)))["粉丝增长"]
    lines = [r for r in ws.iter_rows(values_only=True) if any(v is not None for v in r)]
    assert [r[0] for r in lines] == [
        "粉丝增长",
        "本期没有粉丝数据：尚未收到任何分支机构或关注变化。",
    ]
    doc = Document(io.BytesIO(render_docx(report, font=font)))
    assert any(p.text.startswith("本期没有粉丝数据") for p in doc.paragraphs)
    assert not any(name.startswith("followers") for name in render_csv(report))


def test_a_report_made_before_the_section_renders_without_it(font: ChartFont) -> None:
    old = build_report("weekly", CURRENT, PREVIOUS, [], [], [], GENERATED)
    assert old.followers is None
    stored = old.model_dump_json(exclude={"followers"})
    again = Report.model_validate_json(stored)
    assert 'id="followers"' not in _html(again, font)
    assert "粉丝增长" not in load_workbook(io.BytesIO(render_xlsx(again))).sheetnames


def test_every_account_together_shows_each_accounts_followers_side_by_side() -> None:
    changes = [
        FollowerChange("subscribed", START + H, "branch", "pudong", "default"),
        FollowerChange("subscribed", START + H, "branch", "pudong", "talent"),
        FollowerChange("subscribed", START + 2 * H, "search", None, "talent"),
    ]
    summary = followers_summary(
        start=START,
        end=END,
        changes=changes,
        branches=[
            Branch("pudong", "浦东分公司", 2, "default", "王经理", START - 30 * D),
            Branch("pudong", "浦东人才站", 30, "talent", "赵站长", START - 8 * D),
        ],
        attributed_at_end={("default", "pudong"): 2, ("talent", "pudong"): 1},
        posts=[],
        as_of=GENERATED,
        accounts=("default", "talent"),
    )
    accounts = [AccountRef(id="default", name="融智财税"), AccountRef(id="talent", name="融智人才")]
    report = build_report(
        "weekly",
        CURRENT,
        PREVIOUS,
        [],
        [],
        [],
        GENERATED,
        account=None,
        accounts=accounts,
        followers=summary,
    )
    files = render_csv(report)
    rows = list(csv.reader(io.StringIO(files["followers_accounts.csv"])))
    assert [r[:5] for r in rows[1:]] == [
        ["融智财税", "1", "0", "1", "2"],
        ["融智人才", "2", "0", "2", "1"],
    ]
    branches = list(csv.reader(io.StringIO(files["followers_branches.csv"])))
    assert [(r[0], r[1]) for r in branches[1:]] == [
        ("融智财税", "浦东分公司"),
        ("融智人才", "浦东人才站"),
    ]
    advice = list(csv.reader(io.StringIO(files["followers_advice.csv"])))
    assert advice[1][0].startswith("【融智人才】浦东人才站（负责人：赵站长）")
    ws = load_workbook(io.BytesIO(render_xlsx(report)))["粉丝增长"]
    assert "各公众号粉丝增长对照" in [r[0] for r in ws.iter_rows(values_only=True)]


# -- the timed run reads the read model ----------------------------------------------------


async def test_the_weekly_run_puts_each_accounts_followers_in_its_report() -> None:
    svc = two()
    model = FakeFollowers()
    svc.deps = dataclasses.replace(svc.deps, followers=model)
    await _feed_a_week_of_two_accounts(svc)
    for branch in (
        saved("pudong", 10, W48_START - 40 * D),
        of("talent", saved("pudong", 10, W48_START - 40 * D, name="浦东人才站")),
    ):
        doc = branch_doc(branch, None)
        assert doc is not None
        await model.save_branch(doc)
    for change in (
        subscribed("o-1", W48_START + H),
        subscribed("o-2", W48_START + 2 * H),
        unsubscribed("o-2", W48_START + 3 * D),
    ):
        await model.save_change(change_doc(change))

    claims = await _claims(svc)
    for claim in claims.values():
        await produce_timed_report(claim, deps=svc.deps)
    assert svc.clock.now() == MON_1431

    default = _report(svc, "weekly-2026-W48").followers
    assert default is not None
    assert (default.subscribed, default.unsubscribed, default.net) == (2, 1, 1)
    (pudong,) = default.branches
    assert (pudong.followers_at_end, pudong.target, pudong.behind) == (1, 10, 9)
    assert [a.code for a in default.recommendations] == ["branch_behind"]
    talent = _report(svc, "talent-weekly-2026-W48").followers
    assert talent is not None
    assert (talent.subscribed, talent.has_data) == (0, True)  # its branch, nobody yet
    assert [(a.code, a.params["branch"]) for a in talent.recommendations] == [
        ("branch_silent", "浦东人才站")
    ]
    combined = _report(svc, "all_weekly-2026-W48").followers
    assert combined is not None
    assert [(a.account, a.net, a.branches_behind) for a in combined.by_account] == [
        ("default", 1, 1),
        ("talent", 0, 1),
    ]
