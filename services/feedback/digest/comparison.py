"""A post beside the earlier posts of its category: comments, reads and sentiment, and
how far this post is from their averages."""

from __future__ import annotations

from collections.abc import Sequence

from .model import CategoryComparison, CategoryHistoryRow, ComparisonRow, PostInfo, SentimentSplit

__all__ = ["category_comparison"]


def category_comparison(
    post: PostInfo,
    comments: int,
    split: SentimentSplit,
    reads: int | None,
    history: Sequence[CategoryHistoryRow],
    max_rows: int,
) -> CategoryComparison:
    """This post beside up to ``max_rows`` earlier posts of its category, and the averages."""
    past = sorted(
        (h for h in history if h.post_id != post.post_id and h.published_at < post.published_at),
        key=lambda h: h.published_at,
        reverse=True,
    )[:max_rows]
    rows = [
        ComparisonRow(
            post_id=post.post_id,
            title=post.title,
            published_at=post.published_at,
            comments=comments,
            positive_share=split.share("positive"),
            negative_share=split.share("negative"),
            reads=reads,
            is_current=True,
        )
    ]
    rows += [
        ComparisonRow(
            post_id=h.post_id,
            title=h.title,
            published_at=h.published_at,
            comments=h.comments,
            positive_share=h.positive_share,
            negative_share=h.negative_share,
            reads=h.reads,
        )
        for h in past
    ]
    if not past:
        return CategoryComparison(rows=rows)
    avg_comments = sum(h.comments for h in past) / len(past)
    avg_reads = sum(h.reads for h in past) / len(past)
    avg_negative = sum(h.negative_share for h in past) / len(past)
    return CategoryComparison(
        rows=rows,
        avg_comments=round(avg_comments, 2),
        avg_reads=round(avg_reads, 2),
        avg_negative_share=round(avg_negative, 4),
        comments_vs_avg=round(comments / avg_comments - 1, 4) if avg_comments else None,
        reads_vs_avg=round(reads / avg_reads - 1, 4) if avg_reads and reads is not None else None,
        negative_share_vs_avg=round(split.share("negative") - avg_negative, 4),
    )
