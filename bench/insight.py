"""Benchmark of the feedback analysis against the labelled set of #17.

Run: ``.venv/bin/python bench/insight.py [--method today|insight|both] [--errors]``.

Reads ``tests/data/insight/comments.jsonl`` (329 comments and enquiries under 11 posts,
labelled by hand before the method was written; ``split`` dev = tuned on, holdout = never
tuned on) and prints, for each method and each half:

* grouping purity and adjusted Rand index against the analyst's ``group``, per post (the
  document groups one post's feedback) and averaged weighted by the post's size; items the
  method dropped as spam, or could not place, count as singletons;
* polarity accuracy on the genuine items;
* question-detection precision, recall and F1 (an item dropped as spam asks nothing);
* spam precision and recall (precision < 1 means a genuine customer was dropped);
* intent accuracy on the labelled questions (the new method only).

``today`` is the method the digest used before #17 (keyword themes, lexicon sentiment,
rule-based questions and spam: ``find_themes``, ``score_clean``, ``detect_question``,
``detect_spam``, kept unchanged); ``insight`` is ``analyse_feedback`` (services.feedback.analysis).
Goals (#17): purity >= 0.85, ARI >= 0.6, polarity >= 0.9, question F1 >= 0.95,
spam precision >= 0.98.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklearn.metrics import adjusted_rand_score

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from services.feedback.analysis import (  # noqa: E402
    analyse_feedback,
    clean_text,
    detect_question,
    detect_spam,
    find_themes,
    score_clean,
    tokenize,
)

DATA = ROOT / "tests" / "data" / "insight" / "comments.jsonl"
GOALS = {"purity": 0.85, "ari": 0.6, "polarity": 0.9, "question_f1": 0.95, "spam_p": 0.98}


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a method says about one item: its group (None: dropped or unplaced)."""

    group: int | None
    polarity: str
    is_question: bool
    is_spam: bool
    intent: str | None = None


Method = Callable[[Sequence[str]], list[Verdict]]


def today(texts: Sequence[str]) -> list[Verdict]:
    """The method before #17, as build_digest ran it on one post's feedback."""
    cleans = [clean_text(t) for t in texts]
    spam = [detect_spam(c.text).is_spam for c in cleans]
    valid = [i for i, s in enumerate(spam) if not s]
    themes = find_themes([tokenize(cleans[i].text) for i in valid], max_themes=6)
    group: dict[int, int] = {valid[m]: n for n, t in enumerate(themes) for m in t.members}
    return [
        Verdict(
            group.get(i),
            score_clean(c.text, c.stickers, c.emoji).label,
            not spam[i] and detect_question(c.text).is_question,
            spam[i],
        )
        for i, c in enumerate(cleans)
    ]


def insight(texts: Sequence[str]) -> list[Verdict]:
    """The method of #17: stance, intent, meaning groups, polarity, questions, spam."""
    result = analyse_feedback(texts)
    group = {m: n for n, g in enumerate(result.groups) for m in g.members}
    return [
        Verdict(group.get(i), a.polarity.label, a.question.is_question, a.spam.is_spam, a.intent)
        for i, a in enumerate(result.items)
    ]


METHODS: dict[str, Method] = {"today": today, "insight": insight}


def _ratio(a: float, b: float) -> float:
    return a / b if b else 1.0


def purity(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Share of items in the majority gold group of their predicted group."""
    clusters: dict[str, Counter[str]] = defaultdict(Counter)
    for g, p in zip(gold, pred, strict=True):
        clusters[p][g] += 1
    return _ratio(sum(c.most_common(1)[0][1] for c in clusters.values()), len(gold))


def evaluate(rows: Sequence[dict[str, Any]], method: Method, errors: bool) -> dict[str, float]:
    """Every figure of one method on one half, per post where the document is per post."""
    by_post: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_post[row["post"]].append(row)
    pur = ari = weight = 0.0
    q = Counter[str]()
    s = Counter[str]()
    pol_ok = pol_n = int_ok = int_n = 0
    for post, items in by_post.items():
        verdicts = method([r["text"] for r in items])
        genuine = [(r, v, n) for n, (r, v) in enumerate(zip(items, verdicts, strict=True))]
        genuine = [(r, v, n) for r, v, n in genuine if not r["is_spam"]]
        gold = [r["group"] for r, _, _ in genuine]
        pred = [f"g{v.group}" if v.group is not None else f"lone{n}" for _, v, n in genuine]
        pur += purity(gold, pred) * len(gold)
        ari += adjusted_rand_score(gold, pred) * len(gold)
        weight += len(gold)
        for r, v in zip(items, verdicts, strict=True):
            q[f"{int(r['is_question'])}{int(v.is_question)}"] += 1
            s[f"{int(r['is_spam'])}{int(v.is_spam)}"] += 1
            if not r["is_spam"]:
                pol_n += 1
                pol_ok += v.polarity == r["polarity"]
            if r["is_question"]:
                int_n += 1
                int_ok += v.intent == r["intent"]
            if errors:
                _print_errors(post, r, v)
    qp, qr = _ratio(q["11"], q["11"] + q["01"]), _ratio(q["11"], q["11"] + q["10"])
    return {
        "purity": pur / weight,
        "ari": ari / weight,
        "polarity": _ratio(pol_ok, pol_n),
        "question_p": qp,
        "question_r": qr,
        "question_f1": _ratio(2 * qp * qr, qp + qr),
        "spam_p": _ratio(s["11"], s["11"] + s["01"]),
        "spam_r": _ratio(s["11"], s["11"] + s["10"]),
        "intent": _ratio(int_ok, int_n),
        "rows": len(rows),
        "posts": len(by_post),
    }


def _print_errors(post: str, row: dict[str, Any], v: Verdict) -> None:
    wrong = []
    if v.polarity != row["polarity"] and not row["is_spam"]:
        wrong.append(f"polarity {v.polarity}≠{row['polarity']}")
    if v.is_question != row["is_question"]:
        wrong.append(f"question {v.is_question}≠{row['is_question']}")
    if v.is_spam != row["is_spam"]:
        wrong.append(f"spam {v.is_spam}≠{row['is_spam']}")
    if row["is_question"] and v.intent is not None and v.intent != row["intent"]:
        wrong.append(f"intent {v.intent}≠{row['intent']}")
    if wrong:
        print(f"  {post[:2]} {row['text']}  [{'; '.join(wrong)}]")


def _line(name: str, split: str, f: dict[str, float]) -> str:
    intent = f"{f['intent']:.2f}" if name != "today" else "  — "
    return (
        f"{name:8} {split:8} {int(f['posts']):5} {int(f['rows']):5} {f['purity']:7.3f}"
        f" {f['ari']:6.3f} {f['polarity']:8.3f} {f['question_p']:6.3f} {f['question_r']:6.3f}"
        f" {f['question_f1']:6.3f} {f['spam_p']:6.3f} {f['spam_r']:6.3f} {intent:>6}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--method", choices=[*METHODS, "both"], default="both")
    parser.add_argument("--split", choices=["dev", "holdout", "both"], default="both")
    parser.add_argument("--errors", action="store_true", help="print every wrong verdict")
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.read_text("utf-8").splitlines() if line.strip()]
    names = list(METHODS) if args.method == "both" else [args.method]
    splits = ["dev", "holdout"] if args.split == "both" else [args.split]
    print(f"labelled set: {DATA.relative_to(ROOT)} ({len(rows)} rows)")
    print(
        "method   half     posts  rows  purity    ARI polarity  q-P    q-R    q-F1"
        "  spam-P spam-R intent"
    )
    for name in names:
        for split in splits:
            half = [r for r in rows if r["split"] == split]
            if args.errors:
                print(f"-- {name} / {split}: wrong verdicts")
            print(_line(name, split, evaluate(half, METHODS[name], args.errors)))
    goals = ", ".join(f"{k} >= {v}" for k, v in GOALS.items())
    print(f"goals (#17): {goals}")


if __name__ == "__main__":
    main()
