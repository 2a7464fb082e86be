"""Plain-language findings (Chinese) and the formatting shared by the renderers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .model import CategoryComparison, HeadlineNumbers, SentimentSplit, ThemeSummary

__all__ = [
    "CHINA",
    "findings",
    "fmt_duration",
    "fmt_hours",
    "fmt_pct",
    "fmt_signed_pct",
    "fmt_time",
]

CHINA = ZoneInfo("Asia/Shanghai")


def fmt_time(value: datetime | None) -> str:
    """China time, minutes precision; ``—`` for none."""
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if value else "—"


def fmt_hours(hours: float) -> str:
    """``12`` or ``1.5``: the reply limit as the document states it."""
    return f"{hours:g}"


def fmt_duration(value: timedelta | None) -> str:
    """``3小时20分``; ``—`` for none."""
    if value is None:
        return "—"
    minutes = max(0, int(value.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    return f"{hours}小时{minutes}分" if hours else f"{minutes}分"


def fmt_pct(value: float | None) -> str:
    """``12.5%``; ``—`` for none."""
    return "—" if value is None else f"{value * 100:.1f}%"


def fmt_signed_pct(value: float | None) -> str:
    """``+12.5%`` / ``-3.0%``; ``—`` for none."""
    return "—" if value is None else f"{value * 100:+.1f}%"


def findings(
    headline: HeadlineNumbers,
    themes: Sequence[ThemeSummary],
    split: SentimentSplit,
    comparison: CategoryComparison,
    complaints: int,
) -> list[str]:
    """The summary lines at the top of the document."""
    h = headline
    lines = [
        f"本次推送窗口内共收到评论 {h.comments} 条、留言 {h.messages} 条；"
        f"识别并剔除垃圾信息 {h.spam} 条，迟到数据 {h.late_excluded} 条未计入。",
        f"需回复的问题 {h.enquiries} 条（登记咨询 {h.recorded_enquiries} 条，"
        f"评论/留言中识别 {h.detected_questions} 条）：已回复 {h.answered} 条，"
        f"未回复 {h.open} 条，超过{fmt_hours(h.reply_limit_hours)}小时 {h.breached} 条。",
    ]
    if h.breached:
        lines.append(
            f"有 {h.breached} 条问题超出“{fmt_hours(h.reply_limit_hours)}小时内必须回复”"
            "的要求，请督促跟进。"
        )
    if split.total:
        lines.append(
            f"情感分布：正面 {fmt_pct(split.share('positive'))}，"
            f"中性 {fmt_pct(split.share('neutral'))}，负面 {fmt_pct(split.share('negative'))}。"
        )
    if themes:
        top = themes[0]
        lines.append(
            f"客户最关注的主题是“{top.label}”（{top.count} 条，占 {fmt_pct(top.share)}）。"
        )
    if complaints:
        lines.append(f"负面反馈 {complaints} 条，需相关部门处理并回复。")
    if comparison.comments_vs_avg is not None:
        text = f"与本分类近期推送相比：评论数 {fmt_signed_pct(comparison.comments_vs_avg)}"
        if comparison.reads_vs_avg is not None:
            text += f"，阅读数 {fmt_signed_pct(comparison.reads_vs_avg)}"
        if comparison.negative_share_vs_avg is not None:
            text += f"，负面占比变化 {comparison.negative_share_vs_avg * 100:+.1f} 个百分点"
        lines.append(text + "。")
    return lines
