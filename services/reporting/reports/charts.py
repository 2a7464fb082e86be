"""Charts as inline SVG, drawn with matplotlib's object API (no pyplot, no GUI backend).

Chart labels use Chinese category names only when a CJK font is installed; otherwise the
English names, so no glyph goes missing. Rendering is serialised by a lock because
matplotlib's rcParams are process-global.
"""

from __future__ import annotations

import html
import io
import re
import threading
from functools import cache
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure

from .inputs import CATEGORIES, CATEGORY_LABELS
from .model import CategoryRow, Report

__all__ = ["cjk_font", "report_charts"]

_LOCK = threading.Lock()
_CJK_HINTS = (
    "cjk",
    "wenquanyi",
    "source han",
    "simhei",
    "yahei",
    "pingfang",
    "heiti",
    "noto sans sc",
)
_THIS, _PREV = "#2b6cb0", "#a0aec0"


@cache
def cjk_font() -> str | None:
    """Name of an installed font with CJK glyphs, or None."""
    for entry in font_manager.fontManager.ttflist:
        if any(hint in entry.name.lower() for hint in _CJK_HINTS):
            return str(entry.name)
    return None


def _labels() -> list[str]:
    if cjk_font() is None:
        return list(CATEGORIES)
    return [f"{CATEGORY_LABELS[c]}\n{c}" for c in CATEGORIES]


def _svg(fig: Figure, name: str, alt: str) -> str:
    buf = io.StringIO()
    # A salt per chart keeps ids unique between the SVGs of one page, yet deterministic.
    with matplotlib.rc_context({"svg.hashsalt": f"report-{name}"}):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    text = buf.getvalue()
    start = text.find("<svg")
    svg = text[start:] if start >= 0 else text
    return re.sub(
        r"^<svg ",
        f'<svg role="img" aria-label="{html.escape(alt)}" class="chart chart-{name}" ',
        svg,
    )


def _grouped(
    name: str,
    title: str,
    current: list[float],
    previous: list[float],
    *,
    percent: bool,
) -> str:
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.subplots()
    xs = list(range(len(current)))
    width = 0.38
    ax.bar([x - width / 2 for x in xs], current, width, label="this period", color=_THIS)
    ax.bar([x + width / 2 for x in xs], previous, width, label="previous period", color=_PREV)
    ax.set_xticks(xs, _labels(), fontsize=8)
    ax.set_title(title, fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False)
    if percent:
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.1f}%")
    return _svg(fig, name, title)


def _values(rows: list[CategoryRow], attr: str, scale: float = 1.0) -> list[float]:
    return [float(getattr(r.metrics, attr) or 0.0) * scale for r in rows]


def _sentiment(rows: list[CategoryRow]) -> str:
    fig = Figure(figsize=(6.4, 3.0), layout="constrained")
    ax = fig.subplots()
    labels = _labels()
    left = [0.0] * len(rows)
    for attr, colour, legend in (
        ("positive_share", "#38a169", "positive"),
        ("neutral_share", "#a0aec0", "neutral"),
        ("negative_share", "#e53e3e", "negative"),
    ):
        widths = _values(rows, attr, 100)
        ax.barh(labels, widths, left=left, color=colour, label=legend)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}%")
    ax.tick_params(labelsize=8)
    ax.set_title("Sentiment split by category", fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, ncols=3, loc="lower center", bbox_to_anchor=(0.5, -0.35))
    return _svg(fig, "sentiment", "Sentiment split by category")


def report_charts(report: Report) -> list[str]:
    """The report's charts as standalone ``<svg>`` strings."""
    rc: dict[Any, Any] = {"svg.fonttype": "none"}
    font = cjk_font()
    if font is not None:
        rc["font.family"] = [font, "DejaVu Sans"]
    cur, prev = report.categories, report.previous_categories
    with _LOCK, matplotlib.rc_context(rc):
        return [
            _grouped(
                "reads",
                "Reads by category",
                _values(cur, "reads"),
                _values(prev, "reads"),
                percent=False,
            ),
            _grouped(
                "engagement",
                "Engagement rate by category",
                _values(cur, "engagement_rate", 100),
                _values(prev, "engagement_rate", 100),
                percent=True,
            ),
            _sentiment(cur),
        ]
