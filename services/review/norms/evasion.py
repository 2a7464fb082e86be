"""How the original spelling of a match differs from its normal form (``Evasion``).

Each character is judged once (then remembered): an emoji modifier or a character that
folds to a separator is ``separator``, an invisible one ``zero_width``; otherwise its
NFKC form may be ``fullwidth``, its casefold ``case`` and its simplified form
``traditional``. ``substitute`` is set by the table of substitutes, not here.
"""

from __future__ import annotations

import unicodedata
from enum import IntFlag

from services.review.norms.folding import (
    KEEP_AS_IS,
    class_of,
    fold_char,
    is_emoji_modifier,
    is_invisible,
    simplify_char,
)

__all__ = ["Evasion", "evasion_flags", "evasion_label"]


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


def _flags_of(char: str) -> Evasion:
    if is_emoji_modifier(char):  # part of an emoji, not a hidden character
        return Evasion.SEPARATOR
    if is_invisible(char):
        return Evasion.ZERO_WIDTH
    folded = fold_char(char)
    if folded and all(class_of(c) in "sc" for c in folded):
        return Evasion.SEPARATOR
    flags = Evasion.NONE
    compat = unicodedata.normalize("NFKC", char)
    if compat != char and char not in KEEP_AS_IS:
        flags |= Evasion.FULLWIDTH
    lowered = compat.casefold()
    if lowered != compat:
        flags |= Evasion.CASE
    if "".join(simplify_char(c) for c in lowered) != lowered:
        flags |= Evasion.TRADITIONAL
    return flags


class _FlagTable(dict[str, Evasion]):
    def __missing__(self, char: str) -> Evasion:
        value = self[char] = _flags_of(char)
        return value


_FLAGS = _FlagTable()


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
