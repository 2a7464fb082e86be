"""Charts drawn with matplotlib's object API (no pyplot, no GUI backend) in a CJK font
found **by path**, never through matplotlib's font cache (which can miss a font
installed after it was built).

The font file is configuration (``REPORTING_CJK_FONT``; default WenQuanYi Zen Hei,
Debian's ``fonts-wqy-zenhei``, which ``make infra-tools`` and the image install). The
service checks it at start-up (:func:`require_cjk_font`); every text of a chart is set
in it, and a glyph missing while drawing raises :class:`MissingGlyph` instead of leaving
empty boxes in a report. SVG charts (HTML) draw their text as paths, so they look the
same in every browser whatever fonts it has; PNG charts go into the DOCX. Rendering is
serialised by a lock because matplotlib's rcParams are process-global.
"""

from __future__ import annotations

import html
import io
import re
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ft2font import FT2Font

from .i18n import N_, Translator
from .inputs import CATEGORIES, CATEGORY_LABELS
from .model import CategoryRow, Report

__all__ = [
    "DEFAULT_CJK_FONT",
    "Chart",
    "ChartFont",
    "ChartFontError",
    "MissingGlyph",
    "chart_pngs",
    "chart_svgs",
    "require_cjk_font",
]

DEFAULT_CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
"""Debian's fonts-wqy-zenhei (文泉驿正黑)."""

_LOCK = threading.Lock()
_THIS, _PREV = "#2b6cb0", "#a0aec0"
_PROBE = "".join(CATEGORY_LABELS.values()) + "本期上期阅读互动率正面中性负面按类别"
_MISSING = re.compile(r"Glyph \d+ .*missing from font")


class ChartFontError(RuntimeError):
    """The configured CJK font file is missing or cannot draw Chinese."""


class MissingGlyph(RuntimeError):  # noqa: N818 - reads as what happened
    """A chart's text needed a glyph its font does not have."""


@dataclass(frozen=True)
class ChartFont:
    """The font file every chart text is set in."""

    path: Path

    def props(self, size: float) -> FontProperties:
        return FontProperties(fname=str(self.path), size=size)

    def rc(self) -> Any:
        """rcParams that make the file's family the default of every text (tick labels
        are made while drawing): the file is added to the font manager by path first."""
        family, weight = _registered(str(self.path))
        # WenQuanYi has no U+2212 MINUS SIGN (an empty chart's axis goes below 0): use "-".
        return {"font.family": [family], "font.weight": weight, "axes.unicode_minus": False}


@cache
def _registered(path: str) -> tuple[str, int | str]:
    font_manager.fontManager.addfont(path)
    family = FT2Font(path).family_name
    weights = [e.weight for e in font_manager.fontManager.ttflist if e.fname == path]
    return family, weights[0] if weights else "normal"


def require_cjk_font(path: Path | str = DEFAULT_CJK_FONT) -> ChartFont:
    """The font at ``path`` once it is known to hold the Chinese of the charts; else a
    :class:`ChartFontError` that says how to install it."""
    font_path = Path(path)
    hint = (
        "install Debian's fonts-wqy-zenhei (`make infra-tools`, or `apt-get install "
        "fonts-wqy-zenhei`) or set REPORTING_CJK_FONT to a .ttf/.otf/.ttc with Chinese glyphs"
    )
    if not font_path.is_file():
        raise ChartFontError(f"chart font {font_path} does not exist: {hint}")
    try:
        face = FT2Font(str(font_path))
    except (OSError, RuntimeError, ValueError) as exc:
        raise ChartFontError(f"chart font {font_path} cannot be read ({exc}): {hint}") from exc
    missing = sorted({ch for ch in _PROBE if face.get_char_index(ord(ch)) == 0})
    if missing:
        raise ChartFontError(
            f"chart font {font_path} has no glyph for {''.join(missing)!r}: {hint}"
        )
    return ChartFont(font_path)


@dataclass(frozen=True)
class Chart:
    """One chart: a stable name and its (translated) title."""

    name: str
    title: str
    figure: Figure


def _labels(tr: Translator) -> list[str]:
    return [tr.category(c) for c in CATEGORIES]


def _values(rows: Sequence[CategoryRow], attr: str, scale: float = 1.0) -> list[float]:
    return [float(getattr(r.metrics, attr) or 0.0) * scale for r in rows]


def _style(ax: Any, title: str, font: ChartFont) -> None:
    ax.set_title(title, fontproperties=font.props(11))
    ax.spines[["top", "right"]].set_visible(False)
    for label in [*ax.get_xticklabels(), *ax.get_yticklabels()]:
        label.set_fontproperties(font.props(8))


def _grouped(
    title: str,
    current: list[float],
    previous: list[float],
    tr: Translator,
    font: ChartFont,
    *,
    percent: bool,
) -> Figure:
    fig = Figure(figsize=(6.4, 3.4), layout="constrained")
    ax = fig.subplots()
    xs = list(range(len(current)))
    width = 0.38
    ax.bar([x - width / 2 for x in xs], current, width, label=tr("This period"), color=_THIS)
    ax.bar([x + width / 2 for x in xs], previous, width, label=tr("Previous period"), color=_PREV)
    ax.set_xticks(xs, _labels(tr))
    if percent:
        ax.yaxis.set_major_formatter(lambda v, _pos: f"{v:.1f}%")
    ax.legend(prop=font.props(8), frameon=False)
    _style(ax, title, font)
    return fig


def _sentiment(rows: Sequence[CategoryRow], title: str, tr: Translator, font: ChartFont) -> Figure:
    fig = Figure(figsize=(6.4, 3.0), layout="constrained")
    ax = fig.subplots()
    labels = _labels(tr)
    left = [0.0] * len(rows)
    for attr, colour, legend in (
        ("positive_share", "#38a169", N_("Positive")),
        ("neutral_share", "#a0aec0", N_("Neutral")),
        ("negative_share", "#e53e3e", N_("Negative")),
    ):
        widths = _values(rows, attr, 100)
        ax.barh(labels, widths, left=left, color=colour, label=tr(legend))
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_xlim(0, 100)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(lambda v, _pos: f"{v:.0f}%")
    ax.legend(
        prop=font.props(8), frameon=False, ncols=3, loc="lower center", bbox_to_anchor=(0.5, -0.35)
    )
    _style(ax, title, font)
    return fig


def _charts(report: Report, tr: Translator, font: ChartFont) -> list[Chart]:
    cur, prev = report.categories, report.previous_categories
    reads, engagement, sentiment = (
        tr("Reads by category"),
        tr("Engagement rate by category"),
        tr("Sentiment by category"),
    )
    return [
        Chart(
            "reads",
            reads,
            _grouped(reads, _values(cur, "reads"), _values(prev, "reads"), tr, font, percent=False),
        ),
        Chart(
            "engagement",
            engagement,
            _grouped(
                engagement,
                _values(cur, "engagement_rate", 100),
                _values(prev, "engagement_rate", 100),
                tr,
                font,
                percent=True,
            ),
        ),
        Chart("sentiment", sentiment, _sentiment(cur, sentiment, tr, font)),
    ]


def _save(fig: Figure, fmt: str, name: str, **kw: Any) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # A salt per chart keeps ids unique between the SVGs of one page, yet deterministic.
        with matplotlib.rc_context({"svg.hashsalt": f"report-{name}", "svg.fonttype": "path"}):
            fig.savefig(buf, format=fmt, **kw)  # constrained layout: no second "tight" pass
    for w in caught:
        if _MISSING.search(str(w.message)):
            raise MissingGlyph(f"chart {name!r}: {w.message}")
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return buf.getvalue()


def _rendered(
    report: Report, tr: Translator, font: ChartFont, save: Callable[[Chart], bytes]
) -> list[tuple[Chart, bytes]]:
    with _LOCK, matplotlib.rc_context(font.rc()):
        return [(chart, save(chart)) for chart in _charts(report, tr, font)]


def chart_svgs(report: Report, tr: Translator, font: ChartFont) -> list[str]:
    """The report's charts as standalone ``<svg>`` strings (text drawn as paths)."""
    out = []
    for chart, data in _rendered(
        report, tr, font, lambda c: _save(c.figure, "svg", c.name, metadata={"Date": None})
    ):
        text = data.decode("utf-8")
        start = text.find("<svg")
        svg = text[start:] if start >= 0 else text
        label = html.escape(chart.title)
        out.append(
            re.sub(
                r"^<svg ",
                f'<svg role="img" aria-label="{label}" class="chart chart-{chart.name}" ',
                svg,
            )
        )
    return out


def chart_pngs(report: Report, tr: Translator, font: ChartFont) -> list[tuple[str, bytes]]:
    """The report's charts as PNG images (title, bytes), 150 dpi."""
    return [
        (chart.title, data)
        for chart, data in _rendered(
            report, tr, font, lambda c: _save(c.figure, "png", c.name, dpi=150)
        )
    ]
