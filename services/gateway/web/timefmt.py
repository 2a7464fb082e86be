"""Times as people read them: China time with the zone shown, and spans in words."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

__all__ = ["local_time", "span_text"]


def local_time(value: datetime | str | None, zone: ZoneInfo, lang: str) -> str:
    """``2026-11-23 11:30 (UTC+08:00 北京时间)``; empty for ``None``."""
    if value is None or value == "":
        return ""
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    local = when.astimezone(zone)
    offset = local.strftime("%z")
    label = "北京时间" if lang == "zh-CN" else "China time"
    if zone.key != "Asia/Shanghai":
        label = zone.key
    return f"{local:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]} {label})"


def span_text(seconds: float, lang: str) -> str:
    """``还剩 1 小时 25 分`` / ``1 h 25 min left``; ``已超时 …`` / ``overdue by …``."""
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if lang == "zh-CN":
        parts = (f"{days} 天 " if days else "") + (f"{hours} 小时 " if hours or days else "")
        span = f"{parts}{mins} 分钟"
        return f"还剩 {span}" if seconds >= 0 else f"已超时 {span}"
    parts = (f"{days} d " if days else "") + (f"{hours} h " if hours or days else "")
    span = f"{parts}{mins} min"
    return f"{span} left" if seconds >= 0 else f"overdue by {span}"
