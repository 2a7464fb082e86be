"""Draw a poster: the account's name, the code, the branch (or campaign) and its code.

A4 at 150 dpi (1240 x 1754 px); the PDF is the same page. Chinese needs a CJK font, found
by path (``AUDIENCE_POSTER_FONTS``; by default WenQuanYi Zen Hei from ``fonts-wqy-zenhei``
and Noto CJK): without one the poster is refused rather than printed with empty boxes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont

__all__ = ["DEFAULT_FONTS", "FontMissing", "Poster", "find_font", "render_poster"]

DEFAULT_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
)
PAGE = (1240, 1754)
QR_SIDE = 820


class FontMissing(Exception):
    """No CJK font at any of the configured paths."""

    def __init__(self, paths: Sequence[str]) -> None:
        super().__init__(
            "No CJK font found for the poster; install fonts-wqy-zenhei or set "
            f"AUDIENCE_POSTER_FONTS (looked at: {', '.join(paths)})."
        )


@dataclass(frozen=True, slots=True)
class Poster:
    png: bytes
    pdf: bytes


def find_font(paths: Sequence[str]) -> str:
    """The first existing font file among ``paths``."""
    for path in paths:
        if Path(path).is_file():
            return path
    raise FontMissing(paths)


def _code_image(image: bytes | None, url: str) -> Image.Image:
    if image:
        try:
            return Image.open(io.BytesIO(image)).convert("RGB")
        except OSError:
            pass  # not an image we can read: draw the code from its URL instead
    drawn = qrcode.make(url, border=2)
    converted: Image.Image = drawn.get_image().convert("RGB")
    return converted


def _centred(draw: ImageDraw.ImageDraw, y: int, text: str, font: ImageFont.FreeTypeFont) -> int:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)
    draw.text(((PAGE[0] - int(right - left)) // 2, y), text, fill="black", font=font)
    return y + int(bottom - top)


def render_poster(
    *,
    account: str,
    title: str,
    subtitle: str,
    url: str,
    image: bytes | None,
    font_paths: Sequence[str] = DEFAULT_FONTS,
) -> Poster:
    """The poster as PNG and PDF; ``image`` is ``showqrcode``'s, else drawn from ``url``."""
    font_path = find_font(font_paths)
    big = ImageFont.truetype(font_path, 72)
    middle = ImageFont.truetype(font_path, 52)
    small = ImageFont.truetype(font_path, 36)
    page = Image.new("RGB", PAGE, "white")
    draw = ImageDraw.Draw(page)
    y = _centred(draw, 120, account, big) + 50
    y = _centred(draw, y, "微信扫一扫 关注我们", small) + 60
    code = _code_image(image, url).resize((QR_SIDE, QR_SIDE), Image.Resampling.NEAREST)
    page.paste(code, ((PAGE[0] - QR_SIDE) // 2, y))
    y += QR_SIDE + 70
    y = _centred(draw, y, title, middle) + 40
    _centred(draw, y, subtitle, small)
    png, pdf = io.BytesIO(), io.BytesIO()
    page.save(png, format="PNG", optimize=True)
    page.save(pdf, format="PDF", resolution=150.0)
    return Poster(png=png.getvalue(), pdf=pdf.getvalue())
