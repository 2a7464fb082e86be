"""Pure analysis of feedback on a pushed post: cleaning, tokens, themes, questions,
sentiment, spam and redaction. No I/O beyond the data files shipped in ``data/``."""

from .ads import detect_ad, unfold
from .annotate import AnalysedItem, analyse_item, analyse_items
from .asks import detect_ask, detect_request
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
from .insight import (
    FeedbackInsight,
    InsightGroup,
    ItemInsight,
    Stance,
    analyse_feedback,
    paused_cycle_collection,
)
from .keywords import Keyword, top_keywords
from .model import METRIC_KEYS, FeedbackItem, FeedbackKind
from .polarity import score_polarity
from .questions import QuestionRule, QuestionVerdict, detect_question
from .redact import redact
from .sentiment import Sentiment, SentimentLabel, score_clean, score_sentiment
from .spam import SpamVerdict, detect_spam
from .taxonomy import Facet, FacetMatch, Intent, load_taxonomy, match_facet
from .themes import Theme, find_themes
from .tokens import load_domain_terms, load_stopwords, load_user_terms, segment, tokenize

__all__ = [
    "clear_caches",
    "METRIC_KEYS",
    "Facet",
    "FacetMatch",
    "FeedbackInsight",
    "InsightGroup",
    "Intent",
    "ItemInsight",
    "Stance",
    "analyse_feedback",
    "paused_cycle_collection",
    "detect_ad",
    "detect_ask",
    "detect_request",
    "load_domain_terms",
    "load_taxonomy",
    "match_facet",
    "score_polarity",
    "unfold",
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


def clear_caches() -> None:
    """Forget what the analysis cached about texts seen (segmented blocks, clause
    verdicts); the dictionaries stay loaded. Benchmarks call it to time a cold run."""
    from .asks import _clause_asks
    from .questions import _clause_verdict
    from .tokens import clear_token_cache

    clear_token_cache()
    _clause_asks.cache_clear()
    _clause_verdict.cache_clear()
