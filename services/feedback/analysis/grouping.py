"""Group feedback by meaning within each stance, and name each group by words from its texts.

* Questions and requests (ask) and complaints go to the facet of the taxonomy they are
  most about (:func:`.taxonomy.match_facet`): 红冲与作废 and 报销与入账 apart, though both
  are 发票与报销. An item no keyword places joins the facet group of its stance whose
  items it shares most character pairs with (cosine between its character-bigram vector
  and the group's mean, >= ``NEIGHBOUR_SIMILARITY``), or else an "其他" group of its
  stance. Vectors are hashed and compared as one sparse product, so the cost grows
  linearly with the items.
* Praise forms one group, and so do the other remarks (neither asking, praising nor
  complaining): a document reader wants them apart from the asks, not cut finer.
* A group's name is a phrase from its own texts: of the clauses holding the keyword its
  members share most (for praise and remarks: the most shared content word), the one
  nearest ten characters long.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

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


def _bigram_rows(texts: Sequence[str]) -> Any:
    """L2-normalised, hashed character-bigram counts of each text (sparse rows)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    vectorizer = HashingVectorizer(
        analyzer="char",
        ngram_range=(2, 2),
        n_features=2**18,
        alternate_sign=False,
        norm="l2",
        lowercase=True,
        dtype=np.float32,
    )
    # Each distinct text is hashed once; its row is repeated for every item holding it.
    index: dict[str, int] = {}
    rows = [index.setdefault(t, len(index)) for t in texts]
    matrix = vectorizer.transform(["".join(_BIGRAM_RE.findall(t)) for t in index])
    return matrix[np.asarray(rows, dtype=np.intp)] if len(index) < len(texts) else matrix


Key = tuple[Stance, str | None, str | None, bool]


def _nearest_groups(
    texts: Sequence[str], placed: dict[int, Key], unplaced: Sequence[int]
) -> dict[int, Key]:
    """Each unplaced item's placed group (all of one stance) nearest in character pairs,
    when the cosine to the group's mean reaches ``NEIGHBOUR_SIMILARITY``."""
    from sklearn.preprocessing import OneHotEncoder, normalize

    groups = sorted(set(placed.values()), key=str)
    if not unplaced or not groups:
        return {}
    column = {key: n for n, key in enumerate(groups)}
    order = sorted(placed)
    rows = _bigram_rows([texts[m] for m in [*order, *unplaced]])
    # One row per group, one column per placed item: the group's sum of its items' rows.
    assign = (
        OneHotEncoder(sparse_output=True, dtype=np.float32)
        .fit_transform(np.array([column[placed[m]] for m in order]).reshape(-1, 1))
        .T
    )
    centroids = normalize(assign @ rows[: len(order)])
    sims = (rows[len(order) :] @ centroids.T).toarray()
    best = sims.argmax(axis=1)
    return {
        item: groups[int(best[n])]
        for n, item in enumerate(unplaced)
        if sims[n, best[n]] >= NEIGHBOUR_SIMILARITY
    }


def group_by_meaning(
    texts: Sequence[str], stances: Sequence[Stance | None], facets: Sequence[FacetMatch | None]
) -> list[GroupDraft]:
    """Groups of the items with a stance (None: spam, left out), largest first."""
    keys: dict[int, Key] = {}
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
    for stance in ("ask", "complaint"):
        waiting = [n for n in unplaced if stances[n] == stance]
        placed = {m: k for m, k in keys.items() if k[0] == stance and k[2] is not None}
        keys.update(_nearest_groups(texts, placed, waiting))
    for n in unplaced:
        keys.setdefault(n, (stances[n] or "other", OTHER_INTENT, None, False))
    members: dict[Key, list[int]] = defaultdict(list)
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
