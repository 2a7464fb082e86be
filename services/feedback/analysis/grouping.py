"""Group feedback by meaning within each stance, and name each group by words from its texts.

* Questions and requests (ask) and complaints go to the facet of the taxonomy they are
  most about (:func:`.taxonomy.match_facet`): 红冲与作废 and 报销与入账 apart, though both
  are 发票与报销. An item no keyword places joins the placed item of its stance it shares
  most character pairs with (cosine of character bigrams >= ``NEIGHBOUR_SIMILARITY``), or
  else an "其他" group of its stance.
* Praise forms one group, and so do the other remarks (neither asking, praising nor
  complaining): a document reader wants them apart from the asks, not cut finer.
* A group's name is a phrase from its own texts: of the clauses holding the keyword its
  members share most (for praise and remarks: the most shared content word), the one
  nearest ten characters long.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from .taxonomy import OTHER_INTENT, FacetMatch

__all__ = ["GroupDraft", "Stance", "group_by_meaning", "name_group"]

Stance = Literal["ask", "praise", "complaint", "other"]

NEIGHBOUR_SIMILARITY = 0.2
MAX_LABEL = 16
_CLAUSE_RE = re.compile(r"[，,。.!！?？;；、\s~～…]+")
_BIGRAM_RE = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
# Words that open a clause but say nothing of its subject: dropped from a group's name.
_LEADING_RE = re.compile(r"^(就是|但是|可是|不过|可惜|只是|其实|而且|还有|但|所以|然后)")


@dataclass(frozen=True, slots=True)
class GroupDraft:
    """A group before naming: stance, intent, facet, about-form and its members."""

    stance: Stance
    intent: str | None
    facet: str | None
    about_form: bool
    members: tuple[int, ...]


def _bigrams(text: str) -> Counter[str]:
    chars = "".join(_BIGRAM_RE.findall(text))
    return Counter(chars[i : i + 2] for i in range(len(chars) - 1))


def _cosine(a: Counter[str], b: Counter[str]) -> float:
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def group_by_meaning(
    texts: Sequence[str], stances: Sequence[Stance | None], facets: Sequence[FacetMatch | None]
) -> list[GroupDraft]:
    """Groups of the items with a stance (None: spam, left out), largest first."""
    keys: dict[int, tuple[Stance, str | None, str | None, bool]] = {}
    unplaced: list[int] = []
    for n, (stance, match) in enumerate(zip(stances, facets, strict=True)):
        if stance is None:
            continue
        if stance == "praise" or stance == "other":
            keys[n] = (stance, None, None, False)
        elif match is not None:
            f = match.facet
            keys[n] = (stance, f.intent, f.name, f.about_form)
        else:
            unplaced.append(n)
    grams = {n: _bigrams(texts[n]) for n in range(len(texts)) if stances[n] is not None}
    for n in unplaced:
        peers = [m for m in keys if stances[m] == stances[n] and keys[m][2] is not None]
        best = max(peers, key=lambda m: _cosine(grams[n], grams[m]), default=None)
        if best is not None and _cosine(grams[n], grams[best]) >= NEIGHBOUR_SIMILARITY:
            keys[n] = keys[best]
        else:
            keys[n] = (stances[n] or "other", OTHER_INTENT, None, False)
    members: dict[tuple[Stance, str | None, str | None, bool], list[int]] = defaultdict(list)
    for n in sorted(keys):
        members[keys[n]].append(n)
    drafts = [GroupDraft(*key, tuple(rows)) for key, rows in members.items()]
    drafts.sort(key=lambda g: (-len(g.members), g.members[0]))
    return drafts


def name_group(texts: Sequence[str], shared: Sequence[str]) -> str:
    """A readable phrase for a group: the shortest clause of ``texts`` that holds the most
    common of ``shared`` (keywords or content words of its members), at most 16 characters."""
    clauses = [c for t in texts for c in _CLAUSE_RE.split(t) if len(c) >= 2]
    for word, _ in Counter(shared).most_common():
        holding = [c for c in clauses if word in c.lower()]
        if holding:
            best = min(holding, key=lambda c: (abs(len(c) - 10), c))
            best = _LEADING_RE.sub("", best) or best
            return best if len(best) <= MAX_LABEL else best[: MAX_LABEL - 1] + "…"
    if not clauses:
        return "其他"
    first = min(clauses, key=len)
    return first if len(first) <= MAX_LABEL else first[: MAX_LABEL - 1] + "…"
