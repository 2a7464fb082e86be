"""Pure analysis of feedback on a pushed post: cleaning, tokens, themes, questions,
sentiment, spam and redaction. No I/O beyond the data files shipped in ``data/``."""

from .annotate import AnalysedItem, analyse_item, analyse_items
from .clean import (
    CleanText,
    clean_text,
    display_text,
    find_emoji,
    find_stickers,
    strip_emoji,
    strip_stickers,
    to_simplified,
)
from .keywords import Keyword, top_keywords
from .model import METRIC_KEYS, FeedbackItem, FeedbackKind
from .questions import QuestionRule, QuestionVerdict, detect_question
from .redact import redact
from .sentiment import Sentiment, SentimentLabel, score_clean, score_sentiment
from .spam import SpamVerdict, detect_spam
from .themes import Theme, find_themes
from .tokens import load_stopwords, load_user_terms, segment, tokenize

__all__ = [
    "METRIC_KEYS",
    "AnalysedItem",
    "CleanText",
    "FeedbackItem",
    "FeedbackKind",
    "Keyword",
    "QuestionRule",
    "QuestionVerdict",
    "Sentiment",
    "SentimentLabel",
    "SpamVerdict",
    "Theme",
    "analyse_item",
    "analyse_items",
    "clean_text",
    "display_text",
    "detect_question",
    "detect_spam",
    "find_emoji",
    "find_stickers",
    "find_themes",
    "load_stopwords",
    "load_user_terms",
    "redact",
    "score_clean",
    "score_sentiment",
    "segment",
    "strip_emoji",
    "strip_stickers",
    "to_simplified",
    "tokenize",
    "top_keywords",
]
