"""The document's sections as plain rows, shared by the three renderers, in one language.

Each renderer only decides how a heading, a key-value table, a table or a bullet list
looks; what goes into the document, and in which order, is decided here once. Every label
goes through ``_`` (the language's gettext, :mod:`.i18n`); customers' words, post titles
and intent names are data and are shown as they are.

Sections: key figures; findings; questions by intent, each with its reply beside it;
praise; complaints (groups, then the items to act on); advice on the form of the pushes
(complaints about length, layout, timing — not topics); sentiment; the category comparison.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .i18n import Gettext
from .model import CategoryKey, CoreIssuesDigest, QuestionEntry, ThemeSummary
from .summary import (
    findings,
    fmt_duration,
    fmt_hours,
    fmt_pct,
    fmt_signed_pct,
    fmt_time,
)

__all__ = [
    "Section",
    "Table",
    "category_name",
    "document_sections",
    "document_title",
    "meta_lines",
]

_OTHER_INTENT = "其他"


@dataclass(frozen=True, slots=True)
class Table:
    """A table: header and rows of cell text."""

    header: tuple[str, ...]
    rows: list[tuple[str, ...]]


@dataclass(slots=True)
class Section:
    """A numbered section: heading, paragraphs, tables, bullet lists and quotes."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)
    table: Table | None = None
    bullets: list[str] = field(default_factory=list)
    quotes: list[tuple[str, list[str]]] = field(default_factory=list)  # (caption, quotes)
    note: str | None = None


def category_name(category: CategoryKey, _: Gettext) -> str:
    """The content category in the document's language."""
    names = {
        "industry": _("Industry news"),
        "management": _("Business management"),
        "hr": _("Human resources"),
        "finance": _("Finance and tax"),
        "services": _("Integrated services"),
    }
    return names[category]


def document_title(d: CoreIssuesDigest, _: Gettext) -> str:
    """《推送反馈核心问题汇总》."""
    return _("“Core issues of the feedback on a push”")


def meta_lines(d: CoreIssuesDigest, _: Gettext) -> list[tuple[str, str]]:
    """The lines under the title: recipient, post, category, window, generated time."""
    return [
        (_("For"), _("Director Liu")),
        (_("Post"), d.post.title),
        (_("Category"), category_name(d.post.category, _)),
        (_("Published"), fmt_time(d.post.published_at)),
        (
            _("Window"),
            _("{start} to {end} (China time, UTC+8)").format(
                start=fmt_time(d.window_start), end=fmt_time(d.window_end)
            ),
        ),
        (_("Generated"), fmt_time(d.generated_at)),
    ]


def _num(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _status(q: QuestionEntry, _: Gettext) -> str:
    if q.is_open:
        return _("Open (over the limit)") if q.breached else _("Open")
    return _("Answered (late)") if q.breached else _("Answered")


def _source(source: str, _: Gettext) -> str:
    return {"enquiry": _("Enquiry"), "comment": _("Comment"), "message": _("Message")}[source]


def _intent(intent: str | None, _: Gettext) -> str:
    return intent if intent and intent != _OTHER_INTENT else _("Other")


def _figures(d: CoreIssuesDigest, _: Gettext) -> Section:
    h = d.headline
    limit = fmt_hours(h.reply_limit_hours)
    rows: list[tuple[str, ...]] = [
        (_("Comments"), _num(h.comments)),
        (_("Private messages"), _num(h.messages)),
        (_("Questions needing a reply (enquiries + detected)"), _num(h.enquiries)),
        (_("Answered"), _num(h.answered)),
        (_("Open"), _num(h.open)),
        (_("Over the {limit}-hour reply limit").format(limit=limit), _num(h.breached)),
        (_("Reads"), _num(h.reads)),
        (_("Likes"), _num(h.likes)),
        (_("Shares"), _num(h.shares)),
        (_("Adverts set aside"), _num(h.spam)),
        (_("Late items (not counted)"), _num(h.late_excluded)),
    ]
    return Section(_("1. Key figures"), table=Table((_("Figure"), _("Value")), rows))


def _questions(d: CoreIssuesDigest, _: Gettext) -> Section:
    h = d.headline
    counts = Counter(q.intent or _OTHER_INTENT for q in d.questions)
    order = {intent: n for n, (intent, _count) in enumerate(counts.most_common())}
    ordered = sorted(d.questions, key=lambda q: order[q.intent or _OTHER_INTENT])
    section = Section(
        _("3. Questions by intent, with the replies"),
        paragraphs=[
            _(
                "{total} in all; the reply limit is {limit} hours; within each intent, open "
                "and late questions come first."
            ).format(total=d.questions_total, limit=fmt_hours(h.reply_limit_hours))
        ],
        bullets=[
            _("{intent}: {count} questions").format(intent=_intent(intent, _), count=count)
            for intent, count in counts.most_common()
        ],
        table=Table(
            (
                _("Intent"),
                _("Question"),
                _("Asked by"),
                _("Asked at"),
                _("Reply"),
                _("Replied by"),
                _("Time to reply"),
                _("Status"),
            ),
            [
                (
                    _intent(q.intent, _),
                    q.text,
                    f"{q.asked_by}（{_source(q.source, _)}）",
                    fmt_time(q.asked_at),
                    q.reply_text or ("—" if q.is_open else _("(reply text not recorded)")),
                    q.answered_by or "—",
                    fmt_duration(q.time_to_reply, _),
                    _status(q, _),
                )
                for q in ordered
            ],
        ),
    )
    if not d.questions:
        section.paragraphs.append(_("No question needed a reply in the window."))
    if d.questions_total > len(d.questions):
        hidden_open = h.open - sum(q.is_open for q in d.questions)
        section.note = _(
            "{hidden} more questions are not listed ({open} of them open); the full list is in "
            "the system export."
        ).format(hidden=d.questions_total - len(d.questions), open=hidden_open)
    return section


def _group_quotes(themes: list[ThemeSummary], _: Gettext) -> list[tuple[str, list[str]]]:
    return [
        (_("“{label}” ({count} items)").format(label=t.label, count=t.count), t.quotes)
        for t in themes
    ]


def _praise(d: CoreIssuesDigest, _: Gettext) -> Section:
    praise = [t for t in d.themes if t.stance == "praise"]
    section = Section(_("4. Praise"), quotes=_group_quotes(praise, _))
    if not praise:
        section.paragraphs.append(_("No praise in the window."))
    return section


def _complaints(d: CoreIssuesDigest, _: Gettext) -> Section:
    groups = [t for t in d.themes if t.stance == "complaint" and not t.about_form]
    section = Section(
        _("5. Complaints and negative feedback"),
        paragraphs=[
            _("{total} in all (adverts excluded), grouped by what they are about.").format(
                total=d.complaints_total
            )
        ],
        quotes=_group_quotes(groups, _),
        bullets=[
            _("{author} ({time}, {source}): {text}").format(
                author=c.author,
                time=fmt_time(c.received_at),
                source=_source(c.kind, _),
                text=c.text,
            )
            + (_(" [group: {label}]").format(label=c.theme) if c.theme else "")
            for c in d.complaints
        ],
    )
    if d.complaints_total > len(d.complaints):
        section.note = _("{hidden} more negative items are not listed.").format(
            hidden=d.complaints_total - len(d.complaints)
        )
    return section


def _advice(d: CoreIssuesDigest, _: Gettext) -> Section:
    form = [t for t in d.themes if t.stance == "complaint" and t.about_form]
    section = Section(
        _("6. Advice on the form of the pushes"),
        paragraphs=[
            _(
                "Complaints about length, layout, timing or frequency: advice for the editors, "
                "not topics for new posts."
            )
        ],
        bullets=[
            _("Readers say “{label}” ({count} items): consider it for the next pushes.").format(
                label=t.label, count=t.count
            )
            for t in form
        ],
        quotes=_group_quotes(form, _),
    )
    if not form:
        section.paragraphs.append(_("No complaint about the form of the push in the window."))
    return section


def _sentiment(d: CoreIssuesDigest, _: Gettext) -> Section:
    s = d.sentiment
    return Section(
        _("7. Sentiment"),
        table=Table(
            (_("Sentiment"), _("Items"), _("Share")),
            [
                (_("Positive"), str(s.positive), fmt_pct(s.share("positive"))),
                (_("Neutral"), str(s.neutral), fmt_pct(s.share("neutral"))),
                (_("Negative"), str(s.negative), fmt_pct(s.share("negative"))),
            ],
        ),
    )


def _comparison(d: CoreIssuesDigest, _: Gettext) -> Section:
    c = d.comparison
    section = Section(
        _("8. Against recent posts of “{category}”").format(
            category=category_name(d.post.category, _)
        ),
        table=Table(
            (_("Post"), _("Published"), _("Comments"), _("Positive"), _("Negative"), _("Reads")),
            [
                (
                    (_("[this post] ") if r.is_current else "") + r.title,
                    fmt_time(r.published_at),
                    str(r.comments),
                    fmt_pct(r.positive_share),
                    fmt_pct(r.negative_share),
                    _num(r.reads),
                )
                for r in c.rows
            ],
        ),
    )
    if c.avg_comments is not None:
        section.paragraphs.append(
            _(
                "Recent average: {comments:.1f} comments, {reads:,.0f} reads, negative share "
                "{negative}; this post: comments {comments_vs}, reads {reads_vs}."
            ).format(
                comments=c.avg_comments,
                reads=c.avg_reads or 0,
                negative=fmt_pct(c.avg_negative_share),
                comments_vs=fmt_signed_pct(c.comments_vs_avg),
                reads_vs=fmt_signed_pct(c.reads_vs_avg),
            )
        )
    else:
        section.paragraphs.append(_("No recent post of this category to compare with."))
    return section


def document_sections(d: CoreIssuesDigest, _: Gettext) -> list[Section]:
    """Every section of the document, in order, in the language of ``_``."""
    lines = findings(d.headline, d.themes, d.sentiment, d.comparison, d.complaints_total, _)
    return [
        _figures(d, _),
        Section(_("2. Findings"), bullets=lines),
        _questions(d, _),
        _praise(d, _),
        _complaints(d, _),
        _advice(d, _),
        _sentiment(d, _),
        _comparison(d, _),
    ]
