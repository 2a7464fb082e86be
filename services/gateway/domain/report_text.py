"""The reporting service's report, worded for people: its notes and its recommendations
arrive as codes with parameters (``{"code": "summary", "params": {...}}``, an idea's
``source``, a coverage's ``how``); this is the console's catalogue of those codes, in the
reader's language.

Message ids are English, the same sentences the reporting service's own documents use
(``services/reporting/reports/explain.py``), so the page and the XLSX/DOCX say the same;
the console's catalogues (``locale/*/LC_MESSAGES/pages_reports.po``) hold their Chinese.
Pure: given the report's JSON and a ``gettext``, it returns text (escaped by the template).
A code this catalogue does not know yet is still shown, with its parameters, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "IdeaText",
    "N_",
    "Words",
    "advice_text",
    "idea_texts",
    "note_text",
]

Gettext = Callable[[str], str]


def N_(message: str) -> str:  # noqa: N802 - gettext's "mark for extraction" convention
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message


SOURCES = {
    "questions": N_("Customers' questions"),
    "problems": N_("Problems customers met"),
    "interest": N_("What customers raised"),
    "most_read": N_("Read and shared most"),
    "rotation": N_("The plan's rotation"),
}


@dataclass(frozen=True)
class Words:
    """One language's ``gettext`` and category names (the report's codes name them)."""

    gettext: Gettext
    category: Callable[[str], str]

    def __call__(self, message: str, **params: object) -> str:
        text = self.gettext(message)
        return text % params if params else text

    def list_sep(self) -> str:
        return self.gettext("; ")


def _number(value: object) -> str:
    return f"{value:,.0f}" if isinstance(value, int | float) else "0"


def _percent(value: object) -> str:
    return f"{value * 100:.1f}%" if isinstance(value, int | float) else "–"


def _params(note: Mapping[str, Any]) -> dict[str, Any]:
    params = note.get("params")
    return dict(params) if isinstance(params, Mapping) else {}


def note_text(note: Mapping[str, Any] | str, words: Words) -> str:
    """One note of the report as a sentence (a plain string is an old report's text)."""
    if isinstance(note, str):
        return note
    code, p = note.get("code"), _params(note)
    limit = p.get("limit") or "12"
    if code == "text":
        return str(p.get("text") or "")
    if code == "no_posts":
        return words("No posts were published in this period; every figure below is zero.")
    if code == "summary":
        return words(
            "%(posts)s posts published, %(reads)s reads, engagement rate %(engagement)s, "
            "%(reply_rate)s of messages and enquiries answered within %(h)s hours (previous "
            "period: %(prev_posts)s posts, %(prev_reads)s reads, engagement rate "
            "%(prev_engagement)s).",
            posts=p.get("posts", 0),
            reads=_number(p.get("reads")),
            engagement=_percent(p.get("engagement")),
            reply_rate=_percent(p.get("reply_rate")),
            prev_posts=p.get("prev_posts", 0),
            prev_reads=_number(p.get("prev_reads")),
            prev_engagement=_percent(p.get("prev_engagement")),
            h=limit,
        )
    if code == "failed":
        return words(
            "%(count)s posts failed to publish: %(posts)s.",
            count=p.get("count", 0),
            posts=p.get("posts", ""),
        )
    if code == "breached":
        return words(
            "%(count)s enquiries were not answered within %(h)s hours (the rule: every "
            "message or enquiry is answered within %(h)s hours).",
            count=p.get("count", 0),
            h=limit,
        )
    if code == "no_digests":
        return words("No core-issues documents were received for this period's posts.")
    if code == "uncategorised":
        return words(
            "%(count)s failed posts without a known category are left out of the tables: "
            "%(posts)s.",
            count=p.get("count", 0),
            posts=p.get("posts", ""),
        )
    shown = ", ".join(f"{k}={v}" for k, v in sorted(p.items()))
    return words("A note of kind “%(code)s”: %(params)s", code=code, params=shown or "–")


@dataclass(frozen=True)
class IdeaText:
    """A topic idea as the editors were given it: a working title, where it comes from,
    why it takes a slot, its evidence and whether a post already covered it."""

    title: str
    category: str
    source: str
    why: str
    evidence: str
    coverage: str
    covered: bool


def _topic(idea: Mapping[str, Any], words: Words) -> str:
    source, topic = idea.get("source"), str(idea.get("topic") or "")
    if source == "questions":
        if idea.get("intent"):
            return words(
                "Questions answered: %(intent)s — “%(question)s”",
                intent=idea["intent"],
                question=topic,
            )
        return words("Answering “%(question)s”", question=topic)
    if source == "problems":
        return words("How to solve: %(topic)s", topic=topic)
    if source == "most_read":
        return words("Follow-up to “%(title)s”", title=topic)
    if source == "rotation":
        return words(
            "%(category)s: the period's news and practice",
            category=words.category(str(idea.get("category") or "")),
        )
    return words("More on: %(topic)s", topic=topic)


def _evidence(idea: Mapping[str, Any], words: Words) -> str:
    e: Mapping[str, Any] = idea.get("evidence") or {}
    source = idea.get("source")
    parts: list[str] = []
    if e.get("asked"):
        asked = "；".join(
            words("“%(text)s” ×%(n)s", text=q.get("text", ""), n=q.get("asked", 0))
            for q in e.get("questions") or []
        )
        parts.append(
            words(
                "%(asked)s questions (%(unanswered)s unanswered): %(list)s",
                asked=e["asked"],
                unanswered=e.get("unanswered", 0),
                list=asked,
            )
        )
    if e.get("mentions"):
        parts.append(words("%(n)s comments on the subject", n=e["mentions"]))
    quotes = e.get("quotes") or []
    if quotes and not e.get("asked"):
        parts.append(words("e.g. %(quote)s", quote="；".join(f"“{q}”" for q in quotes[:2])))
    posts: Sequence[Mapping[str, Any]] = e.get("posts") or []
    if source == "most_read":
        for post in posts[:1]:
            parts.append(
                words(
                    "“%(title)s”: %(reads)s reads, %(shares)s shares",
                    title=post.get("title", ""),
                    reads=_number(post.get("reads")),
                    shares=_number(post.get("shares")),
                )
            )
        if e.get("praise"):
            parts.append(words("%(n)s comments praised it", n=e["praise"]))
    elif posts:
        titles = "、".join(f"《{p.get('title', '')}》" for p in posts[:3])
        if (e.get("post_count") or 0) > 3:
            parts.append(
                words("under %(n)s posts, e.g. %(posts)s", n=e["post_count"], posts=titles)
            )
        else:
            parts.append(words("under %(posts)s", posts=titles))
    if source == "rotation":
        parts.append(words("no customer questions or themes point elsewhere"))
    return words.list_sep().join(parts)


def _why(idea: Mapping[str, Any], words: Words) -> str:
    e: Mapping[str, Any] = idea.get("evidence") or {}
    source = idea.get("source")
    if source == "questions" and e.get("unanswered"):
        return words(
            "Customers asked and %(n)s questions are still without a reply: a post "
            "answers all of them at once.",
            n=e["unanswered"],
        )
    if source == "questions":
        return words("Asked %(n)s times: a post answers everyone who wonders.", n=e.get("asked", 0))
    if source == "problems":
        return words("Customers ran into this problem: a how-to post prevents the next complaints.")
    if source == "interest":
        return words("Customers raised it of their own accord.")
    if source == "most_read":
        return words("Among the posts read and shared most this period: more of what works.")
    return words(
        "Nothing else to go on for this slot; keeps the plan's five categories in "
        "view (best engagement first)."
    )


def _covered(coverage: Mapping[str, Any], words: Words) -> str:
    title = (coverage.get("post") or {}).get("title", "")
    how = coverage.get("how")
    if how == "own_feedback":
        return words(
            "“%(title)s” covered it: it came from that post's own feedback; go deeper",
            title=title,
        )
    if how == "title":
        return words("“%(title)s” covered it (its title names it)", title=title)
    return words("Follows “%(title)s”", title=title)


def _coverage(idea: Mapping[str, Any], words: Words) -> str:
    covered: Sequence[Mapping[str, Any]] = idea.get("covered_by") or []
    if not covered:
        if idea.get("source") == "rotation":
            return "–"
        return words("No post of the period covered it.")
    return words.list_sep().join(_covered(c, words) for c in covered[:3])


def idea_texts(idea: Mapping[str, Any], words: Words) -> IdeaText:
    """A topic idea of the report's recommendations, worded."""
    source = str(idea.get("source") or "")
    return IdeaText(
        title=_topic(idea, words),
        category=words.category(str(idea.get("category") or "")),
        source=words(SOURCES[source]) if source in SOURCES else source,
        why=_why(idea, words),
        evidence=_evidence(idea, words),
        coverage=_coverage(idea, words),
        covered=bool(idea.get("covered_by")),
    )


def advice_text(advice: Mapping[str, Any], words: Words) -> str:
    """A remark on the form of the pushes: how many, under which posts."""
    titles = "、".join(f"《{p.get('title', '')}》" for p in (advice.get("posts") or [])[:3])
    return words("%(n)s remarks under %(posts)s", n=advice.get("mentions", 0), posts=titles or "–")
