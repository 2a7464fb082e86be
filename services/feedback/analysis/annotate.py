"""Run every per-item analysis once: clean, tokens, question, sentiment, spam."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .clean import CleanText, clean_text
from .model import FeedbackItem
from .questions import QuestionVerdict, detect_question
from .sentiment import Sentiment, score_clean
from .spam import SpamVerdict, detect_spam
from .tokens import tokenize

__all__ = ["AnalysedItem", "analyse_item", "analyse_items"]

_NO_QUESTION = QuestionVerdict(False, "非用户反馈", "none")
_NEUTRAL = Sentiment("neutral", 0.0)
_NOT_SPAM = SpamVerdict(False, 0.0)


@dataclass(frozen=True, slots=True)
class AnalysedItem:
    """A feedback item with the results of every per-item analysis."""

    item: FeedbackItem
    clean: CleanText
    tokens: tuple[str, ...]
    question: QuestionVerdict
    sentiment: Sentiment
    spam: SpamVerdict


def analyse_item(
    item: FeedbackItem, *, token_cache: dict[str, tuple[str, ...]] | None = None
) -> AnalysedItem:
    """Analyse one item; replies and metric snapshots are cleaned but not judged."""
    clean = clean_text(item.text)
    if not item.is_feedback:
        return AnalysedItem(item, clean, (), _NO_QUESTION, _NEUTRAL, _NOT_SPAM)
    cache = token_cache if token_cache is not None else {}
    tokens = cache.get(clean.text)
    if tokens is None:
        tokens = cache[clean.text] = tuple(tokenize(clean.text))
    spam = detect_spam(clean.text)
    question = _NO_QUESTION if spam.is_spam else detect_question(clean.text)
    return AnalysedItem(
        item, clean, tokens, question, score_clean(clean.text, clean.stickers, clean.emoji), spam
    )


def analyse_items(items: Iterable[FeedbackItem]) -> list[AnalysedItem]:
    """Analyse many items, tokenising each distinct clean text only once."""
    cache: dict[str, tuple[str, ...]] = {}
    return [analyse_item(item, token_cache=cache) for item in items]
