"""Precision, recall and accuracy on the labelled comment sets (run with -s to see them).

``labelled_comments.jsonl`` is the development set the rules were tuned on;
``holdout_comments.jsonl`` was written before looking at any output and never tuned on,
so its figures are the honest estimate.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.feedback.analysis import clean_text, detect_question, detect_spam, score_clean

DATA = Path(__file__).parent / "data"


def load(name: str) -> list[dict[str, Any]]:
    """Rows of a JSONL file in ``data/``."""
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@dataclass(frozen=True)
class Scores:
    """Precision and recall of questions and spam, and sentiment accuracy."""

    question_precision: float
    question_recall: float
    spam_precision: float
    spam_recall: float
    sentiment_accuracy: float
    rows: int

    def report(self, name: str) -> str:
        return (
            f"{name} ({self.rows} rows): question P={self.question_precision:.3f} "
            f"R={self.question_recall:.3f}; spam P={self.spam_precision:.3f} "
            f"R={self.spam_recall:.3f}; sentiment accuracy={self.sentiment_accuracy:.3f}"
        )


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def score(rows: list[dict[str, Any]]) -> Scores:
    """Run clean → spam → question → sentiment over labelled rows, as the digest does."""
    q_tp = q_fp = q_fn = s_tp = s_fp = s_fn = correct = judged = 0
    for row in rows:
        clean = clean_text(row["text"])
        spam = detect_spam(clean.text).is_spam
        question = not spam and detect_question(clean.text).is_question
        q_tp += question and row["is_question"]
        q_fp += question and not row["is_question"]
        q_fn += not question and row["is_question"]
        s_tp += spam and row["is_spam"]
        s_fp += spam and not row["is_spam"]
        s_fn += not spam and row["is_spam"]
        if not row["is_spam"]:
            judged += 1
            correct += (
                score_clean(clean.text, clean.stickers, clean.emoji).label == row["sentiment"]
            )
    return Scores(
        _ratio(q_tp, q_tp + q_fp),
        _ratio(q_tp, q_tp + q_fn),
        _ratio(s_tp, s_tp + s_fp),
        _ratio(s_tp, s_tp + s_fn),
        _ratio(correct, judged),
        len(rows),
    )


def test_labelled_set_is_large_and_covers_every_kind() -> None:
    rows = load("labelled_comments.jsonl")
    assert len(rows) >= 150
    assert Counter(r["sentiment"] for r in rows).keys() == {"positive", "neutral", "negative"}
    assert sum(r["is_question"] for r in rows) >= 50
    assert sum(r["is_spam"] for r in rows) >= 10
    assert any("什么" in r["text"] and not r["is_question"] for r in rows)
    assert any("难道" in r["text"] for r in rows)


def test_development_set_scores() -> None:
    scores = score(load("labelled_comments.jsonl"))
    print("\n" + scores.report("development set"))
    assert scores.question_precision >= 0.95, scores
    assert scores.question_recall >= 0.95, scores
    assert scores.spam_precision >= 0.95, scores
    assert scores.spam_recall >= 0.95, scores
    assert scores.sentiment_accuracy >= 0.93, scores


def test_holdout_set_scores() -> None:
    scores = score(load("holdout_comments.jsonl"))
    print("\n" + scores.report("hold-out set"))
    assert scores.question_precision >= 0.9, scores
    assert scores.question_recall >= 0.9, scores
    assert scores.spam_precision >= 0.9, scores
    assert scores.spam_recall >= 0.9, scores
    assert scores.sentiment_accuracy >= 0.75, scores
