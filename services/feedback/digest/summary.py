"""Plain-language findings and the formatting shared by the renderers, in the document's
language (``_`` is the language's gettext; message ids are English, see :mod:`.i18n`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from .i18n import Gettext
from .model import CategoryComparison, HeadlineNumbers, SentimentSplit, ThemeSummary

__all__ = [
    "CHINA",
    "findings",
    "fmt_duration",
    "fmt_hours",
    "fmt_pct",
    "fmt_signed_pct",
    "fmt_time",
]

CHINA = ZoneInfo("Asia/Shanghai")


def _identity(message: str) -> str:
    return message


def fmt_time(value: datetime | None) -> str:
    """China time, minutes precision; ``—`` for none."""
    return value.astimezone(CHINA).strftime("%Y-%m-%d %H:%M") if value else "—"


def fmt_hours(hours: float) -> str:
    """``12`` or ``1.5``: the reply limit as the document states it."""
    return f"{hours:g}"


def fmt_duration(value: timedelta | None, _: Gettext = _identity) -> str:
    """``3小时20分`` (``3 h 20 min`` in English); ``—`` for none."""
    if value is None:
        return "—"
    minutes = max(0, int(value.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    return _("{minutes} min").format(minutes=minutes)


def fmt_pct(value: float | None) -> str:
    """``12.5%``; ``—`` for none."""
    return "—" if value is None else f"{value * 100:.1f}%"


def fmt_signed_pct(value: float | None) -> str:
    """``+12.5%`` / ``-3.0%``; ``—`` for none."""
    return "—" if value is None else f"{value * 100:+.1f}%"


def _top(themes: Sequence[ThemeSummary], stance: str, form: bool = False) -> ThemeSummary | None:
    return next((t for t in themes if t.stance == stance and t.about_form == form), None)


def findings(
    headline: HeadlineNumbers,
    themes: Sequence[ThemeSummary],
    split: SentimentSplit,
    comparison: CategoryComparison,
    complaints: int,
    _: Gettext = _identity,
) -> list[str]:
    """The summary lines at the top of the document."""
    h = headline
    limit = fmt_hours(h.reply_limit_hours)
    lines = [
        _(
            "{comments} comments and {messages} private messages arrived in the window; "
            "{spam} adverts were set aside and {late} late items left out."
        ).format(comments=h.comments, messages=h.messages, spam=h.spam, late=h.late_excluded),
        _(
            "{total} questions needed a reply ({recorded} recorded enquiries, {detected} found "
            "in comments and messages): {answered} answered, {open} open, {breached} over "
            "{limit} hours."
        ).format(
            total=h.enquiries,
            recorded=h.recorded_enquiries,
            detected=h.detected_questions,
            answered=h.answered,
            open=h.open,
            breached=h.breached,
            limit=limit,
        ),
    ]
    if h.breached:
        lines.append(
            _(
                "{breached} questions missed the rule that every question is answered within "
                "{limit} hours: please follow them up."
            ).format(breached=h.breached, limit=limit)
        )
    if split.total:
        lines.append(
            _("Sentiment: positive {positive}, neutral {neutral}, negative {negative}.").format(
                positive=fmt_pct(split.share("positive")),
                neutral=fmt_pct(split.share("neutral")),
                negative=fmt_pct(split.share("negative")),
            )
        )
    ask, praise = _top(themes, "ask"), _top(themes, "praise")
    complaint, form = _top(themes, "complaint"), _top(themes, "complaint", form=True)
    if ask is not None:
        lines.append(
            _("Most asked ({intent}): “{label}” ({count} items).").format(
                intent=ask.intent or _("Other"), label=ask.label, count=ask.count
            )
        )
    if praise is not None:
        lines.append(
            _("Praise ({count} items), for example “{label}”.").format(
                count=praise.count, label=praise.label
            )
        )
    if complaint is not None:
        lines.append(
            _("Main complaint: “{label}” ({count} items).").format(
                label=complaint.label, count=complaint.count
            )
        )
    if form is not None:
        lines.append(
            _("Advice on the form of the pushes: “{label}” ({count} items).").format(
                label=form.label, count=form.count
            )
        )
    if complaints:
        lines.append(
            _("{count} negative items need the department concerned to act and reply.").format(
                count=complaints
            )
        )
    if comparison.comments_vs_avg is not None:
        text = _("Against recent posts of the category: comments {comments}").format(
            comments=fmt_signed_pct(comparison.comments_vs_avg)
        )
        if comparison.reads_vs_avg is not None:
            text += _(", reads {reads}").format(reads=fmt_signed_pct(comparison.reads_vs_avg))
        if comparison.negative_share_vs_avg is not None:
            text += _(", negative share {points:+.1f} percentage points").format(
                points=comparison.negative_share_vs_avg * 100
            )
        lines.append(text + _("."))
    return lines
