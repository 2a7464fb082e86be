"""TF-IDF over pre-tokenised documents, and the top keywords of a collection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Keyword", "make_vectorizer", "top_keywords", "top_terms"]


@dataclass(frozen=True, slots=True)
class Keyword:
    """A keyword and its summed TF-IDF weight across the collection."""

    term: str
    weight: float


def _identity(tokens: Sequence[str]) -> Sequence[str]:
    return tokens


def make_vectorizer(n_docs: int) -> Any:
    """A ``TfidfVectorizer`` whose callable tokenizer takes the token lists of ``tokenize``.

    Texts are tokenised once (jieba is the slow part) and the token lists are handed in as
    the documents; terms seen in one document only are dropped for larger collections.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        tokenizer=_identity,
        preprocessor=_identity,
        lowercase=False,
        token_pattern=None,
        sublinear_tf=True,
        min_df=2 if n_docs >= 50 else 1,
        max_features=30_000,
        dtype=np.float32,
    )


def top_terms(matrix: Any, terms: Sequence[str], n: int) -> list[Keyword]:
    """The ``n`` terms with the largest summed weight over the rows of a TF-IDF matrix."""
    if matrix.shape[0] == 0 or matrix.shape[1] == 0:
        return []
    sums = np.asarray(matrix.sum(axis=0)).ravel()
    order = np.argsort(-sums, kind="stable")[:n]
    return [Keyword(terms[i], round(float(sums[i]), 4)) for i in order if sums[i] > 0]


def top_keywords(docs: Sequence[Sequence[str]], n: int = 10) -> list[Keyword]:
    """Top TF-IDF keywords of token lists (see ``tokenize``); empty input gives ``[]``."""
    if not any(docs):
        return []
    vectorizer = make_vectorizer(len(docs))
    try:
        matrix = vectorizer.fit_transform(docs)
    except ValueError:  # every term pruned: nothing to rank
        return []
    return top_terms(matrix, vectorizer.get_feature_names_out().tolist(), n)
