"""Topic ideas for editors: what customers asked about, ranked.

Ideas come from two kinds of events: ``report.ready`` (the periodic analysis's
``topic_ideas``) and ``feedback.digest.ready`` (the 24-hour digest's themes and customer
questions). Each idea gets a **weight** in [0, 1] when it arrives: its share of the
strongest idea of the same document, times a source weight (a report's analysis counts
more than one day's themes, a theme more than a single question; an unanswered question
counts more than an answered one).

Every idea belongs to one official account (#12): the account of the report, or of the
post the digest is about. At read time the same topic from several documents of the
same account is merged (the text is compared without case, width, spaces or
punctuation; two accounts' ideas are never merged), and its **score** is the sum of its
weights, each halved every ``half_life`` days of age, so a topic customers keep asking
about rises and an old one fades.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.accounts import DEFAULT_ACCOUNT
from shared.events import Category, FeedbackDigestReadyPayload, ReportReadyPayload

__all__ = [
    "IdeaSource",
    "RankedIdea",
    "TopicIdeaRecord",
    "ideas_from_digest",
    "ideas_from_report",
    "rank_ideas",
    "topic_key",
]

MAX_TOPIC_CHARS = 200


class IdeaSource(StrEnum):
    """Where a topic idea came from."""

    REPORT = "report"
    FEEDBACK_THEME = "feedback_theme"
    FEEDBACK_QUESTION = "feedback_question"


SOURCE_WEIGHT = {
    IdeaSource.REPORT: 1.0,
    IdeaSource.FEEDBACK_THEME: 0.8,
    IdeaSource.FEEDBACK_QUESTION: 0.6,
}
ANSWERED_QUESTION_FACTOR = 0.5


class TopicIdeaRecord(BaseModel):
    """One idea as received, before merging."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    id: str
    account: str = DEFAULT_ACCOUNT
    topic: str
    key: str
    source: IdeaSource
    source_id: str
    category: Category | None = None
    weight: float
    reason: str = ""
    date: datetime


@dataclass(frozen=True)
class RankedIdea:
    """A topic of one account with its score and every document that suggested it."""

    account: str
    topic: str
    category: Category | None
    score: float
    latest: datetime
    records: tuple[TopicIdeaRecord, ...]


def topic_key(topic: str) -> str:
    """The text compared when merging: NFKC, case-folded, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", topic).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZSC")


def _record(
    *,
    account: str,
    record_id: str,
    topic: str,
    source: IdeaSource,
    source_id: str,
    category: Category | None,
    weight: float,
    reason: str,
    date: datetime,
) -> TopicIdeaRecord | None:
    topic = " ".join(topic.split())[:MAX_TOPIC_CHARS]
    key = topic_key(topic)
    if not key:
        return None
    return TopicIdeaRecord(
        id=record_id,
        account=account,
        topic=topic,
        key=key,
        source=source,
        source_id=source_id,
        category=category,
        weight=round(max(0.0, min(1.0, weight)), 6),
        reason=reason,
        date=date,
    )


def ideas_from_report(payload: ReportReadyPayload, *, account: str) -> list[TopicIdeaRecord]:
    """A report's topic ideas (of the report's ``account``), weighted by score relative
    to its best idea."""
    ideas = payload.topic_ideas
    best = max((max(i.score, 0.0) for i in ideas), default=0.0)
    out: list[TopicIdeaRecord] = []
    for n, idea in enumerate(ideas):
        # Without usable scores, the report's order is the ranking.
        relative = max(idea.score, 0.0) / best if best > 0 else 1.0 - n / max(len(ideas), 1)
        record = _record(
            account=account,
            record_id=f"report:{payload.report_id}:{n}",
            topic=idea.topic,
            source=IdeaSource.REPORT,
            source_id=payload.report_id,
            category=idea.category,
            weight=SOURCE_WEIGHT[IdeaSource.REPORT] * relative,
            reason=idea.reason or f"{payload.kind} report {payload.report_id}",
            date=payload.period_end,
        )
        if record is not None:
            out.append(record)
    return out


def ideas_from_digest(
    payload: FeedbackDigestReadyPayload, *, account: str
) -> list[TopicIdeaRecord]:
    """A feedback digest's themes (weighted by size) and customer questions, of the
    ``account`` of the post it is about."""
    out: list[TopicIdeaRecord] = []
    best = max((t.count for t in payload.themes), default=0)
    for n, theme in enumerate(payload.themes):
        terms = "、".join(theme.terms[:5])
        record = _record(
            account=account,
            record_id=f"digest:{payload.digest_id}:theme:{n}",
            topic=theme.label,
            source=IdeaSource.FEEDBACK_THEME,
            source_id=payload.digest_id,
            category=payload.category,
            weight=SOURCE_WEIGHT[IdeaSource.FEEDBACK_THEME] * (theme.count / best if best else 0),
            reason=f"{theme.count} comments on post {payload.post_id}"
            + (f" ({terms})" if terms else ""),
            date=payload.window_end,
        )
        if record is not None:
            out.append(record)
    for n, question in enumerate(payload.questions):
        factor = ANSWERED_QUESTION_FACTOR if question.answered else 1.0
        record = _record(
            account=account,
            record_id=f"digest:{payload.digest_id}:question:{n}",
            topic=question.text,
            source=IdeaSource.FEEDBACK_QUESTION,
            source_id=payload.digest_id,
            category=payload.category,
            weight=SOURCE_WEIGHT[IdeaSource.FEEDBACK_QUESTION] * factor,
            reason=("answered" if question.answered else "not answered yet")
            + f" question on post {payload.post_id}",
            date=question.asked_at,
        )
        if record is not None:
            out.append(record)
    return out


def rank_ideas(
    records: Iterable[TopicIdeaRecord], *, now: datetime, half_life: timedelta
) -> list[RankedIdea]:
    """Merge records of the same topic and account and rank them, best first."""
    groups: dict[tuple[str, str], list[TopicIdeaRecord]] = {}
    for record in records:
        groups.setdefault((record.account, record.key), []).append(record)
    ranked = []
    for members in groups.values():
        members.sort(key=lambda r: (r.date, r.weight), reverse=True)
        score = sum(r.weight * _decay(now - r.date, half_life) for r in members)
        categories = Counter(r.category for r in members if r.category is not None)
        ranked.append(
            RankedIdea(
                account=members[0].account,
                topic=members[0].topic,
                category=categories.most_common(1)[0][0] if categories else None,
                score=round(score, 6),
                latest=members[0].date,
                records=tuple(members),
            )
        )
    ranked.sort(key=lambda idea: (-idea.score, -idea.latest.timestamp(), idea.topic, idea.account))
    return ranked


def _decay(age: timedelta, half_life: timedelta) -> float:
    days = max(age.total_seconds(), 0.0) / half_life.total_seconds()
    return float(0.5**days)
