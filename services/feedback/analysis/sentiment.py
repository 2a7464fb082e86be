"""A transparent lexicon sentiment score for short Chinese comments.

How a score is made, so anyone can check a verdict by hand:

* the clean text is scanned left to right for the longest entry of one lexicon that holds
  positive words, negative words (``data/sentiment_*.txt``, each with a weight), negators
  (不, 没, 别 …), degree adverbs (很, 非常, 太 …) and neutral phrases that must not be
  split (有没有, 好几, 麻烦问 …);
* a sentiment word takes the product of the degree adverbs just before it, and is flipped
  by an odd number of negators just before it (a negated positive counts -0.9x, a negated
  negative +0.6x: 不满意 is worse than 不差 is good); a clause break ends their reach;
* sticker codes and emoji removed by cleaning add ±0.8 each (at most three counted);
* score >= 0.5 is ``positive``, score <= -0.5 ``negative``, otherwise ``neutral``.

The negators, degree adverbs, neutral phrases, stickers and emoji are the tables of
:mod:`.sentiment_words`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from .clean import clean_text
from .sentiment_words import (
    DEGREES,
    NEGATIVE_EMOJI,
    NEGATIVE_STICKERS,
    NEGATORS,
    NEUTRAL_PHRASES,
    POSITIVE_EMOJI,
    POSITIVE_STICKERS,
)
from .tokens import read_data_lines

__all__ = ["Sentiment", "SentimentLabel", "score_clean", "score_sentiment"]

SentimentLabel = Literal["positive", "neutral", "negative"]

THRESHOLD = 0.5
HINT_WEIGHT = 0.8
MAX_HINTS = 3

_BREAKS = frozenset("。!?,;；、\n…~～ ")

_KIND_POS, _KIND_NEG, _KIND_NOT, _KIND_DEG, _KIND_NEUTRAL = range(5)


@dataclass(frozen=True, slots=True)
class Sentiment:
    """A sentiment label, its score and the words and hints that made it."""

    label: SentimentLabel
    score: float
    hits: tuple[str, ...] = ()


def _read_lexicon(name: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for line in read_data_lines(name):
        word, *weight = line.split()
        out[word.lower()] = float(weight[0]) if weight else 1.0
    return out


@cache
def _lexicon() -> tuple[Any, list[tuple[int, float]]]:
    """An Aho-Corasick automaton (leftmost-longest) over every entry, and each entry's role."""
    import ahocorasick_rs

    entries: dict[str, tuple[int, float]] = {}
    for word, w in _read_lexicon("sentiment_positive.txt").items():
        entries[word] = (_KIND_POS, w)
    for word, w in _read_lexicon("sentiment_negative.txt").items():
        entries[word] = (_KIND_NEG, w)
    for word, w in NEGATORS.items():
        entries.setdefault(word, (_KIND_NOT, w))
    for word, w in DEGREES.items():
        entries.setdefault(word, (_KIND_DEG, w))
    for word in NEUTRAL_PHRASES:
        entries[word] = (_KIND_NEUTRAL, 0.0)
    words = list(entries)
    automaton = ahocorasick_rs.AhoCorasick(
        words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
    )
    return automaton, [entries[w] for w in words]


def _hint_score(stickers: Iterable[str], emoji: Iterable[str]) -> tuple[float, list[str]]:
    score, hits, counted = 0.0, [], 0
    for name in stickers:
        sign = 1 if name in POSITIVE_STICKERS else -1 if name in NEGATIVE_STICKERS else 0
        if sign and counted < MAX_HINTS:
            score, counted = score + sign * HINT_WEIGHT, counted + 1
            hits.append(f"[{name}]{'+' if sign > 0 else '-'}")
    for ch in emoji:
        sign = 1 if ch in POSITIVE_EMOJI else -1 if ch in NEGATIVE_EMOJI else 0
        if sign and counted < MAX_HINTS:
            score, counted = score + sign * HINT_WEIGHT, counted + 1
            hits.append(f"{ch}{'+' if sign > 0 else '-'}")
    return score, hits


def score_clean(text: str, stickers: Iterable[str] = (), emoji: Iterable[str] = ()) -> Sentiment:
    """Score a clean text, with the stickers and emoji that cleaning removed from it."""
    automaton, roles = _lexicon()
    score, hits = _hint_score(stickers, emoji)
    lowered = text.lower()
    negations, degree, last_end = 0, 1.0, 0
    for idx, start, end in automaton.find_matches_as_indexes(lowered):
        gap = lowered[last_end:start]
        if len(gap) > 3 or not _BREAKS.isdisjoint(gap):
            negations, degree = 0, 1.0
        last_end = end
        kind, weight = roles[idx]
        word = lowered[start:end]
        if kind == _KIND_NOT:
            negations += 1
            degree *= weight
        elif kind == _KIND_DEG:
            degree *= weight
        elif kind == _KIND_NEUTRAL:
            negations, degree = 0, 1.0
        else:
            value = weight * degree * (1 if kind == _KIND_POS else -1)
            if negations % 2:
                value *= -0.9 if value > 0 else -0.6
                word = "(否定)" + word
            score += value
            hits.append(f"{word}{value:+.1f}")
            negations, degree = 0, 1.0
    label: SentimentLabel = (
        "positive" if score >= THRESHOLD else "negative" if score <= -THRESHOLD else "neutral"
    )
    return Sentiment(label, round(score, 3), tuple(hits))


def score_sentiment(raw: str) -> Sentiment:
    """Clean a raw text (keeping its sticker and emoji hints) and score it."""
    clean = clean_text(raw)
    return score_clean(clean.text, clean.stickers, clean.emoji)
