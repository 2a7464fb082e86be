"""Per-character folding and classification, the first layer of :mod:`.normalise`.

fold
    per character: NFKC (full-width to half-width), casefold, traditional to simplified
    (OpenCC ``t2s``, one character at a time so that lengths never change); invisible
    characters (zero-width, joiners, variation selectors, combining marks) are removed.
classes
    each folded character is kept (``k``), a separator (``s``: spaces, symbols, emoji,
    punctuation other than sentence ends), a clause mark (``c``: commas, colons, brackets,
    quotes) or a barrier (``b``: sentence ends ``。！？!?;`` and line breaks).

The tables (``FOLD``, ``CLASS``) are ``str.translate`` tables that work a character out
on first sight and then remember it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Protocol

__all__ = [
    "CLASS",
    "FOLD",
    "KEEP_AS_IS",
    "class_of",
    "fold",
    "fold_char",
    "is_emoji_modifier",
    "is_invisible",
    "is_sentence_end",
    "is_word_char",
    "simplify_char",
]

_SENTENCE_ENDS = frozenset("。!?;…‥\n\r\u2028\u2029\x00")
_CLAUSE_MARKS = frozenset(",、:'\"")
_CLAUSE_CATEGORIES = frozenset({"Ps", "Pe", "Pi", "Pf"})  # brackets and quotes
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Mn", "Me"})
KEEP_AS_IS = frozenset("…‥")
"""Characters NFKC would turn into dots, which are separators; folding leaves them."""


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@cache
def _t2s() -> _Converter:
    import opencc  # imported late: it loads its dictionaries

    converter: _Converter = opencc.OpenCC("t2s")
    return converter


def simplify_char(char: str) -> str:
    """The simplified form of one character (itself when it has no one-character form)."""
    if char < "\u2e80":  # below the CJK blocks nothing changes
        return char
    converted = _t2s().convert(char)
    return converted if len(converted) == 1 else char


def is_emoji_modifier(char: str) -> bool:
    """True for a variation selector or a skin-tone modifier."""
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0100 <= code <= 0xE01EF


def is_invisible(char: str) -> bool:
    """True for a character that folding removes (zero-width, combining, blank padding)."""
    return (
        unicodedata.category(char) in _INVISIBLE_CATEGORIES
        or is_emoji_modifier(char)  # variation selectors, skin tones
        or char in "\u3164\u115f\u1160"  # Hangul fillers, used as blank padding
    )


def fold_char(char: str) -> str:
    """The folded form of one character: empty, one character or (rarely) several."""
    if char in KEEP_AS_IS:
        return char
    if is_invisible(char):
        return ""
    return "".join(simplify_char(c) for c in unicodedata.normalize("NFKC", char).casefold())


def class_of(char: str) -> str:
    """``k`` keep, ``s`` separator, ``c`` clause mark, ``b`` barrier."""
    if char in _SENTENCE_ENDS:
        return "b"
    if char.isspace():
        return "s"
    category = unicodedata.category(char)
    if char in _CLAUSE_MARKS or category in _CLAUSE_CATEGORIES:
        return "c"
    if category[0] in "PS" or category in ("Cn", "Co"):  # unassigned: new emoji
        return "s"
    return "k"


class _FoldTable(dict[int, str]):
    """``str.translate`` table that folds a character on first sight, then remembers."""

    def __missing__(self, code: int) -> str:
        value = self[code] = fold_char(chr(code))
        return value


class _OddLengthTable(dict[int, str]):
    """Marks a character ``o`` when its fold is not exactly one character long, else ``.``."""

    def __missing__(self, code: int) -> str:
        value = self[code] = "." if len(FOLD[code]) == 1 else "o"
        return value


class _ClassTable(dict[int, str]):
    def __missing__(self, code: int) -> str:
        value = self[code] = class_of(chr(code))
        return value


FOLD = _FoldTable()
_ODD_LENGTH = _OddLengthTable()
CLASS = _ClassTable()
_ODD = re.compile("o")


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the original index."""
    folded = text.translate(FOLD)
    marks = text.translate(_ODD_LENGTH)
    if "o" not in marks:  # the usual case: one character for one
        return folded, list(range(len(text)))
    index: list[int] = []
    position = 0
    for odd in _ODD.finditer(marks):
        i = odd.start()
        index.extend(range(position, i))
        index.extend([i] * len(FOLD[ord(text[i])]))
        position = i + 1
    index.extend(range(position, len(text)))
    return folded, index


def is_word_char(char: str) -> bool:
    """True for a character that folds to an ASCII letter or digit."""
    return any(c.isascii() and c.isalnum() for c in FOLD[ord(char)])


def is_sentence_end(char: str) -> bool:
    """True for a character that ends a sentence in the dense text (``。！？；``, a break)."""
    return char in _SENTENCE_ENDS
