"""Look-alike and homophone substitutes: ``加薇信``, ``V信``, ``wei xin`` stand for ``微信``.

The table is data (``lexicon/substitutes.txt``, reviewed by the operations manager), one
substitute per line::

    variant|standard spelling[|note]

Both sides go through ``normalise_term``, so width, case, traditional characters and
separators are already taken care of (``ＶＸ``, ``V-X`` and ``vx`` are one entry). The
table is applied to the dense view of a text (``加★薇★信`` is ``加薇信`` there) and the
result is a new ``NormalisedText`` whose characters still map to the original offsets: a
finding in ``加★薇★信`` points at those five original characters. A variant that begins
or ends with a Latin letter or digit needs a word boundary there in the original text
(``vx`` is not found in ``vxworks``), and no variant spans a comma, colon or quote.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field

from ahocorasick_rs import AhoCorasick, MatchKind

from services.review.norms.folding import is_word_char
from services.review.norms.normalise import (
    Gap,
    NormalisedText,
    Substitution,
    densify,
    normalise_term,
)

__all__ = ["Substitute", "SubstituteError", "SubstituteTable", "parse_substitute_lines"]


class SubstituteError(ValueError):
    """A line of the table of substitutes that cannot be used."""


@dataclass(frozen=True, slots=True)
class Substitute:
    """One variant and the standard spelling it stands for."""

    variant: str
    canonical: str
    note: str = ""
    key: str = field(init=False, compare=False)
    canonical_key: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        key, canonical_key = normalise_term(self.variant), normalise_term(self.canonical)
        if not key or not canonical_key:
            raise SubstituteError(f"{self.variant!r}|{self.canonical!r}: an empty side")
        if key == canonical_key:
            raise SubstituteError(
                f"{self.variant!r} is already read as {self.canonical!r} (width, case, "
                "traditional characters and separators are normalised anyway)"
            )
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "canonical_key", canonical_key)


def parse_substitute_lines(lines: Iterable[str], *, source: str) -> list[Substitute]:
    """Substitutes from lines in the table's format; ``source`` names them in errors."""
    found: list[Substitute] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        variant, _, rest = line.partition("|")
        canonical, _, note = rest.partition("|")
        try:
            found.append(Substitute(variant.strip(), canonical.strip(), note.strip()))
        except SubstituteError as error:
            raise SubstituteError(f"{source}:{number}: {error}") from error
    return found


def _is_word_end(char: str) -> bool:
    return char.isascii() and char.isalnum()


class SubstituteTable:
    """Applies a table of substitutes to normalised text and to lexicon keys."""

    def __init__(self, substitutes: Iterable[Substitute]) -> None:
        by_key: dict[str, Substitute] = {}
        for substitute in substitutes:
            by_key.setdefault(substitute.key, substitute)
        self._substitutes = list(by_key.values())
        self._automaton = (
            AhoCorasick([s.key for s in self._substitutes], matchkind=MatchKind.LeftmostLongest)
            if self._substitutes
            else None
        )

    def __len__(self) -> int:
        return len(self._substitutes)

    def canonical_key(self, key: str) -> str:
        """A normalised term (or phrase) with its variants replaced: ``加vx`` -> ``加微信``."""
        if self._automaton is None:
            return key
        parts: list[str] = []
        position = 0
        for index, start, end in self._automaton.find_matches_as_indexes(key):
            substitute = self._substitutes[index]
            if _is_word_end(substitute.key[0]) and start > 0 and _is_word_end(key[start - 1]):
                continue
            if _is_word_end(substitute.key[-1]) and end < len(key) and _is_word_end(key[end]):
                continue
            parts.append(key[position:start])
            parts.append(substitute.canonical_key)
            position = end
        parts.append(key[position:])
        return "".join(parts)

    def _acceptable(
        self, norm: NormalisedText, substitute: Substitute, start: int, end: int
    ) -> bool:
        if any(norm.gaps.get(i, Gap(0)) & Gap.CLAUSE for i in range(start + 1, end)):
            return False
        original_start, original_end = norm.dense_span(start, end)
        text = norm.original
        if (
            _is_word_end(substitute.key[0])
            and original_start > 0
            and is_word_char(text[original_start - 1])
        ):
            return False
        return not (
            _is_word_end(substitute.key[-1])
            and original_end < len(text)
            and is_word_char(text[original_end])
        )

    def apply(self, norm: NormalisedText) -> NormalisedText:
        """``norm`` with every variant replaced (``norm`` itself when there is none)."""
        if self._automaton is None:
            return norm
        chosen: list[tuple[int, int, Substitute]] = []
        for index, start, end in self._automaton.find_matches_as_indexes(norm.dense):
            substitute = self._substitutes[index]
            if self._acceptable(norm, substitute, start, end):
                chosen.append((*norm.dense_span(start, end), substitute))
        if not chosen:
            return norm
        folded, starts = norm.folded, norm.folded_index
        ends = norm.folded_ends or [i + 1 for i in starts]
        parts: list[str] = []
        new_starts: list[int] = []
        new_ends: list[int] = []
        substitutions: list[Substitution] = []
        position = 0
        for original_start, original_end, substitute in chosen:
            first = bisect_left(starts, original_start, lo=position)
            last = bisect_left(starts, original_end, lo=first)
            parts.append(folded[position:first])
            new_starts.extend(starts[position:first])
            new_ends.extend(ends[position:first])
            width = len(substitute.canonical_key)
            parts.append(substitute.canonical_key)
            new_starts.extend([original_start] * width)
            new_ends.extend([original_end] * width)
            substitutions.append(
                Substitution(
                    original_start,
                    original_end,
                    norm.original[original_start:original_end],
                    substitute.canonical,
                )
            )
            position = last
        parts.append(folded[position:])
        new_starts.extend(starts[position:])
        new_ends.extend(ends[position:])
        return densify(
            norm.original,
            "".join(parts),
            new_starts,
            new_ends,
            (*norm.substitutions, *substitutions),
        )
