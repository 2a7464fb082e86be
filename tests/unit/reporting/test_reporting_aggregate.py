"""aggregate_feedback: counts, the latest metric snapshot, the 12-hour rule, duplicates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.reporting.reports import FeedbackEvent, PostFeedbackAgg, aggregate_feedback

T0 = datetime(2026, 11, 30, 3, 30, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def events() -> list[FeedbackEvent]:
    return [
        FeedbackEvent("p1", "comment", at(1), "c1", sentiment="positive"),
        FeedbackEvent("p1", "comment", at(1), "c1", sentiment="positive"),  # redelivered
        FeedbackEvent("p1", "comment", at(2), "c2", sentiment="negative"),
        FeedbackEvent("p1", "message", at(1), "m1", sentiment="neutral"),
        FeedbackEvent("p1", "enquiry", at(2), "e1", sentiment="neutral"),
        FeedbackEvent("p1", "enquiry", at(3), "e2"),
        FeedbackEvent("p1", "enquiry", at(4), "e3", sentiment="weird"),
        FeedbackEvent("p1", "reply", at(5), "r1", in_reply_to="m1"),  # 4 h: within
        FeedbackEvent("p1", "reply", at(15), "r2", in_reply_to="e1"),  # 13 h: late
        FeedbackEvent("p1", "reply", at(14), "r3", in_reply_to="e2"),  # 11 h: within
        FeedbackEvent("p1", "reply", at(3), "r4", in_reply_to="c2"),  # to a comment
        FeedbackEvent("p1", "metric", at(6), reads=500, likes=20, shares=3),
        FeedbackEvent("p1", "metric", at(24), reads=900, likes=40, shares=9),
        FeedbackEvent("p1", "metric", at(12), reads=700, likes=30, shares=5),  # late arrival
        FeedbackEvent("p1", "unheard-of-kind", at(1), "x1"),
        FeedbackEvent("p2", "reply", at(30), "r5", in_reply_to="e9"),  # reply before the ask
        FeedbackEvent("p2", "enquiry", at(25), "e9"),
    ]


def test_counts_sentiment_and_latest_snapshot() -> None:
    p1, p2 = aggregate_feedback(events())
    assert p1 == PostFeedbackAgg(
        post_id="p1",
        comments=2,
        messages=1,
        enquiries=3,
        replies=4,
        replies_within_12h=2,
        enquiries_breached=2,
        reads=900,
        likes=40,
        shares=9,
        positive=1,
        neutral=2,
        negative=1,
    )
    assert (p2.enquiries, p2.replies, p2.replies_within_12h, p2.enquiries_breached) == (1, 1, 1, 0)


def test_open_enquiries_are_not_breached_before_twelve_hours() -> None:
    (p1, _) = aggregate_feedback(events(), as_of=at(10))
    # e3 asked at +4 h is still inside its 12 hours at +10 h; e1 (+2 h) too
    assert p1.enquiries_breached == 1  # e1 got a late reply, so counted whatever as_of says
    (p1, _) = aggregate_feedback(events(), as_of=at(17))
    assert p1.enquiries_breached == 2


def test_dicts_work_like_tuples() -> None:
    dicts = [e._asdict() for e in events()]
    assert aggregate_feedback(dicts) == aggregate_feedback(events())


def test_no_events_no_rows() -> None:
    assert aggregate_feedback([]) == []
