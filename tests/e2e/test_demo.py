"""The shortened demo, end to end: five subprocess services on the real broker and their
own SecantusDB, the driver (``python -m demo``) on the shared accelerated clock, then the
artifacts checked against each other and against the services' APIs; then the hand-over:
the services stopped and started again on the real-speed clock ``python -m demo handover``
writes, going on from where the simulation ended, with the run's data.

One simulated week (three push days, six articles) at a higher speed: about two minutes.
Two official accounts run side by side (#12): the plan's on Mon/Wed/Fri 11:30 and 融智人才
on Tue/Thu 08:00; each account's artifacts hold its own posts only.
"""

from __future__ import annotations

import asyncio
import io
import json
import re
import shlex
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import docx
import httpx
import openpyxl
import pytest

from demo.config import ZONE, DemoPlan
from demo.progress import fmt_sim
from tests.fakes.wechat_server import FakeWeChatServer
from tests.support.servers import ROOT, SecantusServer, die_with_parent, free_port
from tests.support.services import auth, service_env, spawn_service

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SERVICES = ("drafting", "review", "publisher", "feedback", "reporting", "audience")
DAYS = 7
SPEED = 7000.0
DIRECTOR = "director-token-0000000001"
DEMO_TOKENS = {
    "TOKEN_EDITOR": "editor-token-000000000001",  # erin
    "TOKEN_EDITOR2": "editor-token-000000000002",  # ed
    "TOKEN_REVIEWER": "reviewer-token-0000000001",  # rita: never an author (four eyes)
    "TOKEN_DIRECTOR": DIRECTOR,
    "TOKEN_SYSTEM": "system-token-000000000001",
}


@pytest.fixture(scope="module")
def secantus() -> Iterator[SecantusServer]:
    server = SecantusServer()
    server.start()
    try:
        yield server
    finally:
        server.cleanup()


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    deadline = time.monotonic() + 30
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


async def _python(*args: str, env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", *args, cwd=ROOT, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(errors="replace")


class DemoRun:
    """The finished run: its folder, manifest, the services' URLs and the driver's log;
    it can hand the services over to real time as ``make demo`` does."""

    def __init__(
        self,
        run_dir: Path,
        urls: dict[str, str],
        output: str,
        procs: list[subprocess.Popen[bytes]],
        env: dict[str, str],
        tmp_path: Path,
        simulated_wechat: dict[str, str],
    ) -> None:
        self.simulated_wechat = simulated_wechat  # where this test's fake WeChat listens
        self.run_dir = run_dir
        self.urls = urls
        self.output = output
        self.procs = procs
        self.env = env
        self.tmp_path = tmp_path
        self.manifest: dict[str, Any] = json.loads((run_dir / "manifest.json").read_text())

    async def hand_over(self) -> dict[str, str]:
        """Stop the services, write the real-time env, start them with it (demo.sh's steps);
        returns that env."""
        _stop(self.procs)
        out_file = self.tmp_path / "handover.env"
        code, out = await _python("demo", "handover", "--out", str(out_file), env=self.env)
        assert code == 0, out
        handed: dict[str, str] = {}
        for line in out_file.read_text().splitlines():
            name, sep, raw = line.partition("=")
            if sep and not name.startswith("#"):
                handed[name] = shlex.split(raw)[0]
        # the services start from the hand-over file alone: no accelerated knob survives
        accelerated = DemoPlan.from_env(self.env).env()
        base = {k: v for k, v in self.env.items() if k not in accelerated}
        self.env = {**base, **handed, **self.simulated_wechat}
        self.procs[:] = [
            spawn_service(name, self.env, self.tmp_path / f"{name}.log", int(url.rsplit(":", 1)[1]))
            for name, url in self.urls.items()
        ]
        async with httpx.AsyncClient() as c:
            for name, url in self.urls.items():
                for _ in range(120):
                    try:
                        if (await c.get(url + "/ready", timeout=2)).status_code == 200:
                            break
                    except httpx.HTTPError:
                        pass
                    await asyncio.sleep(0.5)
                else:
                    pytest.fail(f"{name} did not come back after the hand-over")
        return handed

    async def reporting_clock(self) -> datetime:
        """The reporting service's own reading of its clock (its scheduler's last look)."""
        async with httpx.AsyncClient(base_url=self.urls["reporting"]) as c:
            text = (await c.get("/metrics")).text
        match = re.search(r"^reporting_scheduler_tick_timestamp_seconds (\S+)$", text, re.M)
        assert match, "no scheduler tick in the reporting metrics"
        return datetime.fromtimestamp(float(match.group(1)), UTC)

    async def get(self, service: str, path: str, *, token: str = DIRECTOR, **params: Any) -> Any:
        async with httpx.AsyncClient(base_url=self.urls[service], headers=auth(token)) as c:
            response = await c.get(path, params=params)
            response.raise_for_status()
            return response.json()

    async def status_of(self, service: str, path: str, *, token: str, **params: Any) -> int:
        async with httpx.AsyncClient(base_url=self.urls[service], headers=auth(token)) as c:
            return (await c.get(path, params=params)).status_code


@pytest.fixture
async def demo_run(
    secantus: SecantusServer, namespace: str, tmp_path: Path
) -> AsyncIterator[DemoRun]:
    plan = DemoPlan.new(
        run_dir=tmp_path / "run", days=DAYS, speed=SPEED, startup_seconds=15, namespace=namespace
    )
    ports = {name: free_port() for name in SERVICES}
    wechat = FakeWeChatServer()
    fake = await asyncio.to_thread(wechat.start)  # the demo's simulated WeChat (#14)
    simulated_wechat = {
        "AUDIENCE_WECHAT_APP_ID": fake.state.appid,
        "AUDIENCE_WECHAT_APP_SECRET": fake.state.secret,
        "AUDIENCE_WECHAT_BASE_URL": fake.base_url,
        "AUDIENCE_WECHAT_QRCODE_BASE_URL": f"{fake.base_url}/cgi-bin/showqrcode",
    }
    env = service_env(
        namespace,
        secantus.url,
        **{**plan.env(), **simulated_wechat},
        **DEMO_TOKENS,
        **{f"{name.upper()}_HTTP_PORT": str(port) for name, port in ports.items()},
        LOG_LEVEL="WARNING",
    )
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    procs = [
        spawn_service(name, env, tmp_path / f"{name}.log", port) for name, port in ports.items()
    ]
    try:
        driver = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "demo", "run", cwd=ROOT, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=die_with_parent,
        )  # fmt: skip
        try:
            out, _ = await asyncio.wait_for(driver.communicate(), timeout=240)
        except TimeoutError:
            driver.kill()
            out, _ = await driver.communicate()
            pytest.fail(
                "the demo did not finish in 240 s:\n" + out.decode(errors="replace")[-4000:]
            )
        output = out.decode(errors="replace")
        assert driver.returncode == 0, output[-4000:]
        yield DemoRun(plan.run_dir, urls, output, procs, env, tmp_path, simulated_wechat)
    finally:
        _stop(procs)
        await asyncio.to_thread(wechat.stop)


def _headline(text: str, label: str) -> int:
    """A number of the document's headline table, from its Markdown or HTML."""
    match = re.search(rf"(?:\| {label} \| |<td>{label}</td><td>)([\d,]+)", text)
    assert match, f"no {label} in the document"
    return int(match.group(1).replace(",", ""))


def _docx_headline(path: Path, label: str) -> int:
    document = docx.Document(str(path))
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells]
            if len(cells) >= 2 and cells[0] == label:
                return int(cells[1].replace(",", ""))
    raise AssertionError(f"no {label} in {path.name}")


async def test_shortened_demo_produces_consistent_artifacts(demo_run: DemoRun) -> None:
    manifest = demo_run.manifest
    posts = manifest["posts"]
    # published post files == posts published per the publisher == windows opened by
    # feedback (each saw post.published) == posts the driver saw
    every_file = sorted((demo_run.run_dir / "published").rglob("*.html"))
    talent_dir = demo_run.run_dir / "published" / "talent"
    files = [f for f in every_file if not f.is_relative_to(talent_dir)]
    published = await demo_run.get(
        "publisher", "/posts", state="published", limit=200, account="default"
    )
    windows = await demo_run.get("feedback", "/windows", limit=200, account="default")
    assert len(files) == published["total"] == windows["total"] == len(posts) >= 4
    assert {f.stem for f in files} == {p["post_id"] for p in published["items"]}

    # every closed window has its document in three formats; its headline counts are
    # the unique comments and messages the audience sent about that post
    for post in posts:
        assert post["sent_after_window"] == 0
        window = await demo_run.get("feedback", f"/windows/{post['post_id']}")
        assert window["state"] == "closed"
        paths = {fmt: Path(p) for fmt, p in post["documents"].items()}
        assert sorted(paths) == ["docx", "html", "md"]
        md = paths["md"].read_text(encoding="utf-8")
        html = paths["html"].read_text(encoding="utf-8")
        for label, sent in (("评论数", post["comments"]), ("留言数", post["messages"])):
            assert _headline(md, label) == sent, (post["post_id"], label)
            assert _headline(html, label) == sent, (post["post_id"], label)
            assert _docx_headline(paths["docx"], label) == sent, (post["post_id"], label)
        assert window["summary"]["comments"] == post["comments"]
        assert post["duplicates"] > 0  # duplicates were sent, and stored once (above)

    # the biweekly report, fired by the reporting service itself, in HTML and XLSX
    assert manifest["biweekly_fallback"] is False
    report_id = manifest["biweekly_report_id"]
    report = await demo_run.get("reporting", f"/reports/{report_id}")
    assert report["kind"] == "biweekly"
    assert report["posts"] == len(posts)
    files_of = manifest["reports"][report_id]
    html_report = Path(files_of["html"]).read_text(encoding="utf-8")
    assert "<html" in html_report.lower()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(files_of["xlsx"]).read_bytes()))
    rows = [r for r in workbook["本期推送明细"].iter_rows(min_row=3, values_only=True) if any(r)]
    assert len(rows) == len(posts)

    # the scenario's people: a rejection, a late draft, most enquiries answered in 12 h
    summary = manifest["summary"]
    assert summary["reviews_rejected"] >= 1
    assert summary["drafts_submitted_late"] == 1
    assert summary["posts_on_time"] + summary["posts_late"] == len(posts)
    assert summary["posts_not_published"] == 0
    # the service flags as late exactly the replies the driver sent after 12 hours, and
    # the audience's rota leaves at most one ask per post unanswered in time
    assert summary["enquiries_answered_late"] == sum(p["replies_late"] for p in posts) >= 1
    assert summary["enquiries_answered_within_12h"] > summary["enquiries"] // 2
    assert summary["feedback_items_stored"] == sum(
        p["comments"] + p["messages"] + p["metrics"] + p["replies"] for p in posts
    )

    # one account of punctuality: each post's timeline line is stamped with its publish
    # time and judged with the publisher's lateness and tolerance; the summary counts the
    # same verdicts
    lines = [
        line
        for line in demo_run.output.splitlines()
        if "已发布《" in line and "【融智人才】" not in line  # the second account's (#12)
    ]
    assert len(lines) == len(posts)
    for post in posts:
        (line,) = [line for line in lines if f"《{post['title']}》" in line]
        published_at = datetime.fromisoformat(post["published_at"]).astimezone(ZONE)
        assert line.startswith(fmt_sim(published_at, seconds=True)), line
        assert f"晚 {post['lateness_seconds']:.0f} 秒" in line
        verdict = re.search(r"：(准时|迟发)）$", line.rstrip())
        assert verdict, line
        assert verdict.group(1) == ("准时" if post["on_time"] else "迟发"), line
    assert summary["posts_on_time"] == sum(p["on_time"] for p in posts)
    tolerance = DemoPlan.from_env(demo_run.env).on_time_tolerance_seconds
    assert summary["on_time_tolerance_seconds"] == tolerance

    # only this run's reports: the week before the first push day, due on its Monday
    # afternoon, ends before any data and is skipped by the service (#16), so nothing is
    # listed, downloaded or counted for a period before the run
    assert summary["reports_before_run"] == manifest["reports_before_run"] == []
    assert not any("W47" in p.name for p in (demo_run.run_dir / "reports").iterdir())
    assert summary["reports"] == len(manifest["reports"])
    listed = {
        r["id"]: r
        for r in (await demo_run.get("reporting", "/reports", limit=100, account="default"))[
            "items"
        ]
    }
    assert set(manifest["reports"]) <= set(listed)  # (more may fire now)
    assert "weekly-2026-W47" not in listed
    data_start = DemoPlan.from_env(demo_run.env).data_start
    assert all(datetime.fromisoformat(r["period_end"]) > data_start for r in listed.values())

    await _the_second_account_ran_on_its_own_calendar(demo_run, files)
    _the_branches_brought_followers(demo_run, report)

    # the hand-over: the services come back on a real-speed clock from where the simulated
    # weeks ended, with the run's data
    ended = await demo_run.reporting_clock()
    handed = await demo_run.hand_over()
    since = datetime.fromisoformat(handed["CLOCK_SIM_EPOCH"])
    assert handed["CLOCK_SPEED"] == "1"
    assert since >= ended  # never back: read once the services had stopped
    assert since - ended < timedelta(hours=24)  # the stop took seconds (x7000)
    await asyncio.sleep(2.5)
    first = await demo_run.reporting_clock()
    await asyncio.sleep(3.0)
    second = await demo_run.reporting_clock()
    assert since <= first < since + timedelta(minutes=2)  # real seconds since the hand-over
    assert timedelta(seconds=1) <= second - first <= timedelta(seconds=6)  # speed 1, not 7000
    after = await demo_run.get(
        "publisher", "/posts", state="published", limit=200, account="default"
    )
    assert after["total"] == len(posts)
    code, status = await _python("demo", "status", env=demo_run.env)
    assert code == 0, status
    assert "服务以真实时间继续运行" in status
    assert "make stop-all" in status


async def _the_second_account_ran_on_its_own_calendar(
    demo_run: DemoRun, default_files: list[Path]
) -> None:
    """融智人才 (#12): its posts at Tue/Thu 08:00, in its own folder, windows and documents
    of its own, reports of its own; nothing of it in the default account's lists; a
    director of the default account alone cannot read it."""
    talent = demo_run.manifest["talent"]
    posts = talent["posts"]
    assert talent["account"] == "talent"
    assert len(posts) == 2  # Tue 11-24 and Thu 11-26 of the shortened week
    published = await demo_run.get(
        "publisher", "/posts", state="published", limit=200, account="talent"
    )
    assert {p["post_id"] for p in published["items"]} == {p["post_id"] for p in posts}
    files = sorted((demo_run.run_dir / "published" / "talent").rglob("*.html"))
    assert {f.stem for f in files} == {p["post_id"] for p in posts}
    assert not {f.stem for f in files} & {f.stem for f in default_files}
    for post in published["items"]:
        assert post["account"] == "talent"
        slot = datetime.fromisoformat(post["slot_at"]).astimezone(ZONE)
        assert (slot.weekday(), slot.hour, slot.minute) in ((1, 8, 0), (3, 8, 0))
    for post in posts:
        window = await demo_run.get("feedback", f"/windows/{post['post_id']}")
        assert window["state"] == "closed"
        assert window["account"] == "talent"
        assert sorted(post["documents"]) == ["docx", "html", "md"]
        md = Path(post["documents"]["md"]).read_text(encoding="utf-8")
        assert _headline(md, "评论数") == post["comments"]
    # its own biweekly report, fired beside the default account's, counts its posts only
    reports = [
        await demo_run.get("reporting", f"/reports/{report_id}") for report_id in talent["reports"]
    ]
    assert {r["account"] for r in reports} == {"talent"}
    biweekly = [r for r in reports if r["kind"] == "biweekly"]
    assert [r["posts"] for r in biweekly] == [len(posts)]
    default_biweekly = await demo_run.get(
        "reporting", f"/reports/{demo_run.manifest['biweekly_report_id']}"
    )
    assert default_biweekly["period_end"] == biweekly[0]["period_end"]
    summary = talent["summary"]
    assert summary["posts_published"] == len(posts)
    assert summary["posts_not_published"] == 0
    assert "两周运营模拟：融智人才" in demo_run.output
    # a director of the default account alone sees none of it
    assert (
        await demo_run.status_of(
            "publisher", "/posts", token="director-a-token-00000001", account="talent"
        )
        == 403
    )
    own = await demo_run.get("publisher", "/posts", token="director-a-token-00000001", limit=200)
    assert {p["account"] for p in own["items"]} == {"default"}


def _the_branches_brought_followers(demo_run: DemoRun, report: dict[str, Any]) -> None:
    """#14: every subscribe the branches' staff pushed (one of them twice, as WeChat may
    repeat a push) is one follower of that branch in the reporting service's summary; the
    leavers are counted; keyword questions were answered in the push's own reply; each
    branch has its poster."""
    promotion = demo_run.manifest["promotion"]
    sent, summary = promotion["sent"], promotion["summary"]
    assert sent["repeated_pushes"] >= 1
    by_code = {b["code"]: b for b in summary["branches"]}
    assert {code: by_code[code]["subscribed"] for code in sent["branches"]} == sent["branches"]
    assert summary["subscribed"] == sum(sent["branches"].values()) + sent["search"]
    assert summary["unsubscribed"] == sent["unsubscribes"]
    assert sent["keyword_answered"] == sent["keyword_questions"] > 0
    assert by_code["suzhou"]["target"] == 30  # the lagging branch, with its head-count
    for path in sent["posters"]:
        assert Path(path).read_bytes().startswith(b"%PDF")
    assert "网点推广：关注增长" in demo_run.output
    # the biweekly report's followers section shows the growth by branch, and the branch
    # that lags its head-count gets a recommendation
    followers = report["report"]["followers"]
    assert {b["code"] for b in followers["branches"]} >= set(sent["branches"])
    lagging = [r for r in followers["recommendations"] if r["params"].get("code") == "suzhou"]
    assert lagging, followers["recommendations"]
