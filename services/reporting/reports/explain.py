"""Sentences for people: the report's notes and each idea's topic, evidence, reason and
coverage, in the reader's language (message ids are English; see :mod:`.i18n`)."""

from __future__ import annotations

from .i18n import N_, Translator
from .model import Coverage, FormAdvice, Note, PlanSlot, Report, TopicIdea

__all__ = [
    "METRIC_NAMES",
    "STANCE_NAMES",
    "account_label",
    "accounts_text",
    "hours_text",
    "limit_text",
    "metric_name",
    "advice_text",
    "coverage_text",
    "evidence_text",
    "idea_topic",
    "note_text",
    "report_title",
    "slot_when",
    "source_name",
    "why_text",
]

METRIC_NAMES: dict[str, str] = {
    "posts": N_("Posts"),
    "failed": N_("Failed"),
    "reads": N_("Reads"),
    "likes": N_("Likes"),
    "shares": N_("Shares"),
    "comments": N_("Comments"),
    "messages": N_("Messages"),
    "enquiries": N_("Enquiries"),
    "replies_within_12h": N_("Answered within %(h)s h"),
    "reply_rate_12h": N_("Answered within %(h)s h (%%)"),
    "enquiries_breached": N_("Enquiries not answered in %(h)s h"),
    "positive": N_("Positive"),
    "neutral": N_("Neutral"),
    "negative": N_("Negative"),
    "engagement_rate": N_("Engagement rate (%)"),
}
STANCE_NAMES: dict[str | None, str] = {
    "ask": N_("Asking"),
    "praise": N_("Praise"),
    "complaint": N_("Complaint"),
    "other": N_("Other"),
    None: N_("Not classified"),
}
_KIND_NAMES = {
    "weekly": N_("Weekly report"),
    "monthly": N_("Monthly report"),
    "biweekly": N_("Biweekly analysis"),
    "custom": N_("Analysis of a chosen period"),
}
_ALL_ACCOUNTS = N_("All accounts")
_SOURCES = {
    "questions": N_("Customers' questions"),
    "problems": N_("Problems customers met"),
    "interest": N_("What customers raised"),
    "most_read": N_("Read and shared most"),
    "rotation": N_("The plan's rotation"),
}


def report_title(report: Report, tr: Translator) -> str:
    """The report's title; with the account it covers when the deployment has several."""
    title = f"{tr(_KIND_NAMES[report.kind])} · {report.period.label}"
    if report.account is None:
        return f"{title} · {tr(_ALL_ACCOUNTS)}"
    if report.accounts:
        return f"{title} · {accounts_text(report, tr)}"
    return title


_LIMITED = frozenset({"replies_within_12h", "reply_rate_12h", "enquiries_breached"})
"""Metrics measured against the reply limit: their names say it."""


def hours_text(hours: float) -> str:
    """12.0 as "12", 1.5 as "1.5"."""
    return f"{hours:g}"


def limit_text(report: Report) -> str:
    """The reply limit a report's reply figures are measured against, in hours ("12");
    accounts together whose limits differ: each one's, in the accounts' order ("12/6")."""
    if report.reply_limit_hours is not None:
        return hours_text(report.reply_limit_hours)
    limits = dict.fromkeys(hours_text(a.reply_limit_hours) for a in report.accounts)
    return "/".join(limits) or "12"


def metric_name(metric: str, tr: Translator, report: Report) -> str:
    """A metric's name in the reader's language (the reply figures with their limit)."""
    if metric in _LIMITED:
        return tr(METRIC_NAMES[metric], h=limit_text(report))
    return tr(METRIC_NAMES[metric])


def account_label(report: Report, account: str, tr: Translator) -> str:
    """An account's name as the report recorded it, in the reader's language."""
    for ref in report.accounts:
        if ref.id == account:
            return ref.label(tr.lang)
    return account


def accounts_text(report: Report, tr: Translator) -> str:
    """The names of the accounts a report covers ("" when it names none)."""
    return "、".join(ref.label(tr.lang) for ref in report.accounts)


def _pct(value: object, tr: Translator) -> str:
    return tr.percent(value if isinstance(value, float | int) else None)


def note_text(note: Note, tr: Translator) -> str:
    """One note as a sentence."""
    p = note.params
    if note.code == "text":
        return str(p.get("text", ""))
    if note.code == "no_posts":
        return tr("No posts were published in this period; every figure below is zero.")
    if note.code == "summary":
        return tr(
            "%(posts)s posts published, %(reads)s reads, engagement rate %(engagement)s, "
            "%(reply_rate)s of messages and enquiries answered within %(h)s hours (previous "
            "period: %(prev_posts)s posts, %(prev_reads)s reads, engagement rate "
            "%(prev_engagement)s).",
            posts=p["posts"],
            reads=tr.number(float(p["reads"] or 0)),
            engagement=_pct(p.get("engagement"), tr),
            reply_rate=_pct(p.get("reply_rate"), tr),
            prev_posts=p["prev_posts"],
            prev_reads=tr.number(float(p["prev_reads"] or 0)),
            prev_engagement=_pct(p.get("prev_engagement"), tr),
            h=p.get("limit") or "12",
        )
    if note.code == "failed":
        return tr("%(count)s posts failed to publish: %(posts)s.", **p)
    if note.code == "breached":
        return tr(
            "%(count)s enquiries were not answered within %(h)s hours (the rule: every "
            "message or enquiry is answered within %(h)s hours).",
            count=p["count"],
            h=p.get("limit") or "12",
        )
    if note.code == "no_digests":
        return tr("No core-issues documents were received for this period's posts.")
    return tr(
        "%(count)s failed posts without a known category are left out of the tables: %(posts)s.",
        **p,
    )


def source_name(idea: TopicIdea, tr: Translator) -> str:
    return tr(_SOURCES[idea.source])


def idea_topic(idea: TopicIdea, tr: Translator) -> str:
    """The suggested topic as a working title."""
    if idea.source == "questions":
        if idea.intent:
            return tr(
                "Questions answered: %(intent)s — “%(question)s”",
                intent=idea.intent,
                question=idea.topic,
            )
        return tr("Answering “%(question)s”", question=idea.topic)
    if idea.source == "problems":
        return tr("How to solve: %(topic)s", topic=idea.topic)
    if idea.source == "most_read":
        return tr("Follow-up to “%(title)s”", title=idea.topic)
    if idea.source == "rotation":
        return tr(
            "%(category)s: the period's news and practice", category=tr.category(idea.category)
        )
    return tr("More on: %(topic)s", topic=idea.topic)


def evidence_text(idea: TopicIdea, tr: Translator) -> str:
    """Which questions, how many, which posts."""
    e = idea.evidence
    parts = []
    if e.asked:
        asked = "；".join(tr("“%(text)s” ×%(n)s", text=q.text, n=q.asked) for q in e.questions)
        parts.append(
            tr(
                "%(asked)s questions (%(unanswered)s unanswered): %(list)s",
                asked=e.asked,
                unanswered=e.unanswered,
                list=asked,
            )
        )
    if e.mentions:
        parts.append(tr("%(n)s comments on the subject", n=e.mentions))
    if e.quotes and not e.asked:
        parts.append(tr("e.g. %(quote)s", quote="；".join(f"“{q}”" for q in e.quotes[:2])))
    if idea.source == "most_read":
        for post in e.posts[:1]:
            parts.append(
                tr(
                    "“%(title)s”: %(reads)s reads, %(shares)s shares",
                    title=post.title,
                    reads=tr.number(post.reads),
                    shares=tr.number(post.shares),
                )
            )
        if e.praise:
            parts.append(tr("%(n)s comments praised it", n=e.praise))
    elif e.posts:
        titles = "、".join(f"《{p.title}》" for p in e.posts[:3])
        if e.post_count > 3:
            parts.append(tr("under %(n)s posts, e.g. %(posts)s", n=e.post_count, posts=titles))
        else:
            parts.append(tr("under %(posts)s", posts=titles))
    if idea.source == "rotation":
        parts.append(tr("no customer questions or themes point elsewhere"))
    return tr("; ").join(parts)


def why_text(idea: TopicIdea, tr: Translator) -> str:
    """Why this idea takes a slot."""
    e = idea.evidence
    if idea.source == "questions" and e.unanswered:
        return tr(
            "Customers asked and %(n)s questions are still without a reply: a post "
            "answers all of them at once.",
            n=e.unanswered,
        )
    if idea.source == "questions":
        return tr("Asked %(n)s times: a post answers everyone who wonders.", n=e.asked)
    if idea.source == "problems":
        return tr("Customers ran into this problem: a how-to post prevents the next complaints.")
    if idea.source == "interest":
        return tr("Customers raised it of their own accord.")
    if idea.source == "most_read":
        return tr("Among the posts read and shared most this period: more of what works.")
    return tr(
        "Nothing else to go on for this slot; keeps the plan's five categories in "
        "view (best engagement first)."
    )


def coverage_text(idea: TopicIdea, tr: Translator) -> str:
    """Whether a post already covered the idea, truthfully."""
    if not idea.covered_by:
        if idea.source == "rotation":
            return "–"
        return tr("No post of the period covered it.")
    return tr("; ").join(_covered(c, tr) for c in idea.covered_by[:3])


def _covered(c: Coverage, tr: Translator) -> str:
    if c.how == "own_feedback":
        return tr(
            "“%(title)s” covered it: it came from that post's own feedback; go deeper",
            title=c.post.title,
        )
    if c.how == "title":
        return tr("“%(title)s” covered it (its title names it)", title=c.post.title)
    return tr("Follows “%(title)s”", title=c.post.title)


def slot_when(slot: PlanSlot, zone: str, tr: Translator) -> str:
    from zoneinfo import ZoneInfo

    local = slot.at.astimezone(ZoneInfo(zone))
    return f"{local:%m-%d} {tr.weekday(local)} {local:%H:%M}"


def advice_text(advice: FormAdvice, tr: Translator) -> str:
    titles = "、".join(f"《{p.title}》" for p in advice.posts[:3])
    return tr("%(n)s remarks under %(posts)s", n=advice.mentions, posts=titles or "–")
