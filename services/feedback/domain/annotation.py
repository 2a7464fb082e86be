"""The cheap analysis every item gets at ingestion, and which items need a reply."""

from __future__ import annotations

from dataclasses import dataclass

from services.feedback.analysis import (
    clean_text,
    detect_ad,
    detect_ask,
    detect_request,
    score_polarity,
)

__all__ = ["Annotation", "annotate", "needs_reply"]


@dataclass(frozen=True, slots=True)
class Annotation:
    """The cheap per-item analysis stored with every item."""

    question: bool = False
    question_reason: str = ""
    sentiment: str = "neutral"
    sentiment_score: float = 0.0
    spam: bool = False
    spam_reasons: tuple[str, ...] = ()


_NOT_JUDGED = Annotation()


def annotate(kind: str, text: str) -> Annotation:
    """Question, sentiment and spam of a customer's words; replies and metrics are not judged.

    The same steps, in the same order, as the document's own analysis (#17: adverts first,
    never a customer; a request to be contacted needs a reply like a question), so the
    enquiry log and the document agree.
    """
    if kind not in ("comment", "message") or not text.strip():
        return _NOT_JUDGED
    clean = clean_text(text)
    spam = detect_ad(clean.text)
    question = None if spam.is_spam else detect_ask(clean.text)
    asks = bool(question and question.is_question)
    request = None if spam.is_spam or asks else detect_request(clean.text)
    sentiment = score_polarity(clean.text, clean.stickers, clean.emoji, is_question=asks)
    reason = question.reason if question and asks else f"请求“{request}”" if request else ""
    return Annotation(
        question=asks or request is not None,
        question_reason=reason,
        sentiment=sentiment.label,
        sentiment_score=sentiment.score,
        spam=spam.is_spam,
        spam_reasons=spam.reasons,
    )


def needs_reply(kind: str, annotation: Annotation) -> bool:
    """Every customer message needs a reply (运营部规章制度); a comment only when it asks."""
    if annotation.spam:
        return False
    return kind == "message" or (kind == "comment" and annotation.question)
