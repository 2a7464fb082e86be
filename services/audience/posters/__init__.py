"""Printable posters of a branch's or campaign's QR code (PNG and PDF), drawn with Pillow."""

from services.audience.posters.render import FontMissing, Poster, find_font, render_poster

__all__ = ["FontMissing", "Poster", "find_font", "render_poster"]
