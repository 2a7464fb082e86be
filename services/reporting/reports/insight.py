"""What customers care about: themes merged across digests, and their questions.

Themes of different stances (asking, praising, complaining) or of which one is about the
pushes' form and the other not are never merged. Within those, themes from different
digests are the same theme when they name the same intent of the taxonomy, when their
normalised labels match, or when their three top terms (normalised, as a set) match; the
merged theme takes its most frequent label and its terms ranked by the mentions they
came with. Older digests carry no stance, intent or form flag: their form remarks are
recognised by :func:`looks_about_form`.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .aggregate import REPLY_SLA
from .form import looks_about_form
from .inputs import CATEGORIES, Category, DigestRow, PostRow
from .model import QuestionLine, Stance, ThemeLine

__all__ = ["compile_questions", "merge_themes", "normalise"]

_TOP_TERMS = 3
_MAX_QUOTES = 3
_MAX_TERMS = 6
_SLA_HOURS = REPLY_SLA.total_seconds() / 3600


def normalise(text: str) -> str:
    """NFKC, case-folded, without spaces, punctuation or symbols."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


@dataclass
class _Group:
    labels: Counter[str] = field(default_factory=Counter)
    terms: Counter[str] = field(default_factory=Counter)
    term_text: dict[str, str] = field(default_factory=dict)
    count: int = 0
    digests: set[str] = field(default_factory=set)
    categories: Counter[Category] = field(default_factory=Counter)
    quotes: list[str] = field(default_factory=list)
    post_ids: list[str] = field(default_factory=list)
    stance: Stance | None = None
    intent: str | None = None
    about_form: bool = False


def merge_themes(digests: Sequence[DigestRow]) -> list[ThemeLine]:
    """Themes across ``digests``, merged and ranked by mentions (then label)."""
    groups: list[_Group] = []
    by_label: dict[tuple[str | None, bool, str], int] = {}
    by_terms: dict[tuple[str | None, bool, frozenset[str]], int] = {}
    by_intent: dict[tuple[str | None, bool, str], int] = {}
    for digest in digests:
        for theme in digest.themes:
            form = theme.about_form or (
                theme.stance is None
                and looks_about_form(theme.label, theme.terms, theme.sample_quotes)
            )
            kind = (theme.stance, form)
            label_key = (*kind, normalise(theme.label) or theme.label)
            term_keys = [t for t in (normalise(x) for x in theme.terms) if t]
            sig = (*kind, frozenset(term_keys[:_TOP_TERMS]))
            intent_key = (*kind, theme.intent) if theme.intent else None
            index = by_intent.get(intent_key) if intent_key else None
            if index is None:
                index = by_label.get(label_key)
            if index is None and len(sig[2]) == _TOP_TERMS:
                index = by_terms.get(sig)
            if index is None:
                index = len(groups)
                groups.append(_Group(stance=theme.stance, intent=theme.intent, about_form=form))
            by_label.setdefault(label_key, index)
            if len(sig[2]) == _TOP_TERMS:
                by_terms.setdefault(sig, index)
            if intent_key:
                by_intent.setdefault(intent_key, index)
            g = groups[index]
            g.intent = g.intent or theme.intent
            if digest.post_id not in g.post_ids:
                g.post_ids.append(digest.post_id)
            g.labels[theme.label.strip()] += theme.count or 1
            for raw, key in zip(theme.terms, (normalise(x) for x in theme.terms), strict=True):
                if key:
                    g.terms[key] += theme.count or 1
                    g.term_text.setdefault(key, raw.strip())
            g.count += theme.count
            g.digests.add(digest.post_id)
            g.categories[digest.category] += theme.count
            for quote in theme.sample_quotes:
                if len(g.quotes) < _MAX_QUOTES and quote not in g.quotes:
                    g.quotes.append(quote)
    total = sum(g.count for g in groups)
    lines = []
    for g in groups:
        label = min(g.labels.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        terms = sorted(g.terms.items(), key=lambda kv: (-kv[1], kv[0]))[:_MAX_TERMS]
        order = {c: i for i, c in enumerate(CATEGORIES)}
        lines.append(
            ThemeLine(
                label=label,
                key=normalise(label) or label,
                terms=[g.term_text[k] for k, _ in terms],
                count=g.count,
                share=g.count / total if total else 0.0,
                digests=len(g.digests),
                categories=sorted(g.categories, key=lambda c: (-g.categories[c], order[c])),
                sample_quotes=g.quotes,
                post_ids=g.post_ids,
                stance=g.stance,
                intent=g.intent,
                about_form=g.about_form,
            )
        )
    lines.sort(key=lambda t: (-t.count, t.key))
    return lines


def compile_questions(
    digests: Sequence[DigestRow],
    posts: Mapping[str, PostRow],
    reply_limits: Mapping[str, float] | None = None,
) -> list[QuestionLine]:
    """Every question of ``digests`` with our reply, in the order they were asked; a reply
    is in time within its post's account's limit (``reply_limits``, hours; 12 unless
    given)."""
    limits = reply_limits or {}
    out = []
    for digest in digests:
        post = posts.get(digest.post_id)
        limit = limits.get(post.account, _SLA_HOURS) if post else _SLA_HOURS
        for q in digest.questions:
            hours = None
            if q.reply_at is not None:
                hours = (q.reply_at - q.asked_at).total_seconds() / 3600
            answered = q.answered or q.reply_at is not None
            within: bool | None = False  # a digest is compiled after the 24-hour window
            if answered:
                within = None if hours is None else hours <= limit
            out.append(
                QuestionLine(
                    post_id=digest.post_id,
                    post_title=post.title if post else "",
                    category=digest.category,
                    text=q.text,
                    asked_at=q.asked_at,
                    answered=answered,
                    reply_text=q.reply_text,
                    reply_at=q.reply_at,
                    reply_hours=hours,
                    within_12h=within,
                    intent=q.intent,
                )
            )
    out.sort(key=lambda q: (q.asked_at, q.post_id, q.text))
    return out
