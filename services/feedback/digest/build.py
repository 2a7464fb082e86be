"""Build the core-issues document from a window's feedback: a pure function.

The feedback is analysed by :func:`..analysis.analyse_feedback` (#17): what people ask
(by intent), praise and complain about, grouped by meaning. The list of questions is made
by :mod:`.question_list`, the comparison with earlier posts of the category by
:mod:`.comparison`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from ..analysis import (
    FeedbackInsight,
    FeedbackItem,
    analyse_feedback,
    display_text,
    paused_cycle_collection,
    redact,
    tokenize,
    top_keywords,
)
from .comparison import category_comparison
from .i18n import translations
from .model import (
    CATEGORY_LABELS,
    REPLY_LIMIT,
    CategoryHistoryRow,
    ComplaintEntry,
    CoreIssuesDigest,
    EnquiryInfo,
    HeadlineNumbers,
    KeywordEntry,
    PostInfo,
    SentimentSplit,
    ThemeSummary,
)
from .question_list import question_entries, question_order
from .summary import findings

__all__ = ["build_digest"]

TERMS_SAMPLE = 300  # members whose words give a group's terms


def _aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


def _is_late(item: FeedbackItem, start: datetime, end: datetime) -> bool:
    return item.late or not (start <= item.received_at < end)


def _latest_metrics(items: Sequence[FeedbackItem]) -> FeedbackItem | None:
    snapshots = [i for i in items if i.kind == "metric"]
    return max(snapshots, key=lambda i: i.received_at) if snapshots else None


def build_digest(
    post: PostInfo,
    items: Sequence[FeedbackItem],
    enquiries: Sequence[EnquiryInfo],
    history: Sequence[CategoryHistoryRow],
    window_start: datetime,
    window_end: datetime,
    generated_at: datetime,
    *,
    max_themes: int = 16,
    max_questions: int = 50,
    max_complaints: int = 20,
    max_history: int = 8,
    reply_limit: timedelta = REPLY_LIMIT,
) -> CoreIssuesDigest:
    """Analyse one post's feedback window and assemble 《推送反馈核心问题汇总》.

        Items of other posts are ignored; items flagged late or received outside
        ``[window_start, window_end)`` are left out and counted. Replies answer the items they
        name (``in_reply_to``) if they arrived by ``generated_at``; a question is breached when
        its answer came, or is still missing, more than ``reply_limit`` (the plan's 12 hours,
    ``FEEDBACK_REPLY_LIMIT_HOURS``) after it was asked.
    """
    for name, value in (
        ("window_start", window_start),
        ("window_end", window_end),
        ("generated_at", generated_at),
    ):
        _aware(name, value)
    if window_end <= window_start:
        raise ValueError("window_end must be after window_start")
    own = [i for i in items if i.post_id == post.post_id]
    replies = [i for i in own if i.kind == "reply"]
    current = [i for i in own if not _is_late(i, window_start, window_end)]
    late_excluded = len(own) - len(current)
    feedback = [i for i in current if i.is_feedback]
    insight = analyse_feedback([i.text for i in feedback], quotes=3)
    valid = [n for n, a in enumerate(insight.items) if not a.spam.is_spam]
    token_cache: dict[str, tuple[str, ...]] = {}

    def tokens(n: int) -> tuple[str, ...]:
        text = insight.items[n].text
        if text not in token_cache:
            token_cache[text] = tuple(tokenize(text))
        return token_cache[text]

    with paused_cycle_collection():  # the words of every item: many small objects
        theme_rows = _theme_rows(feedback, insight, len(valid), tokens)[:max_themes]
        keywords = top_keywords([tokens(n) for n in valid], 12)
    group_of = {m: g.label for g in insight.groups for m in g.members}
    labels = [insight.items[n].polarity.label for n in valid]
    split = SentimentSplit(
        positive=labels.count("positive"),
        neutral=labels.count("neutral"),
        negative=labels.count("negative"),
    )
    negatives = sorted(
        (n for n in valid if insight.items[n].polarity.label == "negative"),
        key=lambda n: (insight.items[n].polarity.score, feedback[n].received_at),
    )
    complaints = [
        ComplaintEntry(
            item_id=feedback[n].item_id,
            kind="comment" if feedback[n].kind == "comment" else "message",
            author=feedback[n].author,
            received_at=feedback[n].received_at,
            text=redact(display_text(feedback[n].text)),
            score=insight.items[n].polarity.score,
            theme=group_of.get(n),
        )
        for n in negatives[:max_complaints]
    ]
    asks = [(feedback[n], insight.items[n]) for n in valid if insight.items[n].needs_reply]
    intents = _enquiry_intents(enquiries, feedback, insight)
    questions = sorted(
        question_entries(asks, enquiries, intents, replies, generated_at, reply_limit),
        key=question_order,
    )
    listed = [q.entry() for q in questions[:max_questions]]
    metrics = _latest_metrics(current)
    comments = sum(i.kind == "comment" for i in current)
    reads = metrics.metrics.get("reads") if metrics else None
    headline = HeadlineNumbers(
        reply_limit_hours=reply_limit.total_seconds() / 3600,
        comments=comments,
        messages=sum(i.kind == "message" for i in current),
        replies=sum(i.kind == "reply" for i in current),
        spam=len(feedback) - len(valid),
        enquiries=len(questions),
        recorded_enquiries=len(enquiries),
        detected_questions=sum(q.source != "enquiry" for q in questions),
        answered=sum(not q.is_open for q in questions),
        open=sum(q.is_open for q in questions),
        breached=sum(q.breached for q in questions),
        late_excluded=late_excluded,
        reads=reads,
        likes=metrics.metrics.get("likes") if metrics else None,
        shares=metrics.metrics.get("shares") if metrics else None,
        metrics_at=metrics.received_at if metrics else None,
    )
    comparison = category_comparison(post, comments, split, reads, history, max_history)
    return CoreIssuesDigest(
        post=post,
        category_label=CATEGORY_LABELS[post.category],
        window_start=window_start,
        window_end=window_end,
        generated_at=generated_at,
        headline=headline,
        themes=theme_rows,
        keywords=[KeywordEntry(term=k.term, weight=k.weight) for k in keywords],
        questions=listed,
        questions_total=len(questions),
        complaints=complaints,
        complaints_total=len(negatives),
        sentiment=split,
        comparison=comparison,
        findings=findings(
            headline, theme_rows, split, comparison, len(negatives), translations().gettext
        ),
    )


def _theme_rows(
    feedback: Sequence[FeedbackItem],
    insight: FeedbackInsight,
    valid: int,
    tokens: Callable[[int], tuple[str, ...]],
) -> list[ThemeSummary]:
    rows = []
    for g in insight.groups:
        items = [insight.items[m] for m in g.members]
        words = Counter(t for m in g.members[:TERMS_SAMPLE] for t in tokens(m))
        rows.append(
            ThemeSummary(
                label=g.label,
                terms=[w for w, _count in words.most_common(4)],
                count=g.count,
                share=round(g.count / valid, 4) if valid else 0.0,
                negative=sum(i.polarity.label == "negative" for i in items),
                questions=sum(i.question.is_question for i in items),
                quotes=[redact(display_text(feedback[r].text)) for r in g.representatives],
                stance=g.stance,
                intent=g.intent,
                about_form=g.about_form,
            )
        )
    return rows


def _enquiry_intents(
    enquiries: Sequence[EnquiryInfo], feedback: Sequence[FeedbackItem], insight: FeedbackInsight
) -> dict[str, str | None]:
    """Each enquiry's intent: its item's, or its own text analysed."""
    by_item = {f.item_id: insight.items[n].intent for n, f in enumerate(feedback)}
    unknown = [e for e in enquiries if e.item_id not in by_item]
    own = analyse_feedback([e.text for e in unknown]).items if unknown else ()
    intents: dict[str, str | None] = {e.enquiry_id: by_item.get(e.item_id or "") for e in enquiries}
    for e, item in zip(unknown, own, strict=True):
        intents[e.enquiry_id] = item.intent
    return intents
