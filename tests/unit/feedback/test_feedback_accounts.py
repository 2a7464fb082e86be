"""Accounts (#12) in the feedback service's rules and use cases, on in-memory stores.

What a user relies on: a window is its post's account's, and so is every item in it (a
door naming another account is refused, a version-1 event takes the post's account); a
message naming no post is placed only in a window of its own account; each account's
enquiries are due after its own reply limit (talent: 6 h; default: the service's 12 h);
a reply needs a role on the enquiry's account and goes out with that account's WeChat
app; the document of a window is its account's and compares with its account only.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest

from services.feedback.domain.item import AccountMismatch, FeedbackItem, Incoming, Outcome
from services.feedback.domain.keys import MESSAGE_SOURCE
from services.feedback.domain.window import WindowSpan, WindowState, choose_window
from services.feedback.usecases.close_window import close_window
from services.feedback.usecases.enquiries import EnquiryReply, reply_to_enquiry, sweep_enquiries
from services.feedback.usecases.ingest import (
    ChannelItems,
    ingest_batch,
    ingest_channel_items,
    store_event_batch,
)
from services.feedback.usecases.open_window import open_window
from shared.events import (
    Category,
    FeedbackDigestReady,
    FeedbackKind,
    FeedbackReceived,
    FeedbackReceivedPayload,
    PostPublished,
    PostPublishedPayload,
)
from shared.http import ProblemError
from shared.settings import Principal, Role
from tests.support.accounts import TWO_ACCOUNTS
from tests.support.metrics import metric_value
from tests.unit.feedback.fakes import START, FakeFeedback, fake_feedback

DAY = timedelta(hours=24)
QUESTION = "请问社保基数怎么调整？"
TALENT_APP = '[{"id": "default"}, {"id": "talent", "wechat_app_id": "wx-talent-app"}]'
EDITOR_A = Principal(subject="ann", roles=frozenset({Role.EDITOR}), accounts=frozenset({"default"}))
EDITOR_B = Principal(subject="tina", roles=frozenset({Role.EDITOR}), accounts=frozenset({"talent"}))
SYSTEM_A = Principal(subject="crm", roles=frozenset({Role.SYSTEM}), accounts=frozenset({"default"}))


def published(
    post_id: str, *, account: str, at: datetime = START, channel: str = "local"
) -> PostPublished:
    ids = {"publish_id": f"pub-{post_id}"}
    if channel == "wechat":
        ids["msg_data_id"] = "2247480001"
    return PostPublished(
        account=account,
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


def payload(
    source_id: str,
    *,
    at: datetime,
    post_id: str | None,
    kind: FeedbackKind = FeedbackKind.COMMENT,
    source: str = "crm",
    author: str = "c-1029",
) -> FeedbackReceivedPayload:
    return FeedbackReceivedPayload(
        source=source,
        source_id=source_id,
        kind=kind,
        post_id=post_id,
        author=author,
        text=QUESTION,
        received_at=at,
    )


def received(
    source_id: str,
    *,
    at: datetime,
    post_id: str | None,
    account: str,
    named: bool = True,
    kind: FeedbackKind = FeedbackKind.COMMENT,
) -> Incoming:
    """An item of ``feedback.received``: version 2 naming ``account`` (``named``), or 1."""
    return Incoming(
        payload(source_id, at=at, post_id=post_id, kind=kind),
        str(uuid.uuid4()),
        "amqp",
        account=account,
        account_named=named,
    )


async def two_windows(f: FakeFeedback) -> None:
    """``p-def`` of the default account and ``p-tal`` of talent, both open from START."""
    assert await open_window(published("p-def", account="default"), deps=f.deps)
    assert await open_window(published("p-tal", account="talent"), deps=f.deps)


class TestPlacingAnItem:
    def test_a_message_naming_no_post_falls_only_in_a_window_of_its_account(self) -> None:
        default = WindowSpan("p-def", START, START + DAY, WindowState.OPEN, "default")
        talent = WindowSpan("p-tal", START, START + DAY, WindowState.OPEN, "talent")
        at = START + timedelta(hours=1)
        assert choose_window([default, talent], at, "talent") == talent
        assert choose_window([default, talent], at, "default") == default
        assert choose_window([default], at, "talent") is None

    def test_a_door_naming_another_account_than_the_posts_is_refused(self) -> None:
        talent = WindowSpan("p-tal", START, START + DAY, WindowState.OPEN, "talent")
        incoming = received("c1", at=START, post_id="p-tal", account="default")
        with pytest.raises(AccountMismatch) as refused:
            FeedbackItem.placed(
                incoming,
                windows={"p-tal": talent},
                open_windows=[talent],
                reply_limit=lambda _: timedelta(hours=12),
                now=START,
            )
        assert (refused.value.named, refused.value.owner) == ("default", "talent")

    def test_a_version_1_item_takes_its_posts_account_and_its_reply_limit(self) -> None:
        talent = WindowSpan("p-tal", START, START + DAY, WindowState.OPEN, "talent")
        limits = {"default": timedelta(hours=12), "talent": timedelta(hours=6)}
        item = FeedbackItem.placed(
            received("c1", at=START, post_id="p-tal", account="default", named=False),
            windows={"p-tal": talent},
            open_windows=[talent],
            reply_limit=limits.__getitem__,
            now=START,
        )
        assert item.account == "talent"
        assert item.enquiry is not None
        assert item.enquiry.deadline == START + timedelta(hours=6)


class TestReplyLimits:
    def test_each_account_has_its_reply_limit_and_the_default_keeps_the_services(self) -> None:
        f = fake_feedback(accounts_json=TWO_ACCOUNTS, reply_limit_hours=16)
        assert f.deps.reply_limit("talent") == timedelta(hours=6)
        assert f.deps.reply_limit("default") == timedelta(hours=16)  # its limit is unset
        assert fake_feedback().deps.reply_limit("default") == timedelta(hours=12)

    async def test_a_talent_enquiry_is_due_after_6_hours_and_a_default_one_after_12(
        self,
    ) -> None:
        f = fake_feedback(accounts_json=TWO_ACCOUNTS)
        await two_windows(f)
        asked = START + timedelta(hours=1)
        outcomes = await store_event_batch(
            [
                received("c-def", at=asked, post_id="p-def", account="default"),
                received("c-tal", at=asked, post_id="p-tal", account="talent"),
            ],
            deps=f.deps,
        )
        assert outcomes == [Outcome.STORED, Outcome.STORED]
        by_key = f.tx.items.by_key
        assert by_key["crm:c-tal"].account == "talent"
        assert by_key["crm:c-def"].account == "default"
        talent, default = by_key["crm:c-tal"].enquiry, by_key["crm:c-def"].enquiry
        assert talent is not None
        assert default is not None
        assert talent.deadline == asked + timedelta(hours=6)
        assert default.deadline == asked + timedelta(hours=12)


class TestStoringPerAccount:
    async def test_a_version_2_item_naming_another_account_is_invalid_and_not_stored(
        self,
    ) -> None:
        f = fake_feedback(accounts_json=TWO_ACCOUNTS)
        await two_windows(f)
        wrong = received("c1", at=START, post_id="p-tal", account="default")
        assert await store_event_batch([wrong], deps=f.deps) == [Outcome.INVALID]
        assert f.tx.items.by_key == {}

    async def test_a_version_1_item_lands_in_its_posts_account(self) -> None:
        f = fake_feedback(accounts_json=TWO_ACCOUNTS)
        await two_windows(f)
        old = received("c1", at=START, post_id="p-tal", account="default", named=False)
        assert await store_event_batch([old], deps=f.deps) == [Outcome.STORED]
        assert f.tx.items.by_key["crm:c1"].account == "talent"

    async def test_feedback_with_no_post_keeps_the_doors_account(self) -> None:
        f = fake_feedback(accounts_json=TWO_ACCOUNTS)
        message = received(
            "m1", at=START, post_id=None, account="talent", kind=FeedbackKind.MESSAGE
        )
        assert await store_event_batch([message], deps=f.deps) == [Outcome.STORED]
        item = f.tx.items.by_key["crm:m1"]
        assert (item.account, item.post_id) == ("talent", None)

    async def test_a_pushed_message_of_talent_lands_in_talents_window_and_is_announced_so(
        self,
    ) -> None:
        f = fake_feedback(accounts_json=TWO_ACCOUNTS)
        await two_windows(f)
        message = payload(
            "9001",
            at=START + timedelta(hours=1),
            post_id=None,
            kind=FeedbackKind.MESSAGE,
            source=MESSAGE_SOURCE,
        )
        await ingest_channel_items(ChannelItems([message], "push", "talent"), deps=f.deps)
        item = f.tx.items.by_key[f"{MESSAGE_SOURCE}:9001"]
        assert (item.account, item.post_id) == ("talent", "p-tal")
        [announced] = f.uow.emitted("feedback.received")
        assert isinstance(announced, FeedbackReceived)
        assert (announced.account, announced.schema_version) == ("talent", 2)

    async def test_a_batch_for_one_account_refuses_an_item_on_anothers_post(self) -> None:
        f = fake_feedback(accounts_json=TWO_ACCOUNTS)
        await two_windows(f)
        items = [
            payload("ok", at=START, post_id="p-def").model_dump(mode="json"),
            payload("wrong", at=START, post_id="p-tal").model_dump(mode="json"),
        ]
        report = await ingest_batch(items, deps=f.deps, actor=SYSTEM_A, account="default")
        assert [r.status for r in report.items] == [Outcome.STORED, Outcome.INVALID]
        assert [e["field"] for e in report.items[1].errors] == ["items.1.post_id"]
        assert list(f.tx.items.by_key) == ["crm:ok"]


class TestReplyingPerAccount:
    async def test_an_editor_of_default_cannot_reply_to_a_talent_enquiry(self) -> None:
        f = fake_feedback(accounts_json=TWO_ACCOUNTS)
        await two_windows(f)
        await store_event_batch(
            [received("c1", at=START, post_id="p-tal", account="talent")], deps=f.deps
        )
        before = f.tx.items.by_key["crm:c1"]
        with pytest.raises(ProblemError) as refused:
            await reply_to_enquiry(EnquiryReply("crm:c1", "您好"), deps=f.deps, actor=EDITOR_A)
        assert refused.value.problem.status == 403
        assert f.tx.items.by_key == {"crm:c1": before}
        assert f.tx.audit.entries == []
        assert f.uow.emitted() == []

        answered = await reply_to_enquiry(
            EnquiryReply("crm:c1", "您好"), deps=f.deps, actor=EDITOR_B
        )
        assert answered.enquiry is not None
        assert answered.enquiry.answered_by == "tina"
        [reply] = [i for i in f.tx.items.by_key.values() if i.is_reply]
        assert reply.account == "talent"

    async def test_a_reply_to_talents_wechat_message_is_sent_with_talents_app(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_APP_SECRET", "talent-app-secret")
        f = fake_feedback(accounts_json=TALENT_APP)  # the default account has no WeChat app
        message = payload(
            "9001", at=START, post_id=None, kind=FeedbackKind.MESSAGE, source=MESSAGE_SOURCE
        )
        message = message.model_copy(update={"author": "o-follower"})
        await ingest_channel_items(ChannelItems([message], "push", "talent"), deps=f.deps)
        key = f"{MESSAGE_SOURCE}:9001"
        await reply_to_enquiry(EnquiryReply(key, "您好"), deps=f.deps, actor=EDITOR_B)
        job = f.tx.jobs.jobs[f"reply-send:{key}"]
        assert job["payload"]["account"] == "talent"
        assert job["kind"] == "reply-send:talent"  # talent's own loop sends it

        assert f.deps.wechat_accounts == ("talent",)
        async with f.deps.wechat_client("talent") as talent:
            assert talent._appid == "wx-talent-app"

    async def test_an_account_without_a_wechat_app_sends_nothing(self) -> None:
        f = fake_feedback(
            accounts_json=TWO_ACCOUNTS, wechat_app_id="wx-default", wechat_app_secret="s3cr3t-v"
        )
        message = payload(
            "9002", at=START, post_id=None, kind=FeedbackKind.MESSAGE, source=MESSAGE_SOURCE
        )
        message = message.model_copy(update={"author": "o-follower"})
        await ingest_channel_items(ChannelItems([message], "push", "talent"), deps=f.deps)
        key = f"{MESSAGE_SOURCE}:9002"
        replied = await reply_to_enquiry(EnquiryReply(key, "您好"), deps=f.deps, actor=EDITOR_B)
        assert replied.enquiry is not None
        assert replied.enquiry.delivery is None
        assert f"reply-send:{key}" not in f.tx.jobs.jobs


class TestWindowsPerAccount:
    async def test_polls_of_a_talent_post_are_talents_and_need_talents_app(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        f = fake_feedback(
            accounts_json=TALENT_APP, wechat_app_id="wx-default", wechat_app_secret="s3cr3t-v"
        )
        # talent's secret is missing: the default account's app does not poll its post
        assert await open_window(published("p1", account="talent", channel="wechat"), deps=f.deps)
        assert set(f.tx.jobs.jobs) == {"window-close:p1"}
        monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_APP_SECRET", "talent-app-secret")
        assert await open_window(published("p2", account="talent", channel="wechat"), deps=f.deps)
        jobs = f.tx.jobs.jobs
        assert jobs["comment-poll:p2"]["payload"]["account"] == "talent"
        assert jobs["stats-poll:p2"]["payload"]["account"] == "talent"
        # talent's own loops run them, so the default account's WeChat never holds them up
        assert jobs["comment-poll:p2"]["kind"] == "comment-poll:talent"
        assert jobs["stats-poll:p2"]["kind"] == "stats-poll:talent"
        assert await open_window(published("p3", account="default", channel="wechat"), deps=f.deps)
        assert jobs["comment-poll:p3"]["kind"] == "comment-poll"  # as before accounts
        assert f.tx.windows.by_post["p2"].account == "talent"

    async def test_a_talent_document_is_talents_and_compares_with_talents_posts_only(
        self,
    ) -> None:
        f = fake_feedback(accounts_json=TWO_ACCOUNTS)
        earlier = START - 3 * DAY
        await open_window(published("old-def", account="default", at=earlier), deps=f.deps)
        await open_window(published("old-tal", account="talent", at=earlier), deps=f.deps)
        for post_id in ("old-def", "old-tal"):
            assert await close_window(f.tx.jobs.claim(f"window-close:{post_id}"), deps=f.deps)
        await two_windows(f)
        await store_event_batch(
            [received("c1", at=START, post_id="p-tal", account="talent")], deps=f.deps
        )
        f.clock.advance(DAY)
        assert await close_window(f.tx.jobs.claim("window-close:p-tal"), deps=f.deps)

        [ready] = [
            e
            for e in f.uow.emitted("feedback.digest.ready")
            if isinstance(e, FeedbackDigestReady) and e.payload.post_id == "p-tal"
        ]
        assert ready.account == "talent"
        document = next(d for d in f.tx.documents.by_id.values() if d.post_id == "p-tal")
        assert document.account == "talent"
        compared = [row["post_id"] for row in document.digest["comparison"]["rows"]]
        assert "old-tal" in compared
        assert "old-def" not in compared


class TestGaugesPerAccount:
    async def test_the_sweep_counts_open_and_overdue_enquiries_per_account(self) -> None:
        f = fake_feedback(accounts_json=TWO_ACCOUNTS)
        await two_windows(f)
        await store_event_batch(
            [
                received("c-def", at=START, post_id="p-def", account="default"),
                received("c-tal", at=START, post_id="p-tal", account="talent"),
            ],
            deps=f.deps,
        )
        f.clock.advance(timedelta(hours=7))  # past talent's 6 hours, within default's 12
        await sweep_enquiries(deps=f.deps)

        def gauge(name: str, account: str) -> float | None:
            return metric_value(f.registry, name, account=account)

        assert gauge("feedback_account_enquiries_open", "default") == 1
        assert gauge("feedback_account_enquiries_open", "talent") == 1
        assert gauge("feedback_account_enquiries_overdue", "default") == 0
        assert gauge("feedback_account_enquiries_overdue", "talent") == 1
        assert metric_value(f.registry, "feedback_enquiries_overdue") == 1  # the total stays
