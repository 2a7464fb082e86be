"""The end of the demo: figures from the services' APIs, where every artifact is, and how
to go on exploring the running services."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from demo.client import ApiClient
from demo.records import RunRecord

__all__ = ["collect_summary", "print_summary"]


async def collect_summary(api: ApiClient, record: RunRecord, tolerance: float) -> dict[str, Any]:
    """The run's figures, as the services report them (plus what the driver sent)."""
    published = await api.posts("published")
    on_time = sum(1 for p in published if float(p.get("lateness_seconds") or 0) <= tolerance)
    posts_all = await api.posts()
    enquiries = await api.enquiries()
    windows = await api.windows()
    reports = await api.reports()
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
        "on_time_tolerance_seconds": tolerance,
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
        "biweekly_report": record.biweekly_report_id,
        "biweekly_fallback": record.biweekly_fallback,
    }
    return summary


def _table(s: dict[str, Any]) -> Table:
    table = Table(title="两周运营模拟：汇总", show_lines=False)
    table.add_column("项目")
    table.add_column("数值", justify="right")
    rows = [
        ("稿件（提交 / 迟交）", f"{s['drafts_submitted']} / {s['drafts_submitted_late']}"),
        (
            "审核通过 / 驳回 / 特批",
            f"{s['reviews_approved']} / {s['reviews_rejected']} / {s['approved_with_override']}",
        ),
        ("推送（准时 / 迟发）", f"{s['posts_on_time']} / {s['posts_late']}"),
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
            "咨询：12 小时内回复 / 超时回复 / 未回复",
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


def print_summary(
    console: Console, record: RunRecord, urls: dict[str, str], manifest: Path
) -> None:
    """Where everything is, the figures, and how to explore the running services."""
    s = record.summary
    run_dir = Path(record.run_dir)
    published = sorted((run_dir / "published").rglob("*.html"))
    console.rule("[bold]产出物")
    console.print(f"命名空间 CONTENTOPS_NAMESPACE = [bold]{record.namespace}[/bold]")
    console.print(f"已发布推送（本地渠道 HTML，{len(published)} 个）：{run_dir / 'published'}")
    for path in published:
        console.print(f"  • {path}")
    console.print(f"核心问题文档（.md/.html/.docx）：{run_dir / 'documents'}")
    for post in record.posts:
        if post.documents:
            console.print(f"  • 《{post.title}》 {post.documents.get('html')}")
    console.print(f"运营分析报告（HTML/XLSX）：{run_dir / 'reports'}")
    for report_id, files in record.reports.items():
        mark = " ← 双周报告" if report_id == record.biweekly_report_id else ""
        console.print(f"  • {files.get('html')}  {files.get('xlsx')}{mark}")
    if record.biweekly_fallback:
        console.print("[yellow]双周报告未按计划生成，已通过 POST /reports 按需生成。[/yellow]")
    console.print(f"运行清单：{manifest}")
    console.print(_table(s))
    for note in record.notes:
        console.print(f"[yellow]注意：{note}[/yellow]")
    console.rule("[bold]服务仍在运行（`make stop` 停止）")
    for name, url in urls.items():
        console.print(f"  {name:<10} {url}/docs   （事件 {url}/asyncapi，指标 {url}/metrics）")
    console.print(
        "API 令牌见 var/local.env（TOKEN_EDITOR、TOKEN_REVIEWER、TOKEN_DIRECTOR…），"
        "请求头 Authorization: Bearer <token>。模拟时钟仍在加速运行（var/demo.env）。"
    )
