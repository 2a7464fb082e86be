"""Lexicon matching: an Aho-Corasick automaton over the dense text, then the gap rules.

The automaton (``ahocorasick_rs``, ``MatchKind.Standard`` with ``overlapping=True``)
reports every occurrence of every term in the dense text, so that a candidate rejected
below cannot hide a good match behind it (leftmost-longest would); ``resolve_overlaps``
picks among the survivors. Each occurrence is checked:

* a match that spans dropped separators is kept only for terms with CJK characters, and
  one that spans a comma, colon, bracket or quote only for terms of three or more
  characters (two-character words meet across commas in ordinary prose);
* a term that begins or ends with a Latin letter or digit needs a word boundary there
  (``加v`` must not match ``增加VR``);
* a match inside an allowed phrase (``特色情怀``) is dropped.

The text is matched after the table of substitutes has been applied (``加薇信好友`` reads
as ``加微信好友``), and so are the terms and allowed phrases, so a term written with a
variant still matches. A blocking term about a subject of the condemnation rules is
judged in its sentence: condemned (``我们反对赌博``), it becomes a warning.
"""

from __future__ import annotations

from ahocorasick_rs import AhoCorasick, MatchKind

from services.review.norms.evasion import Evasion, evasion_flags, evasion_label
from services.review.norms.explanations import explain_term
from services.review.norms.findings import Finding, Severity
from services.review.norms.folding import is_word_char
from services.review.norms.lexicon import Lexicon
from services.review.norms.normalise import Gap, NormalisedText, normalise_term
from services.review.norms.substitutes import SubstituteTable

__all__ = ["LexiconMatcher"]

_CONFIDENCE = (
    (Gap.CLAUSE, 0.65),
    (Evasion.SUBSTITUTE, 0.75),
    (Evasion.SEPARATOR, 0.8),
    (Evasion.ZERO_WIDTH, 0.85),
    (Evasion.FULLWIDTH | Evasion.CASE | Evasion.TRADITIONAL, 0.9),
)


def _gaps_inside(norm: NormalisedText, start: int, end: int) -> Gap:
    gap = Gap(0)
    if norm.gaps:
        for i in range(start + 1, end):
            gap |= norm.gaps.get(i, Gap(0))
    return gap


def _gaps_allowed(key: str, gap: Gap) -> bool:
    if not gap:
        return True
    if key.isascii():  # Latin-only terms (``vx``) never match across gaps
        return False
    return not (gap & Gap.CLAUSE) or len(key) >= 3


def _has_word_boundaries(key: str, text: str, start: int, end: int) -> bool:
    first, last = key[0], key[-1]
    if first.isascii() and first.isalnum() and start > 0 and is_word_char(text[start - 1]):
        return False
    return not (last.isascii() and last.isalnum() and end < len(text) and is_word_char(text[end]))


def _confidence(gap: Gap, evasion: Evasion) -> float:
    if gap & Gap.CLAUSE:
        return _CONFIDENCE[0][1]
    for flag, confidence in _CONFIDENCE[1:]:
        if evasion & flag:
            return confidence
    return 0.95


class LexiconMatcher:
    """Finds the terms of one lexicon in normalised text."""

    def __init__(self, lexicon: Lexicon, substitutes: SubstituteTable | None = None) -> None:
        table = substitutes if substitutes is not None else SubstituteTable(lexicon.substitutes)
        self._terms = lexicon.terms
        self._keys = [table.canonical_key(t.key) for t in lexicon.terms]
        self._allowed_from = len(lexicon.terms)
        patterns = self._keys + [table.canonical_key(a) for a in lexicon.allowed]
        self._automaton = AhoCorasick(patterns, matchkind=MatchKind.Standard)
        self._source_flags: dict[int, Evasion] = {}  # filled on first match
        self._condemnation = lexicon.condemnation
        self._judged = {
            i
            for i, term in enumerate(lexicon.terms)
            if term.severity is Severity.BLOCK
            and (
                self._condemnation.applies_to(term.key)
                or self._condemnation.applies_to(self._keys[i])
            )
        }

    def _flags_of_term(self, index: int) -> Evasion:
        """Spellings the term itself uses (``AV``, ``！``) do not count as evasion."""
        flags = self._source_flags.get(index)
        if flags is None:
            flags = self._source_flags[index] = evasion_flags(self._terms[index].text)
        return flags

    def find(self, norm: NormalisedText) -> list[Finding]:
        """Every acceptable occurrence of a term; they may overlap one another.

        ``norm`` is the text with its substitutes applied (``SubstituteTable.apply``).
        """
        hits = self._automaton.find_matches_as_indexes(norm.dense, overlapping=True)
        allowed = [(s, e) for i, s, e in hits if i >= self._allowed_from]
        findings: list[Finding] = []
        for index, start, end in hits:
            if index >= self._allowed_from:
                continue
            if any(a <= start and end <= b for a, b in allowed):
                continue
            term, key = self._terms[index], self._keys[index]
            gap = _gaps_inside(norm, start, end)
            if not _gaps_allowed(key, gap):
                continue
            original_start, original_end = norm.dense_span(start, end)
            if not _has_word_boundaries(key, norm.original, original_start, original_end):
                continue
            matched = norm.original[original_start:original_end]
            evasion = evasion_flags(matched) & ~self._flags_of_term(index)
            substitutions = norm.substitutions_in(original_start, original_end)
            if substitutions and normalise_term(matched) != term.key:
                evasion |= Evasion.SUBSTITUTE
            else:
                substitutions = ()
            severity = term.severity
            judgement = (
                self._condemnation.judge(norm, original_start, original_end)
                if index in self._judged
                else None
            )
            if judgement is not None and judgement.condemned:
                severity = Severity.WARN
            findings.append(
                Finding(
                    category=term.category,
                    rule_id=f"lexicon.{term.category}",
                    severity=severity,
                    matched=matched,
                    start=original_start,
                    end=original_end,
                    normalised=term.key,
                    evasion=evasion_label(evasion),
                    confidence=_confidence(gap, evasion),
                    explanation=explain_term(
                        term,
                        evasion,
                        substitutions=substitutions,
                        span=(original_start, original_end),
                        cue=judgement.cue if judgement else None,
                        promotion=judgement.promotion if judgement else None,
                    ),
                )
            )
        return findings
