"""The cheap analysis every item gets at ingestion, and which items need a reply."""

from __future__ import annotations

from dataclasses import dataclass

from services.feedback.analysis import clean_text, detect_question, detect_spam, score_clean

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

    The same steps, in the same order, as the document's own analysis (spam first; a spam
    text is never a question), so the enquiry log and the document agree.
    """
    if kind not in ("comment", "message") or not text.strip():
        return _NOT_JUDGED
    clean = clean_text(text)
    spam = detect_spam(clean.text)
    question = None if spam.is_spam else detect_question(clean.text)
    sentiment = score_clean(clean.text, clean.stickers, clean.emoji)
    return Annotation(
        question=bool(question and question.is_question),
        question_reason=question.reason if question and question.is_question else "",
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
