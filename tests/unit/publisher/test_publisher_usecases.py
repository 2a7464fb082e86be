"""The publisher's use cases against in-memory fakes: what each stores, emits and refuses.

No store, no broker: the exactly-once guarantees under real races and crashes are the
integration tests'; here each use case's decisions, its all-or-nothing unit of work and
its idempotency on redelivery.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from services.publisher.channels import (
    OutcomeUnknown,
    PublishOutcome,
    PublishRequest,
    PublishState,
)
from services.publisher.deps import PUBLISH_JOB, RECONCILE_JOB, PublisherDeps
from services.publisher.domain import Post, PostState, publish_job_key
from services.publisher.domain.resolution import ResolveAction, ResolveOutcome, resolution
from services.publisher.errors import RetryRefused, SlotRefused, TransitionRefused
from services.publisher.usecases.commands import (
    CancelPost,
    ReschedulePost,
    cancel_post,
    pause_post,
    reschedule_post,
    resume_post,
)
from services.publisher.usecases.publish import publish_due_post
from services.publisher.usecases.reconcile import reconcile_post
from services.publisher.usecases.resolve import ResolvePost, resolve_post
from services.publisher.usecases.schedule import schedule_approved_post
from shared.clock import FixedClock
from shared.errors import AlreadyProcessed, PoisonMessage
from shared.events import Category, ContentSnapshot, DraftApproved
from shared.jobs import Claim
from shared.settings import Principal, Role
from tests.fakes.uow import FakeUnitOfWork
from tests.support.events import draft_approved
from tests.unit.publisher.fakes import FakePublisherTx, RecordingChannel, publisher_deps

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 11, 30, tzinfo=SHANGHAI)  # a slot of the default calendar
WEDNESDAY = MONDAY + timedelta(days=2)
FRIDAY = MONDAY + timedelta(days=4)
BEFORE_MONDAY = MONDAY - timedelta(hours=2)
RITA = Principal(subject="rita", roles=frozenset({Role.REVIEWER}))
MONDAY_KEY = "publish:2026-11-23T11:30+08:00"
WEDNESDAY_KEY = "publish:2026-11-25T11:30+08:00"


def approval(draft_id: str, *, slot: datetime | None = MONDAY, revision: int = 1) -> DraftApproved:
    content = ContentSnapshot(
        title=f"标题 {draft_id}",
        category=Category.FINANCE,
        digest="三分钟看懂。",
        body_html="<p>正文</p>",
        author="erin",
    )
    return draft_approved(content, draft_id=draft_id, revision=revision, slot=slot)


class Publisher:
    """Deps on fakes, and what the tests look at."""

    def __init__(self, **settings: Any) -> None:
        self.clock = FixedClock(BEFORE_MONDAY)
        self.channel = RecordingChannel()
        deps, uow = publisher_deps(self.clock, channel=self.channel, **settings)
        self.deps: PublisherDeps = deps
        self.uow: FakeUnitOfWork[FakePublisherTx] = uow
        self.view = uow.view

    def post(self, post_id: str) -> Post:
        return self.view.posts.stored[post_id]

    async def run_job(self, key: str) -> None:
        """Claim ``key`` as the job loop would and run its handler."""
        claim = self.view.jobs.claim(key)
        handler = publish_due_post if claim.kind == PUBLISH_JOB else reconcile_post
        await handler(claim, deps=self.deps)

    def emitted(self, event_type: str) -> list[str]:
        """Post ids of the committed events of ``event_type``."""
        return [str(e.payload.post_id) for e in self.uow.emitted(event_type)]  # type: ignore[attr-defined]


@pytest.fixture
def pub() -> Publisher:
    return Publisher()


async def scheduled(
    pub: Publisher, draft_id: str = "d-1", *, slot: datetime | None = MONDAY, revision: int = 1
) -> Post:
    event = approval(draft_id, slot=slot, revision=revision)
    return await schedule_approved_post(event, deps=pub.deps)


class TestScheduling:
    async def test_an_approved_draft_gets_its_wished_slot_a_seat_and_a_job(
        self, pub: Publisher
    ) -> None:
        post = await scheduled(pub)
        stored = pub.post(post.post_id)
        assert (stored.state, stored.slot_key, stored.rev) == (PostState.SCHEDULED, MONDAY_KEY, 1)
        assert pub.view.seats.holders() == {MONDAY_KEY: post.post_id}
        job = pub.view.jobs.jobs[publish_job_key(post.post_id, 1)]
        assert (job["kind"], job["due_at"], job["payload"]) == (
            PUBLISH_JOB,
            MONDAY.astimezone(UTC),
            {"post_id": post.post_id, "rev": 1},
        )
        assert pub.uow.events == []

    async def test_a_full_slot_sends_the_next_approval_to_the_next_slot(
        self, pub: Publisher
    ) -> None:
        first = await scheduled(pub, "d-1")
        second = await scheduled(pub, "d-2")
        assert (first.slot_key, second.slot_key) == (MONDAY_KEY, WEDNESDAY_KEY)

    async def test_a_redelivered_approval_changes_nothing(self, pub: Publisher) -> None:
        event = approval("d-1")
        await schedule_approved_post(event, deps=pub.deps)
        before = pub.view.posts.snapshot(), pub.view.seats.snapshot(), pub.view.jobs.snapshot()
        with pytest.raises(AlreadyProcessed):
            await schedule_approved_post(event, deps=pub.deps)
        after = pub.view.posts.snapshot(), pub.view.seats.snapshot(), pub.view.jobs.snapshot()
        assert after == before

    async def test_the_same_revision_approved_again_keeps_the_one_post(
        self, pub: Publisher
    ) -> None:
        first = await scheduled(pub)
        again = await scheduled(pub)  # a new event: not an inbox duplicate
        assert again.post_id == first.post_id
        assert list(pub.view.posts.stored) == [first.post_id]
        assert len(pub.view.seats.taken_by) == 1

    async def test_a_newer_revision_supersedes_the_older_one_not_yet_publishing(
        self, pub: Publisher
    ) -> None:
        old = await scheduled(pub, "d-1")
        new = await scheduled(pub, "d-1", revision=2, slot=WEDNESDAY)
        assert pub.post(old.post_id).state is PostState.CANCELLED
        assert pub.view.jobs.jobs[publish_job_key(old.post_id, 1)]["state"] == "cancelled"
        assert pub.view.seats.holders() == {WEDNESDAY_KEY: new.post_id}
        assert pub.emitted("post.failed") == [old.post_id]

    async def test_a_newer_revision_of_a_published_article_is_never_pushed(
        self, pub: Publisher
    ) -> None:
        old = await scheduled(pub, "d-1")
        pub.clock.set(MONDAY)
        await pub.run_job(publish_job_key(old.post_id, 1))
        new = await scheduled(pub, "d-1", revision=2, slot=WEDNESDAY)
        assert pub.post(new.post_id).state is PostState.CANCELLED
        assert pub.view.jobs.of_kind(PUBLISH_JOB) == {}
        assert pub.emitted("post.failed") == [new.post_id]

    async def test_an_approval_whose_content_does_not_hash_is_poison(self, pub: Publisher) -> None:
        good = approval("d-1")
        payload = good.payload.model_copy(update={"content_hash": "0" * 64})
        event = good.model_copy(update={"payload": payload})
        with pytest.raises(PoisonMessage):
            await schedule_approved_post(event, deps=pub.deps)
        assert pub.view.posts.stored == {}


class TestPublishing:
    async def test_a_due_post_is_published_once_with_one_event(self, pub: Publisher) -> None:
        post = await scheduled(pub)
        key = publish_job_key(post.post_id, 1)
        pub.clock.set(MONDAY)
        await pub.run_job(key)
        await pub.run_job(key)  # the job claimed again (e.g. a lease that ran out)
        stored = pub.post(post.post_id)
        assert stored.state is PostState.PUBLISHED
        assert stored.url == f"https://example.test/{post.post_id}"
        assert stored.attempts == 1
        assert pub.channel.published[post.post_id] == 1
        assert pub.emitted("post.published") == [post.post_id]

    async def test_a_lost_answer_makes_the_post_unknown_and_asks_the_channel(
        self, pub: Publisher
    ) -> None:
        post = await scheduled(pub)
        pub.channel.answers = [OutcomeUnknown("answer lost", channel="fake")]
        pub.clock.set(MONDAY)
        await pub.run_job(publish_job_key(post.post_id, 1))
        assert pub.post(post.post_id).state is PostState.UNKNOWN
        (reconcile_key,) = pub.view.jobs.of_kind(RECONCILE_JOB)
        pub.channel.statuses[post.post_id] = PublishOutcome(
            state=PublishState.PUBLISHED,
            channel="fake",
            post_id=post.post_id,
            url="https://x.test/1",
        )
        await pub.run_job(reconcile_key)
        assert pub.post(post.post_id).state is PostState.PUBLISHED
        assert pub.emitted("post.published") == [post.post_id]
        assert pub.channel.published[post.post_id] == 0  # the channel was never asked again

    async def test_a_post_due_beyond_grace_is_missed_not_published(self, pub: Publisher) -> None:
        post = await scheduled(pub)
        pub.clock.set(MONDAY + timedelta(hours=3))
        await pub.run_job(publish_job_key(post.post_id, 1))
        assert pub.post(post.post_id).state is PostState.MISSED
        assert pub.channel.published == {}
        assert pub.emitted("post.failed") == [post.post_id]


class TestLease:
    """A job's lease is renewed while its channel call lasts, but not at the instant:
    there the store is busy marking every due post ``submitting``."""

    @staticmethod
    def counting_renewals(pub: Publisher, monkeypatch: pytest.MonkeyPatch) -> list[str]:
        renewed: list[str] = []
        renew = pub.view.jobs.renew

        async def counted(claim: Claim) -> None:
            renewed.append(claim.key)
            await renew(claim)

        monkeypatch.setattr(pub.view.jobs, "renew", counted)
        return renewed

    async def test_a_call_answered_within_a_third_of_the_lease_renews_nothing(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        pub = Publisher(job_lease_seconds=30.0)
        renewed = self.counting_renewals(pub, monkeypatch)
        post = await scheduled(pub)
        answer = pub.channel.publish

        async def quick(request: PublishRequest) -> PublishOutcome:
            await asyncio.sleep(0.05)  # answers over the network, within a third of 30 s
            return await answer(request)

        monkeypatch.setattr(pub.channel, "publish", quick)
        pub.clock.set(MONDAY)
        await pub.run_job(publish_job_key(post.post_id, 1))
        assert pub.post(post.post_id).state is PostState.PUBLISHED
        assert renewed == []

    async def test_a_call_that_lasts_is_renewed_every_third_of_the_lease(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        pub = Publisher(job_lease_seconds=0.3, prepare_ahead_seconds=0.0)
        renewed = self.counting_renewals(pub, monkeypatch)
        post = await scheduled(pub)
        answer = pub.channel.publish

        async def slow(request: PublishRequest) -> PublishOutcome:
            await asyncio.sleep(0.45)  # a slow channel: well past a third of the lease
            return await answer(request)

        monkeypatch.setattr(pub.channel, "publish", slow)
        pub.clock.set(MONDAY)
        key = publish_job_key(post.post_id, 1)
        await pub.run_job(key)
        assert pub.post(post.post_id).state is PostState.PUBLISHED
        assert 2 <= len(renewed) <= 5
        assert set(renewed) == {key}


class TestCommands:
    async def test_a_reschedule_moves_the_seat_and_the_job(self, pub: Publisher) -> None:
        post = await scheduled(pub)
        moved = await reschedule_post(
            ReschedulePost(post.post_id, WEDNESDAY), deps=pub.deps, actor=RITA
        )
        assert (moved.slot_key, moved.rev) == (WEDNESDAY_KEY, 2)
        assert pub.view.seats.holders() == {WEDNESDAY_KEY: post.post_id}
        assert pub.view.jobs.jobs[publish_job_key(post.post_id, 1)]["state"] == "cancelled"
        assert publish_job_key(post.post_id, 2) in pub.view.jobs.of_kind(PUBLISH_JOB)
        assert pub.view.audit.entries[-1].details == {"from": MONDAY_KEY, "to": WEDNESDAY_KEY}

    async def test_a_stale_reschedule_loses_to_publishing_and_is_rolled_back(
        self, pub: Publisher, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        post = await scheduled(pub)
        stale = pub.post(post.post_id).model_copy(deep=True)
        pub.clock.set(MONDAY - timedelta(minutes=1))
        pub.view.posts.stored[post.post_id] = stale.model_copy(
            update={"state": PostState.SUBMITTING, "submit_fence": 1}
        )

        async def read_before_the_job_moved_it(post_id: str) -> Post:
            return stale.model_copy(deep=True)

        monkeypatch.setattr(pub.view.posts, "get", read_before_the_job_moved_it)
        seats = pub.view.seats.snapshot()
        with pytest.raises(TransitionRefused, match="publishing has started"):
            await reschedule_post(
                ReschedulePost(post.post_id, WEDNESDAY), deps=pub.deps, actor=RITA
            )
        assert pub.view.seats.snapshot() == seats  # the Wednesday seat it took is given back
        assert pub.post(post.post_id).state is PostState.SUBMITTING
        assert pub.uow.rollbacks == 1
        assert pub.view.audit.entries == []

    async def test_a_stale_cancel_is_refused_and_emits_nothing(
        self, pub: Publisher, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        post = await scheduled(pub)
        stale = pub.post(post.post_id).model_copy(deep=True)
        await reschedule_post(ReschedulePost(post.post_id, FRIDAY), deps=pub.deps, actor=RITA)

        async def read_the_old_revision(post_id: str) -> Post:
            return stale.model_copy(deep=True)

        monkeypatch.setattr(pub.view.posts, "get", read_the_old_revision)
        with pytest.raises(TransitionRefused):
            await cancel_post(
                CancelPost(post.post_id, "no longer relevant"), deps=pub.deps, actor=RITA
            )
        assert pub.post(post.post_id).state is PostState.SCHEDULED
        assert pub.post(post.post_id).rev == 2
        assert pub.uow.events == []

    async def test_a_cancel_frees_the_seat_and_tells_without_a_person(self, pub: Publisher) -> None:
        post = await scheduled(pub)
        await cancel_post(CancelPost(post.post_id, "topic dropped"), deps=pub.deps, actor=RITA)
        assert pub.post(post.post_id).state is PostState.CANCELLED
        assert pub.view.seats.taken_by == {}
        (event,) = pub.uow.emitted("post.failed")
        assert event.payload.needs_person is False  # type: ignore[attr-defined]
        assert event.payload.reason == "cancelled by rita: topic dropped"  # type: ignore[attr-defined]

    async def test_a_paused_post_does_not_go_out_until_resumed(self, pub: Publisher) -> None:
        post = await scheduled(pub)
        await pause_post(post.post_id, deps=pub.deps, actor=RITA)
        assert pub.view.jobs.of_kind(PUBLISH_JOB) == {}
        resumed = await resume_post(post.post_id, deps=pub.deps, actor=RITA)
        assert (resumed.state, resumed.slot_key, resumed.rev) == (
            PostState.SCHEDULED,
            MONDAY_KEY,
            2,
        )
        assert list(pub.view.jobs.of_kind(PUBLISH_JOB)) == [publish_job_key(post.post_id, 2)]

    async def test_a_reschedule_to_no_slot_is_refused_naming_the_slot(self, pub: Publisher) -> None:
        post = await scheduled(pub)
        with pytest.raises(SlotRefused) as refused:
            await reschedule_post(
                ReschedulePost(post.post_id, MONDAY + timedelta(hours=1)), deps=pub.deps, actor=RITA
            )
        assert refused.value.errors == [{"field": "slot", "message": refused.value.message}]


async def unknown(pub: Publisher, *, publish_id: str | None = None) -> Post:
    post = await scheduled(pub)
    pub.channel.answers = [OutcomeUnknown("answer lost", channel="fake", publish_id=publish_id)]
    pub.clock.set(MONDAY)
    await pub.run_job(publish_job_key(post.post_id, 1))
    assert pub.post(post.post_id).state is PostState.UNKNOWN
    pub.clock.set(MONDAY + timedelta(minutes=30))
    return post


class TestResolve:
    async def test_published_by_a_persons_word_emits_post_published_once(
        self, pub: Publisher
    ) -> None:
        post = await unknown(pub)
        checked = resolution(
            ResolveOutcome.PUBLISHED,
            note="seen on the account",
            now=pub.clock.now(),
            url="https://mp.weixin.qq.com/s/AbC",
        )
        done = await resolve_post(ResolvePost(post.post_id, checked), deps=pub.deps, actor=RITA)
        assert (done.state, done.url) == (PostState.PUBLISHED, "https://mp.weixin.qq.com/s/AbC")
        assert pub.emitted("post.published") == [post.post_id]
        assert pub.view.audit.entries[-1].action == "post.resolve"
        assert pub.view.audit.entries[-1].details["from"] == "unknown"
        with pytest.raises(TransitionRefused, match="it is published"):
            await resolve_post(ResolvePost(post.post_id, checked), deps=pub.deps, actor=RITA)
        assert pub.emitted("post.published") == [post.post_id]

    async def test_not_published_and_retried_is_due_again_under_a_new_revision(
        self, pub: Publisher
    ) -> None:
        post = await unknown(pub)
        checked = resolution(
            ResolveOutcome.NOT_PUBLISHED,
            note="nothing in the history",
            now=pub.clock.now(),
            action=ResolveAction.RETRY,
        )
        done = await resolve_post(ResolvePost(post.post_id, checked), deps=pub.deps, actor=RITA)
        assert (done.state, done.rev) == (PostState.SCHEDULED, 2)
        assert done.confirmed_unsent_at == pub.clock.now()
        job = pub.view.jobs.of_kind(PUBLISH_JOB)[publish_job_key(post.post_id, 2)]
        assert job["due_at"] == pub.clock.now()
        await pub.run_job(publish_job_key(post.post_id, 2))
        assert pub.post(post.post_id).state is PostState.PUBLISHED
        assert pub.emitted("post.published") == [post.post_id]

    async def test_a_retry_is_refused_while_the_channel_holds_a_job(self, pub: Publisher) -> None:
        post = await unknown(pub, publish_id="2247480001")
        checked = resolution(
            ResolveOutcome.NOT_PUBLISHED,
            note="nothing in the history",
            now=pub.clock.now(),
            action=ResolveAction.RETRY,
        )
        with pytest.raises(RetryRefused):
            await resolve_post(ResolvePost(post.post_id, checked), deps=pub.deps, actor=RITA)
        assert pub.post(post.post_id).state is PostState.UNKNOWN
        assert pub.uow.rollbacks == 1

    async def test_the_reconcile_job_finding_it_settled_by_a_person_emits_nothing(
        self, pub: Publisher, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        post = await unknown(pub)
        stale = pub.post(post.post_id).model_copy(deep=True)
        (reconcile_key,) = pub.view.jobs.of_kind(RECONCILE_JOB)
        checked = resolution(
            ResolveOutcome.PUBLISHED,
            note="seen on the account",
            now=pub.clock.now(),
            url="https://mp.weixin.qq.com/s/AbC",
        )
        await resolve_post(ResolvePost(post.post_id, checked), deps=pub.deps, actor=RITA)

        async def read_before_the_person_settled_it(post_id: str) -> Post:
            return stale.model_copy(deep=True)

        monkeypatch.setattr(pub.view.posts, "get", read_before_the_person_settled_it)
        pub.channel.statuses[post.post_id] = PublishOutcome(
            state=PublishState.PUBLISHED, channel="fake", post_id=post.post_id, url="https://x.t/1"
        )
        await pub.run_job(reconcile_key)
        assert pub.emitted("post.published") == [post.post_id]
        assert pub.view.posts.stored[post.post_id].url == "https://mp.weixin.qq.com/s/AbC"
        assert pub.view.jobs.jobs[reconcile_key]["state"] == "published"  # the job is finished
