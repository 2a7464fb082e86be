"""What the report page draws, as pure rules over the reporting service's JSON: bar
charts as SVG geometry (drawn by the template, no script, no inline style: the console's
CSP allows neither), the key figures against the previous period, and percentages."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "KEY_FIGURES",
    "Bar",
    "BarChart",
    "Figure",
    "bar_chart",
    "key_figures",
    "percent",
]

KEY_FIGURES = (
    ("posts", "Posts published"),
    ("reads", "Reads"),
    ("likes", "Likes"),
    ("shares", "Shares"),
    ("comments", "Comments"),
    ("messages", "Messages"),
    ("enquiries", "Enquiries"),
    ("reply_rate_12h", "Answered within 12 hours"),
    ("engagement_rate", "Engagement rate"),
    ("negative_share", "Negative share"),
)
RATES = frozenset({"reply_rate_12h", "engagement_rate", "negative_share"})
LABEL_WIDTH = 190
BAR_HEIGHT = 22
GAP = 8
CHART_WIDTH = 560


def percent(value: Any) -> str:
    """``0.125`` -> ``12.5%``; ``—`` when there is no base."""
    if not isinstance(value, int | float):
        return "—"
    return f"{value * 100:.1f}%"


@dataclass(frozen=True)
class Figure:
    """A key figure of the period, the previous period's, and the change."""

    key: str
    label: str
    current: str
    previous: str
    change: str
    direction: int  # +1 up, -1 down, 0 same or unknown


def _shown(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key in RATES:
        return percent(value)
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def key_figures(totals: Mapping[str, Any], previous: Mapping[str, Any]) -> list[Figure]:
    """The key figures, each with the previous period's and the change (rates in points)."""
    out: list[Figure] = []
    for key, label in KEY_FIGURES:
        now, before = totals.get(key), previous.get(key)
        change, direction = "—", 0
        if isinstance(now, int | float) and isinstance(before, int | float):
            delta = now - before
            direction = (delta > 0) - (delta < 0)
            if key in RATES:
                change = f"{delta * 100:+.1f} pt"
            elif before:
                change = f"{delta:+,} ({delta / before * 100:+.0f}%)"
            else:
                change = f"{delta:+,}"
        out.append(Figure(key, label, _shown(key, now), _shown(key, before), change, direction))
    return out


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    shown: str
    y: int
    width: int


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars: a label column, then bars scaled to the largest value."""

    title: str
    bars: list[Bar]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT


def bar_chart(
    title: str, rows: Sequence[tuple[str, float | int | None]], *, rate: bool = False
) -> BarChart:
    """A bar per row (``None`` draws nothing and reads ``—``)."""
    largest = max((float(v) for _, v in rows if v is not None), default=0.0)
    room = CHART_WIDTH - LABEL_WIDTH - 70
    bars = []
    for index, (label, value) in enumerate(rows):
        width = int(round(room * float(value) / largest)) if value and largest > 0 else 0
        shown = percent(value) if rate else ("—" if value is None else f"{value:,}")
        bars.append(Bar(label, float(value or 0), shown, index * (BAR_HEIGHT + GAP), width))
    height = max(len(rows), 1) * (BAR_HEIGHT + GAP)
    return BarChart(title=title, bars=bars, width=CHART_WIDTH, height=height)
