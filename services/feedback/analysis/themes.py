"""Themes: clusters of similar feedback (TF-IDF + LSA + k-means).

* token lists are weighted by TF-IDF, reduced by TruncatedSVD (LSA) and length-normalised,
  so Euclidean k-means behaves like cosine clustering;
* k is chosen over k = 2 … min(max_themes, sqrt(n/2) + 2) by the cosine silhouette of the
  TF-IDF rows on a sample of at most ``silhouette_sample`` rows: the smallest k within
  ``tolerance`` of the best score; when no k separates the data (best silhouette below
  ``min_silhouette``) everything is one theme;
* large inputs are fitted on a deterministic sample of ``fit_sample`` rows (MiniBatchKMeans
  above 3000 rows) and every row is then assigned by ``predict``;
* fewer than ``min_items`` usable items make one theme; empty token lists join no theme.

A theme's label is the top terms of its mean TF-IDF row; its representatives are the
members closest to the centroid, duplicates skipped.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .keywords import make_vectorizer, top_terms

__all__ = ["Theme", "find_themes"]


@dataclass(frozen=True, slots=True)
class Theme:
    """A group of similar feedback: label terms, member and representative indices."""

    label: str
    terms: tuple[str, ...]
    members: tuple[int, ...]
    representatives: tuple[int, ...]

    @property
    def count(self) -> int:
        """How many items the theme holds."""
        return len(self.members)


def _label(terms: Sequence[str]) -> str:
    return "、".join(terms) if terms else "其他"


def _single_theme(
    docs: Sequence[Sequence[str]], idx: Sequence[int], quotes: int, n_terms: int
) -> Theme:
    counts = Counter(t for i in idx for t in docs[i])
    terms = tuple(t for t, _ in counts.most_common(n_terms))
    reps: list[int] = []
    seen: set[tuple[str, ...]] = set()
    for i in idx:
        key = tuple(docs[i])
        if key not in seen:
            seen.add(key)
            reps.append(i)
        if len(reps) == quotes:
            break
    return Theme(_label(terms), terms, tuple(idx), tuple(reps))


def _choose_k(
    z: Any, x: Any, k_max: int, random_state: int, min_silhouette: float, tolerance: float
) -> int:
    """Cluster the LSA rows ``z`` for each k; score each split by cosine silhouette on the
    TF-IDF rows ``x``; take the smallest k within ``tolerance`` of the best score.

    Silhouette on short texts keeps creeping up as topics are split into sub-topics; the
    tolerance keeps the document at the level of topics."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    scores: dict[int, float] = {}
    for k in range(2, k_max + 1):
        labels = KMeans(n_clusters=k, n_init=3, random_state=random_state).fit_predict(z)
        if len(set(labels.tolist())) >= 2:
            scores[k] = float(silhouette_score(x, labels, metric="cosine"))
    if not scores or max(scores.values()) < min_silhouette:
        return 1
    best = max(scores.values())
    return min(k for k, score in scores.items() if score >= best - tolerance)


def find_themes(
    docs: Sequence[Sequence[str]],
    *,
    max_themes: int = 10,
    quotes: int = 3,
    n_terms: int = 4,
    min_items: int = 4,
    fit_sample: int = 8000,
    silhouette_sample: int = 1500,
    min_silhouette: float = 0.02,
    tolerance: float = 0.01,
    random_state: int = 0,
) -> list[Theme]:
    """Group token lists into themes, largest first; indices refer to ``docs``."""
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    idx = [i for i, d in enumerate(docs) if d]
    if not idx:
        return []
    if len(idx) < min_items:
        return [_single_theme(docs, idx, quotes, n_terms)]
    vectorizer = make_vectorizer(len(idx))
    try:
        x = vectorizer.fit_transform([docs[i] for i in idx])
    except ValueError:  # every term pruned
        return [_single_theme(docs, idx, quotes, n_terms)]
    terms: list[str] = vectorizer.get_feature_names_out().tolist()
    n, n_features = x.shape
    rng = np.random.default_rng(random_state)
    sample = np.sort(rng.choice(n, fit_sample, replace=False)) if n > fit_sample else np.arange(n)
    # Short texts need few LSA dimensions when there are few of them; 100 for large inputs.
    n_components = min(100, n_features - 1, len(sample) - 1, max(10, len(sample) // 3))
    if n_components >= 2:
        svd = TruncatedSVD(n_components=n_components, random_state=random_state)
        svd.fit(x[sample])
        z = normalize(svd.transform(x))
    else:
        z = normalize(x.toarray())
    fit_rows = z[sample]
    distinct = len(np.unique(np.round(fit_rows, 6), axis=0))
    k_max = min(max_themes, int(math.sqrt(n / 2)) + 2, distinct - 1, len(sample) - 1)
    sil = np.arange(len(sample))
    if len(sil) > silhouette_sample:
        sil = np.sort(rng.choice(len(sample), silhouette_sample, replace=False))
    k = 1
    if k_max >= 2:
        k = _choose_k(fit_rows[sil], x[sample[sil]], k_max, random_state, min_silhouette, tolerance)
    if k == 1:
        return [_single_theme(docs, idx, quotes, n_terms)]
    model: Any
    if len(sample) > 3000:
        model = MiniBatchKMeans(n_clusters=k, n_init=3, batch_size=2048, random_state=random_state)
    else:
        model = KMeans(n_clusters=k, n_init=10, random_state=random_state)
    model.fit(fit_rows)
    labels = model.predict(z)
    centers = normalize(model.cluster_centers_)
    themes: list[Theme] = []
    for c in range(k):
        rows = np.flatnonzero(labels == c)
        if not len(rows):
            continue
        words = tuple(kw.term for kw in top_terms(x[rows], terms, n_terms))
        closeness = z[rows] @ centers[c]
        reps: list[int] = []
        seen: set[tuple[str, ...]] = set()
        for r in rows[np.argsort(-closeness, kind="stable")]:
            key = tuple(docs[idx[r]])
            if key not in seen:
                seen.add(key)
                reps.append(idx[r])
                if len(reps) == quotes:
                    break
        themes.append(Theme(_label(words), words, tuple(idx[r] for r in rows), tuple(reps)))
    themes.sort(key=lambda t: (-t.count, t.label))
    return themes
