"""Condemnation or promotion: ``我们反对赌博`` warns, ``赌博网站推荐`` blocks.

For the subjects where it matters (gambling, drugs, pyramid selling, fraud…) a blocking
term is judged in its sentence of the normalised text (substitutes already applied):

* **condemned** when a condemning word stands just before the term (``反对``, ``远离``,
  ``谨防``, ``严禁`` within a few characters, no comma or colon between) or just after it
  (``危害``, ``违法``, ``陷阱``), that word is not negated (``不反对``, ``并不违法``), and
  the sentence holds no promotion word (``推荐``, ``优惠``, ``注册``, ``一起赚``) that is
  not itself negated or refused (``不要购买``, ``严禁购买``). The finding becomes a
  warning whose explanation says why;
* otherwise it still blocks; when a condemning word was there but a promotion too
  (``远离无聊，加入我们一起赚``), the explanation names both.

The words are data (``lexicon/condemnation.txt``, reviewed by the operations manager) in
sections ``[主题]`` (subjects: a term containing one is judged), ``[前置用语]`` and
``[后置用语]`` (``word`` or ``word|most characters between``), ``[推广用语]`` and
``[否定词]``.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from services.review.norms.folding import is_sentence_end
from services.review.norms.normalise import NormalisedText, normalise_term

__all__ = [
    "DEFAULT_DISTANCE",
    "CondemnationError",
    "CondemnationRules",
    "Cue",
    "Judgement",
    "parse_condemnation_lines",
]

DEFAULT_DISTANCE = 10
"""Most characters allowed between a condemning word and the term, unless the line says."""

_SENTENCE_REACH = 160  # characters looked at on either side of the term
_CLAUSE_BREAKS = frozenset(",，:：")

_SECTIONS = {
    "主题": "subjects",
    "前置用语": "before",
    "后置用语": "after",
    "推广用语": "promotions",
    "否定词": "negators",
}


class CondemnationError(ValueError):
    """A line of the condemnation rules that cannot be used."""


@dataclass(frozen=True, slots=True)
class Cue:
    """A condemning word and how many characters may stand between it and the term."""

    word: str
    distance: int = DEFAULT_DISTANCE


@dataclass(frozen=True, slots=True)
class Judgement:
    """How a sentence treats a term: the condemning word found, and a promotion if any."""

    cue: str
    promotion: str | None

    @property
    def condemned(self) -> bool:
        return self.promotion is None


@dataclass(frozen=True, slots=True)
class CondemnationRules:
    """The words that tell condemnation from promotion (all in normalised form)."""

    subjects: tuple[str, ...] = ()
    before: tuple[Cue, ...] = ()
    after: tuple[Cue, ...] = ()
    promotions: tuple[str, ...] = ()
    negators: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """A hash of the content, part of the lexicon's version."""
        digest = hashlib.sha256()
        for name, values in (
            ("subject", self.subjects),
            ("promotion", self.promotions),
            ("negator", self.negators),
        ):
            for value in sorted(values):
                digest.update(f"{name}\t{value}\n".encode())
        for name, cues in (("before", self.before), ("after", self.after)):
            for cue in sorted(cues, key=lambda c: (c.word, c.distance)):
                digest.update(f"{name}\t{cue.word}\t{cue.distance}\n".encode())
        return digest.hexdigest()[:16]

    def applies_to(self, key: str) -> bool:
        """True when the term with normalised form ``key`` is about one of the subjects."""
        return any(subject in key for subject in self.subjects)

    def _negated(self, before: str) -> bool:
        return any(before.endswith(n) for n in self.negators)

    def judge(self, norm: NormalisedText, start: int, end: int) -> Judgement | None:
        """The judgement of the term at original ``[start:end]``; None when no condemning
        word applies to it (it then blocks as before)."""
        dense, index = norm.dense, norm.dense_index
        first = bisect_left(index, start)
        last = bisect_left(index, end, lo=first)
        if first >= last:
            return None
        sentence_start = first
        while (
            sentence_start > 0
            and first - sentence_start < _SENTENCE_REACH
            and not is_sentence_end(dense[sentence_start - 1])
        ):
            sentence_start -= 1
        sentence_end = last
        while (
            sentence_end < len(dense)
            and sentence_end - last < _SENTENCE_REACH
            and not is_sentence_end(dense[sentence_end])
        ):
            sentence_end += 1
        cue = self._cue_before(norm, sentence_start, first) or self._cue_after(
            norm, last, sentence_end
        )
        if cue is None:
            return None
        return Judgement(cue, self._promotion(dense[sentence_start:sentence_end]))

    def _broken(self, norm: NormalisedText, dense_from: int, dense_to: int) -> bool:
        """True when a comma or colon stands between the two dense positions."""
        if dense_from >= dense_to:
            return False
        start = norm.dense_index[dense_from - 1] + 1 if dense_from > 0 else 0
        end = norm.dense_index[dense_to] if dense_to < len(norm.dense_index) else len(norm.original)
        return any(c in _CLAUSE_BREAKS for c in norm.original[start:end])

    def _cue_before(self, norm: NormalisedText, sentence_start: int, first: int) -> str | None:
        text = norm.dense[sentence_start:first]
        for cue in self.before:
            position = text.rfind(cue.word)
            while position >= 0:
                cue_end = sentence_start + position + len(cue.word)
                if first - cue_end > cue.distance:
                    break
                if not self._negated(text[:position]) and not self._broken(norm, cue_end, first):
                    return cue.word
                position = text.rfind(cue.word, 0, position)
        return None

    def _cue_after(self, norm: NormalisedText, last: int, sentence_end: int) -> str | None:
        text = norm.dense[last:sentence_end]
        for cue in self.after:
            position = text.find(cue.word)
            if (
                0 <= position <= cue.distance
                and not self._negated(text[:position])
                and not self._broken(norm, last, last + position)
            ):
                return cue.word
        return None

    def _promotion(self, sentence: str) -> str | None:
        for word in self.promotions:
            position = sentence.find(word)
            while position >= 0:
                before = sentence[:position]
                if not self._negated(before) and not any(
                    before.endswith(cue.word) for cue in self.before
                ):  # 不要购买, 严禁购买: a promotion word that is refused
                    return word
                position = sentence.find(word, position + 1)
        return None


def _cue(text: str, *, source: str, number: int) -> Cue:
    word, _, distance = text.partition("|")
    key = normalise_term(word)
    if not key:
        raise CondemnationError(f"{source}:{number}: an empty word")
    try:
        return Cue(key, int(distance) if distance.strip() else DEFAULT_DISTANCE)
    except ValueError as error:
        raise CondemnationError(f"{source}:{number}: {distance!r} is not a number") from error


def parse_condemnation_lines(lines: Iterable[str], *, source: str) -> CondemnationRules:
    """The rules from lines in the file's format; ``source`` names them in errors."""
    found: dict[str, list[str]] = {name: [] for name in _SECTIONS.values()}
    cues: dict[str, list[Cue]] = {"before": [], "after": []}
    section: str | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = _SECTIONS.get(line[1:-1].strip())
            if section is None:
                raise CondemnationError(f"{source}:{number}: unknown section {line}")
            continue
        if section is None:
            raise CondemnationError(f"{source}:{number}: a word before any section")
        if section in cues:
            cues[section].append(_cue(line, source=source, number=number))
            continue
        key = normalise_term(line.partition("|")[0])
        if not key:
            raise CondemnationError(f"{source}:{number}: an empty word")
        found[section].append(key)
    # longer words first, so that ``不要错过`` is seen before ``错过`` and ``不必`` before ``不``
    return CondemnationRules(
        subjects=tuple(dict.fromkeys(found["subjects"])),
        before=tuple(sorted(dict.fromkeys(cues["before"]), key=lambda c: -len(c.word))),
        after=tuple(sorted(dict.fromkeys(cues["after"]), key=lambda c: -len(c.word))),
        promotions=tuple(sorted(dict.fromkeys(found["promotions"]), key=len, reverse=True)),
        negators=tuple(sorted(dict.fromkeys(found["negators"]), key=len, reverse=True)),
    )
