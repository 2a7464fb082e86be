"""The feedback service's pure rules: windows, lateness, annotation, the reply rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.feedback.domain.annotation import Annotation, annotate, needs_reply
from services.feedback.domain.enquiry import EnquiryState, is_breached
from services.feedback.domain.item import FeedbackItem, Incoming
from services.feedback.domain.keys import digest_id_for, item_event_id, item_key, split_key
from services.feedback.domain.window import (
    CommentPoll,
    Window,
    WindowSpan,
    WindowState,
    choose_window,
    is_late,
)
from shared.events import (
    Category,
    FeedbackKind,
    FeedbackReceivedPayload,
    PostPublished,
    PostPublishedPayload,
)

START = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
DAY = timedelta(hours=24)


def _window(
    post_id: str = "p1", start: datetime = START, state: WindowState = WindowState.OPEN
) -> WindowSpan:
    return WindowSpan(post_id, start, start + DAY, state)


def _published(channel: str, ids: dict[str, str]) -> PostPublished:
    return PostPublished(
        producer="publisher",
        correlation_id="p1",
        occurred_at=START,
        payload=PostPublishedPayload(
            post_id="p1",
            draft_id="d1",
            title="标题",
            category=Category.HR,
            channel=channel,
            channel_ids=ids,
            published_at=START,
            slot_key="publish:2026-11-23T11:30+08:00",
            slot_at=START,
            lateness_seconds=0,
            content_hash="0" * 64,
        ),
    )


class TestLateness:
    def test_feedback_inside_an_open_window_is_on_time(self) -> None:
        assert not is_late(_window(), START + timedelta(hours=23, minutes=59))

    def test_feedback_said_after_the_window_ends_is_late(self) -> None:
        assert is_late(_window(), START + DAY)

    def test_feedback_said_before_the_push_is_late(self) -> None:
        assert is_late(_window(), START - timedelta(seconds=1))

    def test_anything_arriving_after_the_close_is_late(self) -> None:
        assert is_late(_window(state=WindowState.CLOSED), START + timedelta(hours=1))

    def test_feedback_for_a_post_without_a_window_is_not_late(self) -> None:
        assert not is_late(None, START)


class TestWindowOfAMessage:
    def test_a_message_belongs_to_the_latest_open_window_it_falls_in(self) -> None:
        older, newer = _window("p1"), _window("p2", START + timedelta(hours=2))
        assert choose_window([older, newer], START + timedelta(hours=3)) == newer
        assert choose_window([older, newer], START + timedelta(hours=1)) == older

    def test_a_message_outside_every_window_belongs_to_none(self) -> None:
        assert choose_window([_window()], START + 2 * DAY) is None


class TestAnnotation:
    def test_a_comment_that_asks_needs_a_reply(self) -> None:
        annotation = annotate("comment", "请问社保基数怎么调整？")
        assert annotation.question
        assert annotation.question_reason
        assert needs_reply("comment", annotation)

    def test_a_comment_that_praises_needs_no_reply(self) -> None:
        annotation = annotate("comment", "写得很好，学到了很多[强]")
        assert annotation.sentiment == "positive"
        assert not needs_reply("comment", annotation)

    def test_every_message_needs_a_reply_even_without_a_question(self) -> None:
        assert needs_reply("message", annotate("message", "收费标准麻烦发我一份"))

    def test_spam_is_never_a_question_and_needs_no_reply(self) -> None:
        annotation = annotate("message", "加我微信 wx_12345678，代开发票，日赚500？")
        assert annotation.spam
        assert not annotation.question
        assert not needs_reply("message", annotation)

    def test_replies_and_metrics_are_not_judged(self) -> None:
        assert annotate("reply", "请问还有什么问题吗？") == Annotation()
        assert not needs_reply("reply", annotate("reply", "请问还有什么问题吗？"))


class TestReplyRule:
    def test_an_answer_within_the_limit_is_not_a_breach(self) -> None:
        deadline = START + timedelta(hours=12)
        assert not is_breached(deadline, deadline, START + DAY)

    def test_a_late_answer_is_a_breach(self) -> None:
        deadline = START + timedelta(hours=12)
        assert is_breached(deadline, deadline + timedelta(seconds=1), deadline)

    def test_an_open_enquiry_past_its_deadline_is_a_breach(self) -> None:
        deadline = START + timedelta(hours=12)
        assert not is_breached(deadline, None, deadline)
        assert is_breached(deadline, None, deadline + timedelta(minutes=1))

    def test_an_enquiry_gets_its_deadline_when_stored(self) -> None:
        payload = FeedbackReceivedPayload(
            source="crm",
            source_id="t-1",
            kind=FeedbackKind.MESSAGE,
            text="请问怎么开票？",
            received_at=START,
        )
        item = FeedbackItem.placed(
            Incoming(payload, "e-1", "http"),
            windows={},
            open_windows=[],
            reply_limit=lambda _account: timedelta(hours=12),
            now=START,
        )
        assert item.needs_reply
        assert item.enquiry is not None
        assert item.enquiry.deadline == START + timedelta(hours=12)
        assert item.enquiry.state is EnquiryState.OPEN


class TestKeys:
    def test_an_item_key_names_source_and_id(self) -> None:
        assert item_key("wechat_message", "9001") == "wechat_message:9001"
        assert split_key("wechat_comment:2247:0:15") == ("wechat_comment", "2247:0:15")

    def test_an_item_from_our_own_doors_has_a_stable_event_id(self) -> None:
        assert item_event_id("crm", "a") == item_event_id("crm", "a")
        assert item_event_id("crm", "a") != item_event_id("crm", "b")

    def test_a_post_has_one_digest_id_that_fits_the_contract(self) -> None:
        long_post = "p" * 64
        assert digest_id_for(long_post) == digest_id_for(long_post)
        assert len(digest_id_for(long_post)) <= 64
        assert digest_id_for("p1") != digest_id_for("p2")


class TestWindowOpening:
    def test_a_wechat_post_is_polled_by_its_message_id(self) -> None:
        window = Window.open_for(
            _published("wechat", {"msg_data_id": "2247480001", "publish_id": "x"}),
            length=DAY,
            now=START,
        )
        assert window.poll == CommentPoll("2247480001", 0)
        assert window.ends_at == START + DAY
        assert window.state is WindowState.OPEN

    def test_a_post_on_another_channel_is_not_polled(self) -> None:
        window = Window.open_for(_published("local", {"msg_data_id": "1"}), length=DAY, now=START)
        assert window.poll is None

    def test_a_wechat_post_without_a_message_id_is_not_polled(self) -> None:
        window = Window.open_for(_published("wechat", {"publish_id": "x"}), length=DAY, now=START)
        assert window.poll is None
