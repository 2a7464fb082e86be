"""Recommendations for the next period: the category mix and topic ideas.

The mix is scored in the open, per category::

    score = 0.45 × engagement share + 0.45 × interest share + 0.10 × 1/5

where *engagement share* is the category's engagement rate over the sum of all categories'
rates, and *interest share* is its theme mentions plus questions over everyone's. The
constant term keeps every category in view. The next period's slots are split by largest
remainder on ``score / Σ score`` (ties go to the plan's order), so a category may get 0.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared.calendar import Period, ReportKind

from .inputs import CATEGORIES, Category, DigestRow, PostRow
from .insight import normalise
from .model import CategoryRow, MixLine, QuestionLine, Recommendations, ThemeLine, TopicIdea

__all__ = ["W_BASE", "W_ENGAGEMENT", "W_INTEREST", "next_slot_count", "recommend", "split_slots"]

W_ENGAGEMENT = 0.45
W_INTEREST = 0.45
W_BASE = 0.10
PUSH_WEEKDAYS = frozenset({0, 2, 4})  # Monday, Wednesday, Friday
MAX_THEME_IDEAS = 3
MAX_QUESTION_IDEAS = 3

METHOD = (
    f"score = {W_ENGAGEMENT} × engagement share + {W_INTEREST} × interest share + "
    f"{W_BASE} × 1/{len(CATEGORIES)}; engagement share = the category's engagement rate / "
    "sum of all categories' rates; interest share = the category's theme mentions + questions "
    "/ all of them; slots split by largest remainder on score / sum of scores, ties in the "
    "plan's order."
)


def next_slot_count(kind: ReportKind, period: Period) -> int:
    """Mon/Wed/Fri push days in the period after ``period`` (next month for monthly)."""
    tz = ZoneInfo(period.zone)
    first = period.end.astimezone(tz).date()
    if kind == "monthly":
        index = first.year * 12 + first.month
        days = (datetime(index // 12, index % 12 + 1, 1).date() - first).days
    else:
        days = period.days
    return sum((first + timedelta(days=i)).weekday() in PUSH_WEEKDAYS for i in range(days))


def split_slots(slots: int, scores: Sequence[float]) -> list[int]:
    """Largest-remainder split of ``slots`` in proportion to ``scores`` (ties: first wins)."""
    total = sum(scores)
    if slots <= 0:
        return [0] * len(scores)
    if total <= 0:
        scores, total = [1.0] * len(scores), float(len(scores))
    quotas = [slots * s / total for s in scores]
    out = [math.floor(q + 1e-9) for q in quotas]
    order = sorted(range(len(scores)), key=lambda i: (-round(quotas[i] - out[i], 9), i))
    for i in order[: slots - sum(out)]:
        out[i] += 1
    return out


def _interest(digests: Sequence[DigestRow]) -> Counter[Category]:
    interest: Counter[Category] = Counter()
    for d in digests:
        interest[d.category] += sum(t.count for t in d.themes) + len(d.questions)
    return interest


def _mix(
    rows: Sequence[CategoryRow], digests: Sequence[DigestRow], slots: int, even: bool
) -> list[MixLine]:
    interest = _interest(digests)
    rates = {r.category: r.metrics.engagement_rate or 0.0 for r in rows}
    rate_sum, interest_sum = sum(rates.values()), sum(interest.values())
    parts = []
    for r in rows:
        eng_share = rates[r.category] / rate_sum if rate_sum else 0.0
        int_share = interest[r.category] / interest_sum if interest_sum else 0.0
        score = (
            1 / len(rows)
            if even
            else (W_ENGAGEMENT * eng_share + W_INTEREST * int_share + W_BASE / len(rows))
        )
        parts.append((r, eng_share, int_share, score))
    split = split_slots(slots, [p[3] for p in parts])
    return [
        MixLine(
            category=r.category,
            slots=n,
            score=score,
            engagement_rate=r.metrics.engagement_rate,
            engagement_share=eng_share,
            interest=interest[r.category],
            interest_share=int_share,
            posts=r.metrics.posts,
            reads=r.metrics.reads,
        )
        for (r, eng_share, int_share, score), n in zip(parts, split, strict=True)
    ]


def _covered(theme: ThemeLine, titles: Sequence[str]) -> bool:
    terms = [k for k in (normalise(t) for t in theme.terms[:3]) if k]
    for title in titles:
        if theme.key and theme.key in title:
            return True
        if len(terms) >= 2 and sum(t in title for t in terms) >= 2:
            return True
    return False


@dataclass
class _Asked:
    text: str
    asked: int = 0
    unanswered: int = 0
    first: datetime | None = None
    categories: Counter[Category] = field(default_factory=Counter)


def _order(c: Category) -> int:
    return CATEGORIES.index(c)


def _top_category(counts: Counter[Category]) -> Category:
    return min(counts, key=lambda c: (-counts[c], _order(c)))


def _topics(
    themes: Sequence[ThemeLine], questions: Sequence[QuestionLine], titles: Sequence[str]
) -> list[TopicIdea]:
    ideas = []
    for t in [t for t in themes if t.count > 0 and not _covered(t, titles)][:MAX_THEME_IDEAS]:
        ideas.append(
            TopicIdea(
                source="theme",
                text=t.label,
                category=t.categories[0],
                reason=(
                    f"Customers raised “{t.label}” {t.count} times ({t.share:.0%} of theme "
                    f"mentions) under {t.digests} post(s); no post in the period covered it."
                ),
                figures={
                    "mentions": t.count,
                    "share": round(t.share, 4),
                    "posts": t.digests,
                    "categories": ", ".join(t.categories),
                    "terms": ", ".join(t.terms[:3]),
                },
            )
        )
    groups: dict[str, _Asked] = {}
    for q in questions:
        key = normalise(q.text) or q.text
        g = groups.setdefault(key, _Asked(text=q.text))
        g.asked += 1
        g.unanswered += not q.answered
        g.first = q.asked_at if g.first is None else min(g.first, q.asked_at)
        g.categories[q.category] += 1
    ranked = sorted(
        (g for k, g in groups.items() if not any(k in title for title in titles)),
        key=lambda g: (-g.asked, -g.unanswered, g.first, g.text),
    )
    for g in ranked[:MAX_QUESTION_IDEAS]:
        ideas.append(
            TopicIdea(
                source="question",
                text=g.text,
                category=_top_category(g.categories),
                reason=(
                    f"Asked {g.asked} time(s), {g.unanswered} without a reply; a post "
                    "answering it serves everyone who asked."
                ),
                figures={"asked": g.asked, "unanswered": g.unanswered},
            )
        )
    return ideas


def recommend(
    *,
    rows: Sequence[CategoryRow],
    posts: Sequence[PostRow],
    digests: Sequence[DigestRow],
    themes: Sequence[ThemeLine],
    questions: Sequence[QuestionLine],
    slots: int,
) -> Recommendations:
    """The next period's category mix and topic ideas, each with its justification."""
    published = sum(r.metrics.posts for r in rows)
    reads = sum(r.metrics.reads for r in rows)
    fallback = None
    if published == 0:
        fallback = "No posts were published in the period, so the plan's even mix is kept."
    elif reads == 0 and not any(sum(t.count for t in d.themes) + len(d.questions) for d in digests):
        fallback = (
            "No reads and no customer feedback were recorded, so the plan's even mix is kept."
        )
    titles = [normalise(p.title) for p in posts]
    return Recommendations(
        slots=slots,
        method="Even split across the plan's five categories." if fallback else METHOD,
        fallback_reason=fallback,
        mix=_mix(rows, digests, slots, even=fallback is not None),
        topics=_topics(themes, questions, titles),
    )
