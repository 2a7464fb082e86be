"""Text cleaning: NFKC, traditional to simplified, WeChat sticker codes and emoji removed.

Sticker codes (``[捂脸]``, ``[强]``, ``[OK]``) and emoji are returned alongside the clean
text, because sentiment uses them as hints before they disappear.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

__all__ = [
    "CleanText",
    "clean_text",
    "display_text",
    "find_emoji",
    "find_stickers",
    "strip_emoji",
    "strip_stickers",
    "to_simplified",
]

# A sticker code is a short bracketed token of Chinese or Latin characters; "[1]"-style
# footnote numbers are not stickers.
_STICKER_RE = re.compile(r"\[(?!\d+\])([\u4e00-\u9fffA-Za-z0-9]{1,5})\]")
_EMOJI_RE = re.compile(
    "["
    "\U0001f000-\U0001faff"  # pictographs, emoticons, transport, symbols and pictographs ext.
    "\U0001f1e6-\U0001f1ff"  # regional indicators (flags)
    "\u2600-\u27bf"  # misc symbols, dingbats
    "\u2b00-\u2bff"  # arrows and stars (⭐)
    "\u2300-\u23ff"  # technical (⌚ ⏰)
    "\ufe0e\ufe0f\u200d\u20e3"  # variation selectors, zero-width joiner, keycap
    "]+"
)
_SPACE_RE = re.compile(r"\s+")
_JOINERS = "\ufe0e\ufe0f\u200d\u20e3"


@dataclass(frozen=True, slots=True)
class CleanText:
    """Clean text plus the stickers and emoji removed from it (in order of appearance)."""

    text: str
    stickers: tuple[str, ...] = ()
    emoji: tuple[str, ...] = ()


@cache
def _converter() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters to simplified (OpenCC ``t2s``)."""
    if not text:
        return text
    return str(_converter().convert(text))


def find_stickers(text: str) -> tuple[str, ...]:
    """Names of the WeChat sticker codes in ``text``, e.g. ``("捂脸", "强")``."""
    return tuple(_STICKER_RE.findall(text)) if "[" in text else ()


def strip_stickers(text: str) -> str:
    """Remove WeChat sticker codes such as ``[捂脸]``."""
    return _STICKER_RE.sub("", text)


def find_emoji(text: str) -> tuple[str, ...]:
    """Emoji characters in ``text`` (joiners and variation selectors dropped)."""
    found = _EMOJI_RE.findall(text)
    return tuple(ch for run in found for ch in run if ch not in _JOINERS) if found else ()


def strip_emoji(text: str) -> str:
    """Remove emoji."""
    return _EMOJI_RE.sub("", text)


def clean_text(raw: str) -> CleanText:
    """NFKC, traditional to simplified, then strip stickers and emoji and squeeze spaces."""
    if not raw:
        return CleanText("")
    text = to_simplified(unicodedata.normalize("NFKC", raw))
    stickers = find_stickers(text)
    emoji = find_emoji(text)
    if stickers:
        text = strip_stickers(text)
    if emoji:
        text = strip_emoji(text)
    return CleanText(_SPACE_RE.sub(" ", text).strip(), stickers, emoji)


def display_text(raw: str) -> str:
    """Text for quoting to a reader: simplified, stickers and emoji removed, but without NFKC
    (which would turn Chinese punctuation such as ``，？`` into ASCII)."""
    text = strip_emoji(strip_stickers(to_simplified(raw)))
    return _SPACE_RE.sub(" ", text).strip()
