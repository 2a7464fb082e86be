"""The editable intent taxonomy (``data/intents.txt``): intents, their facets and keywords.

An intent is a business topic (开通与账号, 发票与报销, 社保与人事, 推送时间与形式 …); a facet
is one meaning inside it (红冲与作废, 报销与入账), the unit feedback is grouped by. A text
is matched against every keyword at once (Aho-Corasick, overlapping); the facet whose
matched keywords are longest in total wins, ties going to the facet listed first. Facets
named ``诉/…`` serve complaints only, ``问/…`` questions and requests only; for a
complaint, their keywords count double (a complaint is about what is wrong, not about the
topic it mentions).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from .tokens import read_data_lines

__all__ = ["Facet", "FacetMatch", "Intent", "load_taxonomy", "match_facet", "OTHER_INTENT"]

OTHER_INTENT = "其他"
Use = Literal["ask", "complaint", "any"]


@dataclass(frozen=True, slots=True)
class Facet:
    """One meaning inside an intent, and the keywords that show it."""

    intent: str
    name: str
    use: Use
    keywords: tuple[str, ...]
    about_form: bool


@dataclass(frozen=True, slots=True)
class Intent:
    """A business topic and its facets."""

    name: str
    about_form: bool
    facets: tuple[Facet, ...]


@dataclass(frozen=True, slots=True)
class FacetMatch:
    """The facet a text is about, and the keywords of it found in the text."""

    facet: Facet
    keywords: tuple[str, ...]

    @property
    def weight(self) -> int:
        """Total length of the keywords found (longer keywords say more)."""
        return sum(len(k) for k in self.keywords)


def parse_taxonomy(lines: Sequence[str]) -> tuple[Intent, ...]:
    """Intents from the lines of an ``intents.txt`` (comments and blanks already dropped)."""
    intents: list[Intent] = []
    name, form, facets = "", False, []  # type: tuple[str, bool, list[Facet]]
    for line in lines:
        if line.startswith("["):
            if name:
                intents.append(Intent(name, form, tuple(facets)))
            head, _, flags = line[1:].partition("]")
            name, form, facets = head.strip(), "form" in flags.split(), []
            continue
        if not name:
            raise ValueError(f"facet outside an intent: {line!r}")
        label, sep, words = line.partition(":")
        if not sep or not words.split():
            raise ValueError(f"facet needs 'name: keywords': {line!r}")
        use: Use = "any"
        label = label.strip()
        if label.startswith("诉/"):
            use, label = "complaint", label[2:]
        elif label.startswith("问/"):
            use, label = "ask", label[2:]
        keywords = tuple(dict.fromkeys(w.lower() for w in words.split()))
        facets.append(Facet(name, label, use, keywords, form))
    if name:
        intents.append(Intent(name, form, tuple(facets)))
    return tuple(intents)


@cache
def load_taxonomy() -> tuple[Intent, ...]:
    """The shipped taxonomy, ``data/intents.txt``."""
    return parse_taxonomy(read_data_lines("intents.txt"))


@cache
def _automaton() -> tuple[Any, list[list[int]], tuple[Facet, ...]]:
    import ahocorasick_rs

    facets = tuple(f for intent in load_taxonomy() for f in intent.facets)
    owners: dict[str, list[int]] = defaultdict(list)
    for n, facet in enumerate(facets):
        for word in facet.keywords:
            owners[word].append(n)
    words = list(owners)
    automaton = ahocorasick_rs.AhoCorasick(words)
    return automaton, [owners[w] for w in words], facets


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans (distinct, in their order) that no other span contains."""
    if len(spans) == 1:
        return spans
    inner: set[tuple[int, int]] = set()
    reach = -1  # the furthest end of the spans starting at or before this one
    for a, b in sorted(spans, key=lambda s: (s[0], -s[1])):
        if reach >= b:
            inner.add((a, b))
        reach = max(reach, b)
    return [s for s in spans if s not in inner] if inner else spans


def match_facet(text: str, stance: str) -> FacetMatch | None:
    """The facet a clean text is most about, for a stance (ask, complaint, praise, other)."""
    automaton, owners, facets = _automaton()
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    lowered = text.lower()
    for idx, start, end in automaton.find_matches_as_indexes(lowered, overlapping=True):
        for n in owners[idx]:
            use = facets[n].use
            if use == "any" or (use == "complaint") == (stance == "complaint"):
                spans[n].append((start, end))
    if not spans:
        return None
    # A keyword inside a longer keyword of the same facet (流程 in 流程梳理) adds nothing.
    found = {n: [lowered[a:b] for a, b in _outermost(s)] for n, s in spans.items()}

    # A complaint is grouped by what is wrong (a failure, no reply, empty content), not by
    # the topic it mentions: the complaint-only facets' keywords count double for it.
    def weight(n: int) -> int:
        total = sum(len(k) for k in found[n])
        return 2 * total if facets[n].use == "complaint" else total

    # On a tie, a question is about what it names last (…有没有好用的工具推荐): the facet
    # whose keyword ends later wins.
    def focus(n: int) -> int:
        return max(b for _a, b in spans[n]) if stance == "ask" else 0

    best = max(found, key=lambda n: (weight(n), focus(n), -n))
    return FacetMatch(facets[best], tuple(found[best]))
