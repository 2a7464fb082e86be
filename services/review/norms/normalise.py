"""Evasion-resistant normalisation of Chinese text, with maps back to the original offsets.

Each layer is a view of the original text; every character of a view knows the index of
the original character it came from::

    original --fold--> folded --drop separators--> dense

fold
    per character: NFKC (full-width to half-width), casefold, traditional to simplified
    (OpenCC ``t2s``, one character at a time so that lengths never change); invisible
    characters (zero-width, joiners, variation selectors, combining marks) are removed.
dense
    separators are removed: spaces, symbols, emoji and punctuation other than sentence
    ends. Sentence ends (``。！？!?;`` and line breaks) stay as barriers, and a run of more
    than ``MAX_GAP`` separators is replaced by a barrier, so no match can span either.
    ``gaps`` records, for a dense index, what was dropped just before it.

Lexicon terms go through the same pipeline (``normalise_term``), so text and terms agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import IntFlag
from functools import cache
from typing import Protocol

__all__ = [
    "BARRIER",
    "MAX_GAP",
    "Evasion",
    "Gap",
    "NormalisedText",
    "Substitution",
    "densify",
    "evasion_flags",
    "evasion_label",
    "fold",
    "is_sentence_end",
    "is_word_char",
    "normalise",
    "normalise_term",
]

MAX_GAP = 3
"""Most separators (not counting invisible ones) allowed between two kept characters."""

BARRIER = "\x00"
"""Stands in the dense text for a gap longer than ``MAX_GAP``; no term contains it."""

_SENTENCE_ENDS = frozenset("。!?;…‥\n\r\u2028\u2029\x00")
_CLAUSE_MARKS = frozenset(",、:'\"")
_CLAUSE_CATEGORIES = frozenset({"Ps", "Pe", "Pi", "Pf"})  # brackets and quotes
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Mn", "Me"})
_KEEP_AS_IS = frozenset("…‥")  # NFKC would turn them into dots, which are separators


class Gap(IntFlag):
    """What was dropped between two kept characters of the dense text."""

    SEPARATOR = 1
    CLAUSE = 2  # a comma, colon, bracket or quote: often a real word boundary


class Evasion(IntFlag):
    """How the original spelling differs from the normalised term."""

    NONE = 0
    FULLWIDTH = 1
    CASE = 2
    TRADITIONAL = 4
    SEPARATOR = 8
    ZERO_WIDTH = 16
    SUBSTITUTE = 32  # a look-alike or homophone from the table of substitutes (薇信, vx)


_EVASION_NAMES = (
    (Evasion.FULLWIDTH, "fullwidth"),
    (Evasion.CASE, "case"),
    (Evasion.TRADITIONAL, "traditional"),
    (Evasion.SEPARATOR, "separator"),
    (Evasion.ZERO_WIDTH, "zero_width"),
    (Evasion.SUBSTITUTE, "substitute"),
)


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@cache
def _t2s() -> _Converter:
    import opencc  # imported late: it loads its dictionaries

    converter: _Converter = opencc.OpenCC("t2s")
    return converter


def _simplify_char(char: str) -> str:
    if char < "\u2e80":  # below the CJK blocks nothing changes
        return char
    converted = _t2s().convert(char)
    return converted if len(converted) == 1 else char


def _is_emoji_modifier(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0x1F3FB <= code <= 0x1F3FF or 0xE0100 <= code <= 0xE01EF


def _is_invisible(char: str) -> bool:
    return (
        unicodedata.category(char) in _INVISIBLE_CATEGORIES
        or _is_emoji_modifier(char)  # variation selectors, skin tones
        or char in "\u3164\u115f\u1160"  # Hangul fillers, used as blank padding
    )


def _fold_char(char: str) -> str:
    if char in _KEEP_AS_IS:
        return char
    if _is_invisible(char):
        return ""
    return "".join(_simplify_char(c) for c in unicodedata.normalize("NFKC", char).casefold())


def _class_of(char: str) -> str:
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


def _flags_of(char: str) -> Evasion:
    if _is_emoji_modifier(char):  # part of an emoji, not a hidden character
        return Evasion.SEPARATOR
    if _is_invisible(char):
        return Evasion.ZERO_WIDTH
    folded = _fold_char(char)
    if folded and all(_class_of(c) in "sc" for c in folded):
        return Evasion.SEPARATOR
    flags = Evasion.NONE
    compat = unicodedata.normalize("NFKC", char)
    if compat != char and char not in _KEEP_AS_IS:
        flags |= Evasion.FULLWIDTH
    lowered = compat.casefold()
    if lowered != compat:
        flags |= Evasion.CASE
    if "".join(_simplify_char(c) for c in lowered) != lowered:
        flags |= Evasion.TRADITIONAL
    return flags


class _FoldTable(dict[int, str]):
    """``str.translate`` table that folds a character on first sight, then remembers."""

    def __missing__(self, code: int) -> str:
        value = self[code] = _fold_char(chr(code))
        return value


class _OddLengthTable(dict[int, str]):
    """Marks a character ``o`` when its fold is not exactly one character long, else ``.``."""

    def __missing__(self, code: int) -> str:
        value = self[code] = "." if len(_FOLD[code]) == 1 else "o"
        return value


class _ClassTable(dict[int, str]):
    def __missing__(self, code: int) -> str:
        value = self[code] = _class_of(chr(code))
        return value


class _FlagTable(dict[str, Evasion]):
    def __missing__(self, char: str) -> Evasion:
        value = self[char] = _flags_of(char)
        return value


_FOLD = _FoldTable()
_ODD_LENGTH = _OddLengthTable()
_CLASS = _ClassTable()
_FLAGS = _FlagTable()
_DROP_RUN = re.compile(r"[sc]+")
_ODD = re.compile("o")


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the original index."""
    folded = text.translate(_FOLD)
    marks = text.translate(_ODD_LENGTH)
    if "o" not in marks:  # the usual case: one character for one
        return folded, list(range(len(text)))
    index: list[int] = []
    position = 0
    for odd in _ODD.finditer(marks):
        i = odd.start()
        index.extend(range(position, i))
        index.extend([i] * len(_FOLD[ord(text[i])]))
        position = i + 1
    index.extend(range(position, len(text)))
    return folded, index


@dataclass(frozen=True, slots=True)
class Substitution:
    """A look-alike or homophone replaced by its standard spelling (``薇信`` -> ``微信``)."""

    start: int  # original offsets of the variant as written
    end: int
    variant: str  # the original text, e.g. ``wei xin``
    canonical: str  # what it stands for, e.g. ``微信``


@dataclass(frozen=True, slots=True)
class NormalisedText:
    """The folded and dense views of a text, with maps to original offsets.

    ``*_index`` gives, for each character of a view, the original index where it starts;
    ``*_ends`` (only in a view with substitutions) where it ends, since a substitute such
    as ``微信`` stands for several original characters (``wei xin``).
    """

    original: str
    folded: str
    folded_index: list[int]
    dense: str
    dense_index: list[int]
    gaps: dict[int, Gap]
    folded_ends: list[int] | None = None
    dense_ends: list[int] | None = None
    substitutions: tuple[Substitution, ...] = ()

    def folded_span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the folded slice ``[start:end]`` (non-empty)."""
        if self.folded_ends is not None:
            return self.folded_index[start], self.folded_ends[end - 1]
        return self.folded_index[start], self.folded_index[end - 1] + 1

    def dense_span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``(start, end)`` of the dense slice ``[start:end]`` (non-empty)."""
        if self.dense_ends is not None:
            return self.dense_index[start], self.dense_ends[end - 1]
        return self.dense_index[start], self.dense_index[end - 1] + 1

    def substitutions_in(self, start: int, end: int) -> tuple[Substitution, ...]:
        """The substitutions that overlap the original span ``[start:end]``."""
        return tuple(s for s in self.substitutions if s.start < end and start < s.end)


def normalise(text: str) -> NormalisedText:
    """Fold ``text`` and drop its separators, keeping maps to the original offsets."""
    folded, folded_index = fold(text)
    return densify(text, folded, folded_index)


def densify(
    text: str,
    folded: str,
    folded_index: list[int],
    folded_ends: list[int] | None = None,
    substitutions: tuple[Substitution, ...] = (),
) -> NormalisedText:
    """The dense view of a folded view (``folded_ends`` when substitutes changed it)."""
    classes = folded.translate(_CLASS)
    parts: list[str] = []
    dense_index: list[int] = []
    dense_ends: list[int] | None = [] if folded_ends is not None else None
    gaps: dict[int, Gap] = {}
    length = 0
    position = 0
    for run in _DROP_RUN.finditer(classes):
        start, end = run.span()
        if start > position:
            parts.append(folded[position:start])
            dense_index.extend(folded_index[position:start])
            if dense_ends is not None and folded_ends is not None:
                dense_ends.extend(folded_ends[position:start])
            length += start - position
        if end - start > MAX_GAP:
            parts.append(BARRIER)
            dense_index.append(folded_index[start])
            if dense_ends is not None and folded_ends is not None:
                dense_ends.append(folded_ends[start])
            length += 1
        else:
            gaps[length] = Gap.CLAUSE if "c" in classes[start:end] else Gap.SEPARATOR
        position = end
    if position < len(folded):
        parts.append(folded[position:])
        dense_index.extend(folded_index[position:])
        if dense_ends is not None and folded_ends is not None:
            dense_ends.extend(folded_ends[position:])
    return NormalisedText(
        original=text,
        folded=folded,
        folded_index=folded_index,
        dense="".join(parts),
        dense_index=dense_index,
        gaps=gaps,
        folded_ends=folded_ends,
        dense_ends=dense_ends,
        substitutions=substitutions,
    )


def normalise_term(term: str) -> str:
    """The dense form of a lexicon term, comparable with ``NormalisedText.dense``."""
    folded = term.translate(_FOLD)
    classes = folded.translate(_CLASS)
    return "".join(c for c, k in zip(folded, classes, strict=True) if k in "kb" and c != BARRIER)


def is_word_char(char: str) -> bool:
    """True for a character that folds to an ASCII letter or digit."""
    return any(c.isascii() and c.isalnum() for c in _FOLD[ord(char)])


def is_sentence_end(char: str) -> bool:
    """True for a character that ends a sentence in the dense text (``。！？；``, a break)."""
    return char in _SENTENCE_ENDS


def evasion_flags(text: str) -> Evasion:
    """Every way in which the characters of ``text`` differ from their normal form."""
    flags = Evasion.NONE
    for char in text:
        flags |= _FLAGS[char]
    return flags


def evasion_label(flags: Evasion) -> str:
    """``none`` or the kinds joined by ``+``, e.g. ``traditional+separator``."""
    names = [name for flag, name in _EVASION_NAMES if flags & flag]
    return "+".join(names) if names else "none"
