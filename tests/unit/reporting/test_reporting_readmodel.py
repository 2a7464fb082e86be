"""The read model's mapping of events, whatever order they arrive in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.reporting.domain.digests import digest_doc, digest_row
from services.reporting.domain.feedback import (
    asks_question,
    feedback_doc,
    feedback_events,
    metric_doc,
    with_digest_sentiment,
)
from services.reporting.domain.posts import failed_post_doc, post_row, published_post_doc
from services.reporting.reports import PostFeedbackAgg, aggregate_feedback
from shared.events import (
    Category,
    DigestTheme,
    FailureCode,
    FeedbackDigestReady,
    FeedbackDigestReadyPayload,
    FeedbackKind,
    FeedbackMetrics,
    FeedbackReceived,
    FeedbackReceivedPayload,
    PostFailed,
    PostFailedPayload,
    PostPublished,
    PostPublishedPayload,
)

T = datetime(2026, 11, 30, 3, 30, tzinfo=UTC)


def published(post_id: str = "p1", at: datetime = T) -> PostPublished:
    return PostPublished(
        occurred_at=at,
        producer="publisher",
        correlation_id=post_id,
        payload=PostPublishedPayload(
            post_id=post_id,
            draft_id="d1",
            title="社保基数调整指南",
            category=Category.HR,
            channel="wechat",
            published_at=at,
            slot_key="publish:2026-11-30T11:30+08:00",
            slot_at=at,
            lateness_seconds=1.5,
            content_hash="0" * 64,
        ),
    )


def failed(
    at: datetime = T,
    category: Category | None = Category.HR,
    code: FailureCode = FailureCode.OUTCOME_UNKNOWN,
) -> PostFailed:
    return PostFailed(
        occurred_at=at,
        producer="publisher",
        correlation_id="p1",
        payload=PostFailedPayload(
            post_id="p1",
            draft_id="d1",
            category=category,
            code=code,
            reason="timeout",
            failed_at=at,
        ),
    )


def item(
    kind: str,
    text: str = "",
    *,
    post_id: str | None = "p1",
    source_id: str = "1",
    at: datetime = T,
    in_reply_to: str | None = None,
    reads: int = 0,
) -> FeedbackReceived:
    k = FeedbackKind(kind)
    return FeedbackReceived(
        occurred_at=at,
        producer="crm",
        correlation_id="p1",
        payload=FeedbackReceivedPayload(
            source="wechat",
            source_id=source_id,
            kind=k,
            post_id=post_id,
            text=text,
            received_at=at,
            in_reply_to=in_reply_to,
            metrics=FeedbackMetrics(reads=reads) if k is FeedbackKind.METRIC else None,
        ),
    )


def digest(window_end: datetime = T, **kw: object) -> FeedbackDigestReady:
    payload = {
        "digest_id": "dg1",
        "post_id": "p1",
        "window_start": window_end - timedelta(hours=24),
        "window_end": window_end,
        **kw,
    }
    return FeedbackDigestReady(
        occurred_at=window_end,
        producer="feedback",
        correlation_id="p1",
        payload=FeedbackDigestReadyPayload.model_validate(payload),
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请问社保基数怎么调整？", True),
        ("发票怎么开", True),
        ("个税汇算开始了吗", True),
        ("能不能提供模板", True),
        ("Is the office open?", True),
        ("写得很好，受益匪浅", False),
        ("谢谢分享", False),
        ("不怎么样", False),
        ("什么都好", False),
    ],
)
def test_a_comment_or_message_that_asks_is_an_enquiry(text: str, expected: bool) -> None:
    assert asks_question(text) is expected
    kind = feedback_doc(item("message", text))["kind"]
    assert kind == ("enquiry" if expected else "message")


def test_feedback_items_are_keyed_by_source_and_id_like_replies_point_at_them() -> None:
    comment = feedback_doc(item("comment", "赞", source_id="c-9"))
    reply = feedback_doc(item("reply", "谢谢", source_id="r-1", in_reply_to="wechat:c-9"))
    assert comment["_id"] == "wechat:c-9"
    assert comment["kind"] == "comment"
    assert "in_reply_to" not in comment
    assert reply["in_reply_to"] == comment["_id"]
    assert "text" not in comment  # customers' words are not kept here


def test_a_metric_snapshot_keeps_the_counters_and_needs_a_post() -> None:
    doc = metric_doc(item("metric", reads=120))
    assert doc is not None
    assert (doc["_id"], doc["reads"], doc["at"]) == ("p1", 120, T)
    assert metric_doc(item("metric", post_id=None, reads=1)) is None


def test_a_published_post_stays_published_when_a_failure_arrives_later() -> None:
    doc = published_post_doc(published(), None)
    assert failed_post_doc(failed(T + timedelta(hours=1)), doc) is None
    row = post_row(doc)
    assert row is not None
    assert (row.published_at, row.failed_at, row.lateness_seconds) == (T, None, 1.5)


def test_a_publication_after_a_failure_wins_and_keeps_the_failure_for_the_record() -> None:
    first = failed_post_doc(failed(), None)
    assert first is not None
    assert first["status"] == "failed"
    doc = published_post_doc(published(at=T + timedelta(minutes=10)), first)
    assert doc["status"] == "published"
    assert doc["failure"]["code"] == "outcome_unknown"
    row = post_row(doc)
    assert row is not None
    assert not row.failed


def test_of_two_failures_the_later_is_kept_and_the_category_is_not_forgotten() -> None:
    later = failed_post_doc(failed(T + timedelta(hours=2)), None)
    assert failed_post_doc(failed(T), later) is None
    again = failed_post_doc(failed(T + timedelta(hours=3), category=None), later)
    assert again is not None
    assert again["category"] == "hr"


def test_a_failed_post_without_any_category_has_no_row() -> None:
    doc = failed_post_doc(failed(category=None), None)
    assert doc is not None
    assert post_row(doc) is None


def test_a_cancelled_post_is_kept_but_is_not_a_publishing_failure_in_reports() -> None:
    """Cancelled: a person decided, or a newer revision of the draft replaced it."""
    doc = failed_post_doc(failed(code=FailureCode.CANCELLED), None)
    assert doc is not None
    assert doc["failure"]["code"] == "cancelled"
    assert post_row(doc) is None
    assert post_row(failed_post_doc(failed(), None) or {}) is not None


def test_a_reply_without_a_post_counts_for_the_post_of_the_enquiry_it_answers() -> None:
    enquiry = feedback_doc(item("message", "怎么办理？", source_id="q1"))
    reply = feedback_doc(
        item(
            "reply",
            "您好",
            post_id=None,
            source_id="r1",
            in_reply_to="wechat:q1",
            at=T + timedelta(hours=3),
        )
    )
    stray = feedback_doc(item("reply", "?", post_id=None, source_id="r2", in_reply_to="x:y"))
    events = feedback_events([enquiry, reply, stray], [])
    assert [(e.post_id, e.kind) for e in events] == [("p1", "enquiry"), ("p1", "reply")]
    (agg,) = aggregate_feedback(events, as_of=T + timedelta(days=1))
    assert (agg.enquiries, agg.replies, agg.replies_within_12h, agg.enquiries_breached) == (
        1,
        1,
        1,
        0,
    )


def test_the_digest_gives_each_post_its_sentiment() -> None:
    aggs = [PostFeedbackAgg(post_id="p1", comments=4)]
    digests = [
        {"_id": "p1", "sentiment": {"positive": 3, "neutral": 1, "negative": 2}},
        {"_id": "p2", "sentiment": {"negative": 1}},  # a post without feedback rows
        {"_id": "p3", "sentiment": {}},
    ]
    out = {a.post_id: a for a in with_digest_sentiment(aggs, digests)}
    assert (out["p1"].comments, out["p1"].positive, out["p1"].negative) == (4, 3, 2)
    assert (out["p2"].positive, out["p2"].negative) == (0, 1)
    assert "p3" not in out


def test_a_later_digest_replaces_an_earlier_one_never_the_reverse() -> None:
    newer = digest_doc(digest(T + timedelta(hours=1), title="new"), None)
    assert newer is not None
    assert digest_doc(digest(T, title="old"), newer) is None
    assert digest_doc(digest(T + timedelta(hours=2)), newer) is not None


def test_a_digest_row_takes_the_posts_category_and_skips_unlabelled_themes() -> None:
    doc = digest_doc(
        digest(
            themes=(
                DigestTheme(label="社保", terms=("社保",), count=3, quotes=("基数?",)),
                DigestTheme(label=" ", count=9),
            ),
            questions=[
                {
                    "text": "怎么申报",
                    "asked_at": T,
                    "answered": True,
                    "reply": "见链接",
                    "replied_at": T + timedelta(hours=1),
                }
            ],
        ),
        None,
    )
    assert doc is not None
    row = digest_row(doc, "finance")
    assert row is not None
    assert row.category == "finance"
    assert [(t.label, t.count, t.sample_quotes) for t in row.themes] == [("社保", 3, ["基数?"])]
    assert row.questions[0].reply_text == "见链接"
    assert row.questions[0].reply_at == T + timedelta(hours=1)
    assert digest_row(doc, None) is None
