"""Build the core-issues document from a window's feedback: a pure function.

The list of questions is made by :mod:`.question_list`, the comparison with earlier posts
of the category by :mod:`.comparison`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ..analysis import (
    FeedbackItem,
    analyse_items,
    display_text,
    find_themes,
    redact,
    top_keywords,
)
from .comparison import category_comparison
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
    max_themes: int = 6,
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
    analysed = analyse_items(i for i in current if i.is_feedback)
    valid = [a for a in analysed if not a.spam.is_spam]

    themes = find_themes([a.tokens for a in valid], max_themes=max_themes)
    theme_of: dict[int, str] = {m: t.label for t in themes for m in t.members}
    theme_rows = [
        ThemeSummary(
            label=t.label,
            terms=list(t.terms),
            count=t.count,
            share=round(t.count / len(valid), 4),
            negative=sum(valid[m].sentiment.label == "negative" for m in t.members),
            questions=sum(valid[m].question.is_question for m in t.members),
            quotes=[redact(display_text(valid[r].item.text)) for r in t.representatives],
        )
        for t in themes[:max_themes]
    ]
    split = SentimentSplit(
        positive=sum(a.sentiment.label == "positive" for a in valid),
        neutral=sum(a.sentiment.label == "neutral" for a in valid),
        negative=sum(a.sentiment.label == "negative" for a in valid),
    )
    negatives = sorted(
        (n for n, a in enumerate(valid) if a.sentiment.label == "negative"),
        key=lambda n: (valid[n].sentiment.score, valid[n].item.received_at),
    )
    complaints = [
        ComplaintEntry(
            item_id=valid[n].item.item_id,
            kind="comment" if valid[n].item.kind == "comment" else "message",
            author=valid[n].item.author,
            received_at=valid[n].item.received_at,
            text=redact(display_text(valid[n].item.text)),
            score=valid[n].sentiment.score,
            theme=theme_of.get(n),
        )
        for n in negatives[:max_complaints]
    ]
    questions = sorted(
        question_entries(valid, enquiries, replies, generated_at, reply_limit), key=question_order
    )
    metrics = _latest_metrics(current)
    comments = sum(i.kind == "comment" for i in current)
    reads = metrics.metrics.get("reads") if metrics else None
    headline = HeadlineNumbers(
        reply_limit_hours=reply_limit.total_seconds() / 3600,
        comments=comments,
        messages=sum(i.kind == "message" for i in current),
        replies=sum(i.kind == "reply" for i in current),
        spam=len(analysed) - len(valid),
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
        keywords=[
            KeywordEntry(term=k.term, weight=k.weight)
            for k in top_keywords([a.tokens for a in valid], 12)
        ],
        questions=questions[:max_questions],
        questions_total=len(questions),
        complaints=complaints,
        complaints_total=len(negatives),
        sentiment=split,
        comparison=comparison,
        findings=findings(headline, theme_rows, split, comparison, len(negatives)),
    )
