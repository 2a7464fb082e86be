"""The feedback use cases against in-memory stores: windows, items, the document, replies.

What a user relies on: a published post gets one 24-hour window; feedback lands in it
(late once it is closed); closing issues one document and announces it once; an enquiry
is answered by our reply (and sent through WeChat when it came from there); a redelivered
event changes nothing; a failure mid-way leaves nothing half done.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest

from services.feedback.domain.enquiry import DeliveryState, EnquiryState
from services.feedback.domain.item import Incoming, Outcome
from services.feedback.domain.keys import MESSAGE_SOURCE
from services.feedback.domain.window import WindowState
from services.feedback.errors import EnquiryNotFound
from services.feedback.usecases.close_window import close_window
from services.feedback.usecases.enquiries import EnquiryReply, reply_to_enquiry, sweep_enquiries
from services.feedback.usecases.ingest import store_event_batch
from services.feedback.usecases.open_window import open_window
from shared.errors import AlreadyProcessed
from shared.events import (
    Category,
    FeedbackDigestReady,
    FeedbackKind,
    FeedbackReceived,
    FeedbackReceivedPayload,
    PostPublished,
    PostPublishedPayload,
)
from shared.jobs import FencedOut
from shared.settings import Principal, Role
from tests.fakes.uow import StoreDown
from tests.support.metrics import metric_value
from tests.unit.feedback.fakes import START, FakeFeedback, fake_feedback

DAY = timedelta(hours=24)
WECHAT: dict[str, Any] = {"wechat_app_id": "wx-app", "wechat_app_secret": "s3cr3t-value"}
EDITOR = Principal(subject="liu", roles=frozenset({Role.EDITOR}))
QUESTION = "请问社保基数怎么调整？"


def published(
    post_id: str = "p1", *, at: datetime = START, channel: str = "local"
) -> PostPublished:
    ids = {"publish_id": f"pub-{post_id}"}
    if channel == "wechat":
        ids["msg_data_id"] = "2247480001"
    return PostPublished(
        producer="publisher",
        correlation_id=post_id,
        occurred_at=at,
        payload=PostPublishedPayload(
            post_id=post_id,
            draft_id=f"d-{post_id}",
            title="个税汇算清缴全攻略",
            category=Category.FINANCE,
            channel=channel,
            channel_ids=ids,
            published_at=at,
            slot_key="publish:2026-11-23T11:30+08:00",
            slot_at=at,
            lateness_seconds=0.0,
            content_hash="0" * 64,
        ),
    )


def received(
    source_id: str,
    *,
    at: datetime,
    text: str = QUESTION,
    kind: FeedbackKind = FeedbackKind.COMMENT,
    post_id: str | None = "p1",
    source: str = "crm",
    author: str = "c-1029",
) -> Incoming:
    payload = FeedbackReceivedPayload(
        source=source,
        source_id=source_id,
        kind=kind,
        post_id=post_id,
        author=author,
        text=text,
        received_at=at,
    )
    return Incoming(payload, str(uuid.uuid4()), "amqp")


async def with_window(f: FakeFeedback, post_id: str = "p1", *, channel: str = "local") -> None:
    assert await open_window(published(post_id, at=f.clock.now(), channel=channel), deps=f.deps)


async def closed(f: FakeFeedback, post_id: str = "p1") -> bool:
    claim = f.tx.jobs.claim(f"window-close:{post_id}")
    return await close_window(claim, deps=f.deps)


class TestOpeningAWindow:
    async def test_a_published_post_opens_its_window_and_schedules_its_close_and_polls(
        self,
    ) -> None:
        f = fake_feedback(**WECHAT)
        assert await open_window(published(channel="wechat"), deps=f.deps)

        window = f.tx.windows.by_post["p1"]
        assert window.state is WindowState.OPEN
        assert (window.starts_at, window.ends_at) == (START, START + DAY)
        jobs = f.tx.jobs.jobs
        assert jobs["window-close:p1"]["due_at"] == START + DAY
        assert jobs["comment-poll:p1"]["payload"] == {
            "post_id": "p1",
            "msg_data_id": "2247480001",
            "index": 0,
            "account": "default",
        }
        assert jobs["stats-poll:p1"]["due_at"] > START
        assert metric_value(f.registry, "feedback_windows_open") == 1

    async def test_a_post_on_another_channel_is_not_polled(self) -> None:
        f = fake_feedback(**WECHAT)
        await with_window(f, channel="local")
        assert set(f.tx.jobs.jobs) == {"window-close:p1"}

    async def test_a_redelivered_post_published_changes_nothing(self) -> None:
        f = fake_feedback()
        event = published()
        await open_window(event, deps=f.deps)
        f.clock.advance(timedelta(minutes=5))
        with pytest.raises(AlreadyProcessed):
            await open_window(event, deps=f.deps)
        assert f.tx.windows.by_post["p1"].opened_at == START
        assert len(f.tx.jobs.jobs) == 1

    async def test_a_post_published_twice_keeps_its_one_window(self) -> None:
        f = fake_feedback()
        await open_window(published(), deps=f.deps)
        later = published(at=START + timedelta(hours=1))
        assert not await open_window(later, deps=f.deps)
        assert f.tx.windows.by_post["p1"].starts_at == START


class TestStoringFeedback:
    async def test_a_comment_is_stored_in_its_window_and_a_question_opens_an_enquiry(
        self,
    ) -> None:
        f = fake_feedback()
        await with_window(f)
        asked_at = START + timedelta(hours=2)
        assert await store_event_batch([received("c1", at=asked_at)], deps=f.deps) == [
            Outcome.STORED
        ]
        item = f.tx.items.by_key["crm:c1"]
        assert (item.post_id, item.late) == ("p1", False)
        assert item.annotation.question
        assert item.enquiry is not None
        assert item.enquiry.state is EnquiryState.OPEN
        assert item.enquiry.deadline == asked_at + timedelta(hours=12)

    async def test_a_message_naming_no_post_belongs_to_the_open_window_it_falls_in(
        self,
    ) -> None:
        f = fake_feedback()
        await with_window(f)
        message = received(
            "m1", at=START + timedelta(hours=1), kind=FeedbackKind.MESSAGE, post_id=None
        )
        await store_event_batch([message], deps=f.deps)
        item = f.tx.items.by_key["crm:m1"]
        assert (item.post_id, item.post_inferred) == ("p1", True)

    async def test_feedback_said_after_the_close_is_stored_late_and_the_document_stays(
        self,
    ) -> None:
        f = fake_feedback()
        await with_window(f)
        f.clock.advance(DAY)
        assert await closed(f)
        [document] = f.tx.documents.by_id.values()

        late = received("c-late", at=f.clock.now() - timedelta(hours=1))
        assert await store_event_batch([late], deps=f.deps) == [Outcome.STORED]
        assert f.tx.items.by_key["crm:c-late"].late
        assert list(f.tx.documents.by_id.values()) == [document]

    async def test_a_redelivered_item_is_a_duplicate_and_stored_once(self) -> None:
        f = fake_feedback()
        await with_window(f)
        item = received("c1", at=START + timedelta(hours=1))
        assert await store_event_batch([item], deps=f.deps) == [Outcome.STORED]
        assert await store_event_batch([item], deps=f.deps) == [Outcome.DUPLICATE]
        assert list(f.tx.items.by_key) == ["crm:c1"]
        labels = {"via": "amqp", "outcome": "duplicate"}
        assert metric_value(f.registry, "feedback_items_total", **labels) == 1


class TestClosingAWindow:
    async def test_closing_issues_the_document_and_announces_it_once(self) -> None:
        f = fake_feedback()
        await with_window(f)
        await store_event_batch(
            [
                received("c1", at=START + timedelta(hours=1)),
                received("c2", at=START + timedelta(hours=2), text="写得很好，学到了很多[强]"),
            ],
            deps=f.deps,
        )
        f.clock.advance(DAY)

        assert await closed(f)
        window = f.tx.windows.by_post["p1"]
        assert window.state is WindowState.CLOSED
        assert window.digest_id is not None
        document = f.tx.documents.by_id[window.digest_id]
        assert "个税汇算清缴全攻略" in document.markdown
        assert document.docx.startswith(b"PK")
        [ready] = f.uow.emitted("feedback.digest.ready")
        assert isinstance(ready, FeedbackDigestReady)
        assert ready.payload.post_id == "p1"
        assert ready.payload.counts["comments"] == 2
        assert f.tx.jobs.jobs["window-close:p1"]["state"] == "done"

        # the job comes round again (its completion was lost): nothing more is issued
        assert not await closed(f)
        assert len(f.uow.emitted("feedback.digest.ready")) == 1
        assert len(f.tx.documents.by_id) == 1

    async def test_a_close_whose_job_was_taken_over_leaves_the_window_open(self) -> None:
        f = fake_feedback()
        await with_window(f)
        await store_event_batch([received("c1", at=START + timedelta(hours=1))], deps=f.deps)
        f.clock.advance(DAY)
        stale = f.tx.jobs.claim("window-close:p1")
        f.tx.jobs.claim("window-close:p1")  # another replica took the job over meanwhile

        with pytest.raises(FencedOut):
            await close_window(stale, deps=f.deps)
        assert f.tx.windows.by_post["p1"].is_open
        assert f.tx.documents.by_id == {}
        assert f.uow.emitted() == []
        assert f.uow.rollbacks == 1


class TestReplyingToAnEnquiry:
    async def test_a_reply_answers_the_enquiry_is_announced_and_audited(self) -> None:
        f = fake_feedback()
        await with_window(f)
        await store_event_batch(
            [received("m1", at=START, kind=FeedbackKind.MESSAGE, text="收费标准麻烦发我一份")],
            deps=f.deps,
        )
        f.clock.advance(timedelta(hours=1))

        enquiry = await reply_to_enquiry(
            EnquiryReply("crm:m1", "您好，已发送。"), deps=f.deps, actor=EDITOR
        )
        assert enquiry.enquiry is not None
        assert enquiry.enquiry.state is EnquiryState.ANSWERED
        assert (enquiry.enquiry.answered_by, enquiry.enquiry.reply_text) == (
            "liu",
            "您好，已发送。",
        )
        assert enquiry.enquiry.time_to_reply_seconds == 3600
        assert not enquiry.enquiry.breached
        assert enquiry.enquiry.delivery is None  # a CRM enquiry is answered by the CRM
        [reply] = [i for i in f.tx.items.by_key.values() if i.is_reply]
        assert reply.in_reply_to == "crm:m1"
        [announced] = f.uow.emitted("feedback.received")
        assert isinstance(announced, FeedbackReceived)
        assert announced.payload.in_reply_to == "crm:m1"
        [entry] = f.tx.audit.entries
        assert (entry.actor, entry.action, entry.target) == ("liu", "enquiry.replied", "crm:m1")
        assert "reply-send:crm:m1" not in f.tx.jobs.jobs

    async def test_replies_in_one_amqp_batch_answer_each_enquiry_with_its_earliest(
        self,
    ) -> None:
        f = fake_feedback()
        await with_window(f)
        asked = [
            received(f"m{n}", at=START, kind=FeedbackKind.MESSAGE, text="收费标准麻烦发我一份")
            for n in (1, 2)
        ]
        await store_event_batch(asked, deps=f.deps)

        def reply(source_id: str, target: str, minutes: int, author: str) -> Incoming:
            payload = FeedbackReceivedPayload(
                source="crm",
                source_id=source_id,
                kind=FeedbackKind.REPLY,
                author=author,
                text=f"{author}已回复",
                received_at=START + timedelta(minutes=minutes),
                in_reply_to=target,
            )
            return Incoming(payload, str(uuid.uuid4()), "amqp")

        batch = [
            reply("r-late", "crm:m1", 50, "小王"),
            reply("r-early", "crm:m1", 10, "小李"),
            reply("r-other", "crm:m2", 30, "小张"),
        ]
        assert await store_event_batch(batch, deps=f.deps) == [Outcome.STORED] * 3
        answers = {}
        for key in ("crm:m1", "crm:m2"):
            enquiry = f.tx.items.by_key[key].enquiry
            assert enquiry is not None
            answers[key] = (enquiry.state, enquiry.answered_by, enquiry.time_to_reply_seconds)
        assert answers == {
            "crm:m1": (EnquiryState.ANSWERED, "小李", 600),
            "crm:m2": (EnquiryState.ANSWERED, "小张", 1800),
        }

    async def test_a_reply_to_a_wechat_message_is_sent_once_and_only_the_first(self) -> None:
        f = fake_feedback(**WECHAT)
        await with_window(f)
        message = received(
            "9001",
            at=START,
            kind=FeedbackKind.MESSAGE,
            source=MESSAGE_SOURCE,
            author="o-follower",
            text="周末可以咨询吗？",
        )
        await store_event_batch([message], deps=f.deps)
        key = f"{MESSAGE_SOURCE}:9001"

        first = await reply_to_enquiry(EnquiryReply(key, "您好，可以。"), deps=f.deps, actor=EDITOR)
        f.clock.advance(timedelta(minutes=10))
        again = await reply_to_enquiry(
            EnquiryReply(key, "补充：周日休息。"), deps=f.deps, actor=EDITOR
        )

        assert first.enquiry is not None
        assert first.enquiry.delivery is not None
        assert first.enquiry.delivery.state is DeliveryState.PENDING
        job = f.tx.jobs.jobs[f"reply-send:{key}"]
        assert job["payload"] == {
            "enquiry_id": key,
            "text": "您好，可以。",
            "account": "default",
            "channel": MESSAGE_SOURCE,
            "openid": "o-follower",
        }
        assert again.enquiry is not None
        assert again.enquiry.reply_text == "您好，可以。"  # the earliest reply is the answer
        assert [k for k in f.tx.jobs.jobs if k.startswith("reply-send:")] == [f"reply-send:{key}"]
        assert len(f.uow.emitted("feedback.received")) == 2  # both replies are announced

    async def test_a_reply_to_no_enquiry_is_refused_and_stores_nothing(self) -> None:
        f = fake_feedback()
        with pytest.raises(EnquiryNotFound):
            await reply_to_enquiry(EnquiryReply("crm:nope", "您好"), deps=f.deps, actor=EDITOR)
        assert f.tx.items.by_key == {}
        assert f.uow.emitted() == []

    async def test_a_reply_whose_audit_fails_is_rolled_back_whole(self) -> None:
        f = fake_feedback()
        await with_window(f)
        await store_event_batch([received("c1", at=START)], deps=f.deps)
        f.tx.audit.fail = StoreDown("audit write failed")

        with pytest.raises(StoreDown):
            await reply_to_enquiry(EnquiryReply("crm:c1", "您好"), deps=f.deps, actor=EDITOR)
        enquiry = f.tx.items.by_key["crm:c1"].enquiry
        assert enquiry is not None
        assert enquiry.state is EnquiryState.OPEN
        assert list(f.tx.items.by_key) == ["crm:c1"]  # the reply item is gone with it
        assert f.uow.emitted() == []
        assert f.uow.rollbacks == 1

    async def test_an_enquiry_unanswered_past_its_deadline_is_flagged_once(self) -> None:
        f = fake_feedback()
        await with_window(f)
        await store_event_batch([received("c1", at=START)], deps=f.deps)
        f.clock.advance(timedelta(hours=11))
        assert await sweep_enquiries(deps=f.deps) == 0
        f.clock.advance(timedelta(hours=1, seconds=1))

        assert await sweep_enquiries(deps=f.deps) == 1
        assert await sweep_enquiries(deps=f.deps) == 0
        enquiry = f.tx.items.by_key["crm:c1"].enquiry
        assert enquiry is not None
        assert enquiry.breached
        assert metric_value(f.registry, "feedback_reply_breaches_total") == 1
        assert metric_value(f.registry, "feedback_enquiries_overdue") == 1
