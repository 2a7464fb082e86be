"""Charts are drawn in the CJK font found by path, and a missing glyph is an error (#17).

The font is Debian's fonts-wqy-zenhei (``make infra-tools``; the image installs it). A
chart whose Chinese fell back to a Latin font would show empty boxes: these tests render
the charts and fail if any glyph is missing, and show that the check would catch it.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from services.reporting.reports import (
    DEFAULT_CJK_FONT,
    ChartFont,
    ChartFontError,
    MissingGlyph,
    require_cjk_font,
    translator,
)
from services.reporting.reports.charts import chart_pngs, chart_svgs
from tests.unit.reporting.fortnight import fortnight_report

LATIN_ONLY = Path(font_manager.findfont("DejaVu Sans", fallback_to_default=False))


def test_the_configured_font_is_the_installed_wenquanyi_file() -> None:
    font = require_cjk_font()
    assert font.path == DEFAULT_CJK_FONT
    assert font.path.is_file(), "run `make infra-tools` (fonts-wqy-zenhei)"


def test_charts_render_every_chinese_glyph_in_that_font() -> None:
    font = require_cjk_font()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)"
        svgs = chart_svgs(fortnight_report(), translator("zh-CN"), font)
        pngs = chart_pngs(fortnight_report(), translator("zh-CN"), font)
    assert len(svgs) == len(pngs) == 3
    assert all(png.startswith(b"\x89PNG") for _, png in pngs)
    assert [title for title, _ in pngs] == ["各类别阅读量", "各类别互动率", "各类别情感分布"]


def test_every_text_of_a_chart_is_set_in_the_font_file() -> None:
    font = require_cjk_font()
    fig = Figure()
    ax = fig.subplots()
    ax.set_title("各类别阅读量", fontproperties=font.props(11))
    assert Path(font_manager.findfont(ax.title.get_fontproperties())) == font.path
    from matplotlib import rc_context

    with rc_context(font.rc()):
        label = fig.text(0, 0, "人力资源管理")
        assert Path(font_manager.findfont(label.get_fontproperties())) == font.path


def test_a_font_without_chinese_is_refused_at_start_up() -> None:
    with pytest.raises(ChartFontError, match="no glyph for"):
        require_cjk_font(LATIN_ONLY)
    with pytest.raises(ChartFontError, match="does not exist.*fonts-wqy-zenhei"):
        require_cjk_font("/nonexistent/font.ttc")


def test_drawing_with_a_font_that_lacks_a_glyph_raises_instead_of_drawing_boxes() -> None:
    latin = ChartFont(LATIN_ONLY)  # bypasses the start-up check, as a broken install would
    with pytest.raises(MissingGlyph, match="missing from font"):
        chart_svgs(fortnight_report(), translator("zh-CN"), latin)
    # English labels need no CJK glyph
    assert len(chart_svgs(fortnight_report(), translator("en"), latin)) == 3
