"""Evasion-resistant normalisation of Chinese text, with maps back to the original offsets.

Each layer is a view of the original text; every character of a view knows the index of
the original character it came from::

    original --fold--> folded --drop separators--> dense

fold
    per character (:mod:`.folding`): NFKC (full-width to half-width), casefold,
    traditional to simplified (OpenCC ``t2s``, one character at a time so that lengths
    never change); invisible characters (zero-width, joiners, variation selectors,
    combining marks) are removed.
dense
    separators are removed: spaces, symbols, emoji and punctuation other than sentence
    ends. Sentence ends (``。！？!?;`` and line breaks) stay as barriers, and a run of more
    than ``MAX_GAP`` separators is replaced by a barrier, so no match can span either.
    ``gaps`` records, for a dense index, what was dropped just before it.

Lexicon terms go through the same pipeline (``normalise_term``), so text and terms agree.
How a match's spelling differs from its normal form is :mod:`.evasion`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntFlag

from services.review.norms.folding import CLASS, FOLD, fold

__all__ = [
    "BARRIER",
    "MAX_GAP",
    "Gap",
    "NormalisedText",
    "Substitution",
    "densify",
    "normalise",
    "normalise_term",
]

MAX_GAP = 3
"""Most separators (not counting invisible ones) allowed between two kept characters."""

BARRIER = "\x00"
"""Stands in the dense text for a gap longer than ``MAX_GAP``; no term contains it."""

_DROP_RUN = re.compile(r"[sc]+")


class Gap(IntFlag):
    """What was dropped between two kept characters of the dense text."""

    SEPARATOR = 1
    CLAUSE = 2  # a comma, colon, bracket or quote: often a real word boundary


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
    classes = folded.translate(CLASS)
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
    folded = term.translate(FOLD)
    classes = folded.translate(CLASS)
    return "".join(c for c, k in zip(folded, classes, strict=True) if k in "kb" and c != BARRIER)
