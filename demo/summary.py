"""The end of the demo's two weeks: figures from the services' APIs and where every
artifact of the run is. What happens to the services next (real time or stopped) and how
to stop everything is :mod:`demo.status`'s, printed once ``make demo`` has handed over."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from demo.client import ApiClient, parse_instant
from demo.config import DemoPlan
from demo.punctuality import Punctuality
from demo.records import RunRecord

__all__ = ["collect_summary", "print_summary"]


async def collect_summary(
    api: ApiClient, record: RunRecord, punctuality: Punctuality, plan: DemoPlan
) -> dict[str, Any]:
    """The run's figures, as the services report them (plus what the driver sent).

    Punctuality is judged as the timeline judged it (:class:`Punctuality`, the
    publisher's lateness and tolerance); reports count when their period ends after the
    run's first midnight, as the artifact list does.
    """
    published = await api.posts("published")
    lateness = [punctuality.lateness_of(p) for p in published]
    on_time = sum(1 for late in lateness if punctuality.on_time(late))
    posts_all = await api.posts()
    enquiries = await api.enquiries()
    windows = await api.windows()
    every_report = await api.reports()
    reports = [r for r in every_report if plan.covers(parse_instant(r["period_end"]))]
    answered = [e for e in enquiries if e["state"] == "answered"]
    summary: dict[str, Any] = {
        "drafts_written": len(record.drafts),
        "drafts_submitted": sum(len(d.revisions_submitted) for d in record.drafts),
        "drafts_submitted_late": sum(1 for d in record.drafts if d.late),
        "reviews_approved": await api.count_reviews("approved"),
        "reviews_rejected": await api.count_reviews("rejected"),
        "approved_with_override": sum(d.decisions.count("overridden") for d in record.drafts),
        "posts_published": len(published),
        "posts_on_time": on_time,
        "posts_late": len(published) - on_time,
        "posts_not_published": sum(1 for p in posts_all if p["state"] != "published"),
        "on_time_tolerance_seconds": punctuality.tolerance_seconds,
        "lateness_seconds_min": min(lateness, default=0.0),
        "lateness_seconds_max": max(lateness, default=0.0),
        "feedback_events_sent": sum(p.events for p in record.posts),
        "feedback_duplicates_sent": sum(p.duplicates for p in record.posts),
        "feedback_items_stored": await api.count_feedback(),
        "comments": await api.count_feedback(kind="comment"),
        "messages": await api.count_feedback(kind="message"),
        "replies": await api.count_feedback(kind="reply"),
        "enquiries": len(enquiries),
        "enquiries_answered_within_12h": sum(1 for e in answered if not e["breached"]),
        "enquiries_answered_late": sum(1 for e in answered if e["breached"]),
        "enquiries_open": len(enquiries) - len(answered),
        "windows": len(windows),
        "windows_closed": sum(1 for w in windows if w["state"] == "closed"),
        "document_files": sum(len(p.documents) for p in record.posts),
        "reports": len(reports),
        "reports_by_kind": dict(Counter(r["kind"] for r in reports)),
        "reports_before_run": sorted(r["id"] for r in every_report if r not in reports),
        "biweekly_report": record.biweekly_report_id,
        "biweekly_fallback": record.biweekly_fallback,
    }
    return summary


ACCOUNT_TITLES = {
    "default": "融智财税（周一、三、五 11:30）",
    "talent": "融智人才（周二、四 08:00）",
}
"""The demo's two official accounts (#12) as the summary names them."""


def _table(s: dict[str, Any], punctuality: Punctuality, account: str = "default") -> Table:
    name = ACCOUNT_TITLES.get(account, account)
    table = Table(title=f"两周运营模拟：{name}", show_lines=False)
    table.add_column("项目")
    table.add_column("数值", justify="right")
    rows = [
        ("稿件（提交 / 迟交）", f"{s['drafts_submitted']} / {s['drafts_submitted_late']}"),
        (
            "审核通过 / 驳回 / 特批",
            f"{s['reviews_approved']} / {s['reviews_rejected']} / {s['approved_with_override']}",
        ),
        (
            f"推送（准时 / 迟发；{punctuality.tolerance_text()}）",
            f"{s['posts_on_time']} / {s['posts_late']}",
        ),
        (
            "发布延迟（发布者测得，模拟秒）",
            f"{s['lateness_seconds_min']:.0f}–{s['lateness_seconds_max']:.0f} 秒",
        ),
        ("未发布的推送", str(s["posts_not_published"])),
        (
            "反馈事件（发送 / 其中重复）",
            f"{s['feedback_events_sent']} / {s['feedback_duplicates_sent']}",
        ),
        (
            "反馈条目入库（评论 / 留言 / 回复）",
            f"{s['feedback_items_stored']}（{s['comments']} / {s['messages']} / {s['replies']}）",
        ),
        (
            "咨询：时限内回复 / 超时回复 / 未回复",
            f"{s['enquiries_answered_within_12h']} / {s['enquiries_answered_late']} / "
            f"{s['enquiries_open']}（共 {s['enquiries']}）",
        ),
        ("反馈窗口（已关闭 / 全部）", f"{s['windows_closed']} / {s['windows']}"),
        ("核心问题文档文件（md/html/docx）", str(s["document_files"])),
        (
            "报告",
            f"{s['reports']}（"
            + "，".join(f"{k} {v}" for k, v in sorted(s["reports_by_kind"].items()))
            + "）",
        ),
    ]
    for name, value in rows:
        table.add_row(name, value)
    return table


def _followers_table(promotion: dict[str, Any]) -> Table:
    """The branches' promotion (#14): growth by branch against its target, as the
    reporting service summarised the follower events, and what the demo pushed."""
    sent, summary = promotion["sent"], promotion["summary"]
    table = Table(title="网点推广：关注增长（报告服务统计）", show_lines=False)
    for column in ("网点", "负责人", "目标", "新关注", "取关", "期末关注", "完成率"):
        table.add_column(column, justify="left" if column in ("网点", "负责人") else "right")
    for b in summary.get("branches", []):
        share = b.get("share_of_target")
        table.add_row(
            str(b.get("name") or b["code"]),
            str(b.get("administrator") or ""),
            str(b.get("target") or "—"),
            str(b["subscribed"]),
            str(b["unsubscribed"]),
            str(b["followers_at_end"]),
            f"{share:.0%}" if share is not None else "—",
        )
    table.caption = (
        f"推送：网点二维码关注 {sum(sent['branches'].values())}、搜索关注 {sent['search']}、"
        f"取关 {sent['unsubscribes']}、重复推送 {sent['repeated_pushes']}；关键词提问 "
        f"{sent['keyword_questions']}，被动回复 {sent['keyword_answered']}。"
        f"报告服务：关注 {summary['subscribed']}，取关 {summary['unsubscribed']}，净增 "
        f"{summary['net']}"
    )
    return table


def print_summary(
    console: Console, record: RunRecord, punctuality: Punctuality, manifest: Path
) -> None:
    """Where this run's artifacts are, and the figures."""
    s = record.summary
    run_dir = Path(record.run_dir)
    published = sorted((run_dir / "published").rglob("*.html"))
    console.rule("[bold]产出物")
    console.print(f"命名空间 CONTENTOPS_NAMESPACE = [bold]{record.namespace}[/bold]")
    console.print(f"已发布推送（本地渠道 HTML，{len(published)} 个）：{run_dir / 'published'}")
    for path in published:
        console.print(f"  • {path}")
    runs = [record, *([record.talent] if record.talent else [])]
    console.print(f"核心问题文档（.md/.html/.docx）：{run_dir / 'documents'}")
    for run in runs:
        for post in run.posts:
            if post.documents:
                console.print(
                    f"  • [{ACCOUNT_TITLES.get(run.account, run.account)[:4]}]"
                    f"《{post.title}》 {post.documents.get('html')}"
                )
    console.print(f"运营分析报告（HTML/XLSX）：{run_dir / 'reports'}")
    for run in runs:
        for report_id, files in run.reports.items():
            mark = " ← 双周报告" if report_id == run.biweekly_report_id else ""
            console.print(f"  • {files.get('html')}  {files.get('xlsx')}{mark}")
    if record.reports_before_run:  # none expected: periods before any data are skipped
        console.print(
            f"[yellow]  （报告服务列出了 {len(record.reports_before_run)} 份周期在本次运行"
            f"首日之前结束的报告，不含本次数据，未下载：{'、'.join(record.reports_before_run)}）"
            "[/yellow]"
        )
    if record.biweekly_fallback:
        console.print("[yellow]双周报告未按计划生成，已通过 POST /reports 按需生成。[/yellow]")
    console.print(f"运行清单：{manifest}")
    console.print(_table(s, punctuality))
    if record.talent is not None and record.talent.summary:
        console.print(_table(record.talent.summary, punctuality, record.talent.account))
    if record.promotion:
        console.print(_followers_table(record.promotion))
        for advice in record.promotion["summary"].get("recommendations", []):
            params = "，".join(f"{k} {v}" for k, v in advice.get("params", {}).items())
            console.print(f"  • 报告建议 {advice['code']}：{params}（全文见双周报告）")
    for run in runs:
        for note in run.notes:
            console.print(f"[yellow]注意（{run.account}）：{note}[/yellow]")
