"""The analysis of #17: what people ask, praise and complain about, grouped by meaning.

For each text, in order: clean it; :func:`.ads.detect_ad` (spam is set aside, never a
customer); :func:`.asks.detect_ask` and :func:`.asks.detect_request`;
:func:`.polarity.score_polarity`; the stance — ``ask`` (a question, or a request that is
not a complaint), ``complaint`` (negative), ``praise`` (positive) or ``other``; the
facet and intent of the taxonomy. Then the items are grouped within their stance
(:func:`.grouping.group_by_meaning`) and each group is named by a phrase of its texts.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

from .ads import detect_ad
from .asks import detect_ask, detect_request
from .clean import clean_text
from .grouping import Stance, group_by_meaning, name_group
from .polarity import score_polarity
from .questions import QuestionVerdict
from .sentiment import Sentiment
from .spam import SpamVerdict
from .taxonomy import OTHER_INTENT, FacetMatch, match_facet
from .tokens import tokenize

__all__ = [
    "FeedbackInsight",
    "InsightGroup",
    "ItemInsight",
    "Stance",
    "analyse_feedback",
    "paused_cycle_collection",
]

NAMING_SAMPLE = 300
_NOT_ASKED = QuestionVerdict(False, "广告，不判断", "none")
_NO_POLARITY = Sentiment("neutral", 0.0, ("广告，不判断",))


@dataclass(frozen=True, slots=True)
class ItemInsight:
    """Everything the analysis says about one text."""

    text: str
    stance: Stance | None
    intent: str | None
    facet: str | None
    question: QuestionVerdict
    request: str | None
    polarity: Sentiment
    spam: SpamVerdict

    @property
    def needs_reply(self) -> bool:
        """A question, or a request to be contacted or helped."""
        return self.stance == "ask" or self.question.is_question


@dataclass(frozen=True, slots=True)
class InsightGroup:
    """Items of one stance and meaning, named by a phrase of their texts."""

    label: str
    stance: Stance
    intent: str | None
    facet: str | None
    about_form: bool
    members: tuple[int, ...]
    representatives: tuple[int, ...]

    @property
    def count(self) -> int:
        """How many items the group holds."""
        return len(self.members)


@dataclass(frozen=True, slots=True)
class FeedbackInsight:
    """The per-item verdicts (in input order) and the groups, largest first."""

    items: tuple[ItemInsight, ...]
    groups: tuple[InsightGroup, ...]


def _stance(question: QuestionVerdict, request: str | None, polarity: Sentiment) -> Stance:
    if question.is_question:
        return "ask"
    if polarity.label == "negative":
        return "complaint"
    if request is not None:
        return "ask"
    return "praise" if polarity.label == "positive" else "other"


def _complaint_by_facet(text: str, polarity: Sentiment) -> Sentiment:
    """A statement that names what goes wrong (a complaint-only facet's keyword: 失败,
    没人回, 套路, 太笼统 …) is a complaint, though no attitude word scored it."""
    match = match_facet(text, "complaint")
    if match is None or match.facet.use != "complaint":
        return polarity
    why = f"投诉类“{match.facet.name}”：{'、'.join(match.keywords)}"
    return Sentiment("negative", min(polarity.score, -0.5), (*polarity.hits, why))


def _analyse_one(text: str) -> tuple[ItemInsight, FacetMatch | None]:
    clean = clean_text(text)
    spam = detect_ad(clean.text)
    if spam.is_spam:
        return ItemInsight(clean.text, None, None, None, _NOT_ASKED, None, _NO_POLARITY, spam), None
    question = detect_ask(clean.text)
    request = detect_request(clean.text)
    polarity = score_polarity(
        clean.text, clean.stickers, clean.emoji, is_question=question.is_question
    )
    if polarity.label == "neutral" and not question.is_question and request is None:
        polarity = _complaint_by_facet(clean.text, polarity)
    stance = _stance(question, request, polarity)
    match = match_facet(clean.text, stance) if stance in ("ask", "complaint") else None
    intent = None
    if stance == "ask":
        intent = match.facet.intent if match else OTHER_INTENT
    item = ItemInsight(
        clean.text,
        stance,
        intent,
        match.facet.name if match else None,
        question,
        request,
        polarity,
        spam,
    )
    return item, match


def _representatives(texts: Sequence[str], members: Sequence[int], quotes: int) -> tuple[int, ...]:
    seen: set[str] = set()
    out: list[int] = []
    for m in sorted(members, key=lambda m: (abs(len(texts[m]) - 18), m)):
        if texts[m] not in seen:
            seen.add(texts[m])
            out.append(m)
        if len(out) == quotes:
            break
    return tuple(out)


@contextmanager
def paused_cycle_collection() -> Iterator[None]:
    """The cyclic garbage collector paused while texts are analysed (#15).

    The analysis makes no reference cycles, only many small objects, each of which set
    off collections that walk everything alive (a window's items, the caches): an eighth
    of the time of 50k items. Refcounting frees what the analysis drops meanwhile."""
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def analyse_feedback(texts: Sequence[str], *, quotes: int = 3) -> FeedbackInsight:
    """Analyse the feedback on one post: per-item verdicts and groups by meaning.

    Each distinct text is analysed once; a group is named from at most ``NAMING_SAMPLE``
    of its members."""
    seen: dict[str, tuple[ItemInsight, FacetMatch | None]] = {}
    with paused_cycle_collection():
        for text in texts:
            if text not in seen:
                seen[text] = _analyse_one(text)
    analysed = [seen[t] for t in texts]
    items = [a for a, _ in analysed]
    matches = [m for _, m in analysed]
    cleans = [i.text for i in items]
    drafts = group_by_meaning(cleans, [i.stance for i in items], matches)
    groups: list[InsightGroup] = []
    for d in drafts:
        sample = d.members[:NAMING_SAMPLE]
        shared = [k for m in sample if (fm := matches[m]) for k in fm.keywords]
        if not shared:
            shared = [w for m in sample for w in dict.fromkeys(tokenize(cleans[m]))]
        intent = d.intent if d.stance == "ask" else (d.intent if d.facet else None)
        if d.stance == "ask":
            for m in d.members:  # a neighbour's intent, when placed by one
                if items[m].intent != intent:
                    items[m] = replace(items[m], intent=intent)
        groups.append(
            InsightGroup(
                name_group([cleans[m] for m in sample], shared),
                d.stance,
                intent,
                d.facet,
                d.about_form,
                d.members,
                _representatives(cleans, d.members, quotes),
            )
        )
    return FeedbackInsight(tuple(items), tuple(groups))
