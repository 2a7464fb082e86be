"""The review use cases against in-memory fakes: what each one stores, emits and refuses,
all or nothing, and once per consumed event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry

from services.review.deps import ReviewDeps
from services.review.domain.deadline import LatePolicy
from services.review.domain.decision import ApprovalRequest, ReviewState
from services.review.domain.review import Review
from services.review.domain.submission import review_id_for
from services.review.errors import (
    FourEyesViolation,
    InvalidTerm,
    OverrideRequired,
    ReviewClosed,
    ReviewNotFound,
    UnknownTerm,
)
from services.review.norms import Category
from services.review.usecases import (
    ApproveReview,
    RejectReview,
    StartOutcome,
    TermChange,
    add_term,
    approve_review,
    refresh_gauges,
    reject_review,
    remove_term,
    report_overdue,
    start_review,
)
from shared.errors import AlreadyProcessed, PoisonMessage
from shared.events import Category as PostCategory
from shared.events import (
    ContentSnapshot,
    DraftApproved,
    DraftRejected,
    DraftSubmitted,
)
from shared.settings import Principal, Role
from tests.fakes.uow import FakeUnitOfWork
from tests.support.events import draft_submitted
from tests.unit.review.fakes import FakeReviewTx, review_deps

MONDAY_0830 = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
MONDAY_1030 = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # past the 10:00 deadline
MONDAY_SLOT = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)  # 11:30 in Shanghai
MONDAY_CUTOFF = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
WEDNESDAY_SLOT = datetime(2026, 11, 25, 3, 30, tzinfo=UTC)
MONDAY_JOB = "overdue:2026-11-23T11:30+08:00"

RITA = Principal(subject="rita", roles=frozenset({Role.REVIEWER}))
ERIN = Principal(subject="erin", roles=frozenset({Role.REVIEWER, Role.EDITOR}))
ROOT = Principal(subject="root", roles=frozenset({Role.ADMIN}))

CLEAN = "<p>今年的个人所得税汇算清缴将于3月1日开始。</p>"
WARN = "<p>最新政策解读，有疑问请加我微信。</p>"
GAMBLING = "<p>近期网赌平台频繁更换域名。</p><p>如有疑问请加我微信。</p>"
OVERRIDE_REASON = "反诈宣传：提及网赌是为了提醒读者防范，已与法务确认。"


def content(body: str = CLEAN, title: str = "2026年个税汇算清缴要点") -> ContentSnapshot:
    return ContentSnapshot.model_validate(
        {
            "title": title,
            "category": PostCategory.FINANCE,
            "digest": "三分钟看懂今年的汇算清缴。",
            "body_html": body,
            "author": "erin",
        }
    )


def submitted(
    draft_id: str = "d-1",
    snapshot: ContentSnapshot | None = None,
    *,
    revision: int = 1,
    at: datetime = MONDAY_0830,
    wished: datetime | None = MONDAY_SLOT,
) -> DraftSubmitted:
    return draft_submitted(
        snapshot or content(), draft_id=draft_id, revision=revision, at=at, wished=wished
    )


class World:
    """The use cases' dependencies on fakes, and what they hold."""

    def __init__(self, *, now: datetime = MONDAY_0830, policy: LatePolicy = LatePolicy.NEXT_SLOT):
        self.tx = FakeReviewTx()
        self.deps: ReviewDeps
        self.uow: FakeUnitOfWork[FakeReviewTx]
        self.registry = CollectorRegistry()
        self.deps, self.uow, self.clock = review_deps(
            self.tx, now=now, registry=self.registry, late_policy=policy
        )

    def stored(self, review_id: str) -> ReviewState:
        return self.tx.reviews.stored[review_id].state

    def metric(self, name: str, labels: dict[str, str] | None = None) -> float | None:
        return self.registry.get_sample_value(name, labels or {})


@pytest.fixture
def world() -> World:
    return World()


async def approve(
    world: World, review_id: str, actor: Principal, request: ApprovalRequest | None = None
) -> Review:
    command = ApproveReview(review_id, request or ApprovalRequest())
    return await approve_review(command, deps=world.deps, actor=actor)


async def queued(world: World, event: DraftSubmitted | None = None) -> str:
    started = await start_review(event or submitted(), deps=world.deps)
    assert started.outcome is StartOutcome.QUEUED
    return started.review.id


class TestStartReview:
    async def test_a_submitted_draft_opens_a_pending_review_with_its_findings(
        self, world: World
    ) -> None:
        event = submitted(snapshot=content(WARN))

        started = await start_review(event, deps=world.deps)

        review = world.tx.reviews.stored[started.review.id]
        assert started.outcome is StartOutcome.QUEUED
        assert review.id == review_id_for("d-1", 1)
        assert review.state is ReviewState.PENDING
        assert [(f.part, f.matched, f.severity) for f in review.findings] == [
            ("body", "加我微信", "warn")
        ]
        assert review.lexicon_version == (await world.deps.checkers.checker()).version
        assert (review.slot_at, review.cutoff_at, review.late) == (
            MONDAY_SLOT,
            MONDAY_CUTOFF,
            False,
        )
        assert world.uow.events == []  # nothing to tell before a decision
        job = world.tx.jobs.jobs[MONDAY_JOB]
        assert (job["kind"], job["due_at"], job["state"]) == (
            "review_overdue",
            MONDAY_CUTOFF,
            "pending",
        )
        assert world.metric("review_submissions_total", {"outcome": "queued"}) == 1
        found = {"category": "spam", "severity": "warn"}
        assert world.metric("review_findings_total", found) == 1

    async def test_a_redelivered_submission_has_no_second_effect(self, world: World) -> None:
        event = submitted()
        await start_review(event, deps=world.deps)

        with pytest.raises(AlreadyProcessed):
            await start_review(event, deps=world.deps)

        assert len(world.tx.reviews.stored) == 1
        assert len(world.tx.jobs.jobs) == 1

    async def test_the_same_revision_sent_again_as_a_new_event_keeps_the_one_review(
        self, world: World
    ) -> None:
        first = await queued(world)

        again = await start_review(submitted(), deps=world.deps)

        assert again.outcome is StartOutcome.SAME_REVISION
        assert again.review.id == first
        assert list(world.tx.reviews.stored) == [first]

    async def test_a_late_submission_moves_to_the_next_open_slot_under_next_slot(self) -> None:
        world = World(now=MONDAY_1030)

        started = await start_review(submitted(at=MONDAY_1030), deps=world.deps)

        review = started.review
        assert started.outcome is StartOutcome.QUEUED
        assert (review.late, review.slot_action, review.slot_at) == (True, "moved", WEDNESDAY_SLOT)
        assert "after the 10:00 deadline of 2026-11-23T11:30+08:00" in review.slot_note
        assert list(world.tx.jobs.jobs) == ["overdue:2026-11-25T11:30+08:00"]
        assert world.metric("review_late_submissions_total", {"action": "moved"}) == 1

    async def test_a_late_submission_is_rejected_at_once_under_reject(self) -> None:
        world = World(now=MONDAY_1030, policy=LatePolicy.REJECT)

        started = await start_review(submitted(at=MONDAY_1030), deps=world.deps)

        assert started.outcome is StartOutcome.REJECTED_LATE
        assert world.stored(started.review.id) is ReviewState.REJECTED
        [event] = world.uow.emitted("draft.rejected")
        assert isinstance(event, DraftRejected)
        assert event.payload.reviewer == "review-service"
        assert "rejected by policy" in event.payload.comments
        [entry] = world.tx.audit.of("review.reject_late")
        assert (entry.actor, entry.target) == ("review-service", started.review.id)
        assert world.tx.jobs.jobs == {}  # nothing left to report overdue
        by_policy = {"decision": "rejected", "how": "policy"}
        assert world.metric("review_decisions_total", by_policy) == 1

    async def test_a_late_submission_kept_past_the_cutoff_is_reported_at_once(self) -> None:
        monday_1110 = MONDAY_CUTOFF + timedelta(minutes=10)
        world = World(now=monday_1110, policy=LatePolicy.KEEP)

        started = await start_review(submitted(at=monday_1110), deps=world.deps)

        assert (started.review.slot_action, started.review.slot_at) == ("kept", MONDAY_SLOT)
        assert world.tx.reviews.stored[started.review.id].overdue_reported_at == monday_1110
        assert world.metric("review_overdue_reported_total") == 1

    async def test_a_newer_revision_supersedes_the_pending_older_one(self, world: World) -> None:
        first = await queued(world, submitted(revision=1))

        second = await queued(world, submitted(snapshot=content(title="修改后的标题"), revision=2))

        older = world.tx.reviews.stored[first]
        assert older.state is ReviewState.SUPERSEDED
        assert older.superseded_by == second
        assert world.stored(second) is ReviewState.PENDING

    async def test_an_older_revision_arriving_late_is_kept_out_of_the_queue(
        self, world: World
    ) -> None:
        newer = await queued(world, submitted(revision=2))

        started = await start_review(submitted(revision=1), deps=world.deps)

        assert started.outcome is StartOutcome.SUPERSEDED_ON_ARRIVAL
        assert world.stored(started.review.id) is ReviewState.SUPERSEDED
        assert world.stored(newer) is ReviewState.PENDING

    async def test_a_failed_start_leaves_nothing_and_the_redelivery_is_processed(
        self, world: World
    ) -> None:
        older = await queued(world, submitted(revision=1))
        world.tx.reviews.fail_insert = RuntimeError("store went away")
        event = submitted(revision=2)

        with pytest.raises(RuntimeError):
            await start_review(event, deps=world.deps)

        assert world.stored(older) is ReviewState.PENDING  # the supersession rolled back
        assert list(world.tx.reviews.stored) == [older]
        world.tx.reviews.fail_insert = None
        started = await start_review(event, deps=world.deps)  # not AlreadyProcessed
        assert started.outcome is StartOutcome.QUEUED
        assert world.stored(older) is ReviewState.SUPERSEDED

    async def test_a_submission_whose_hash_does_not_match_is_poison(self, world: World) -> None:
        good = submitted()
        tampered = good.model_copy(
            update={"payload": good.payload.model_copy(update={"content_hash": "0" * 64})}
        )

        with pytest.raises(PoisonMessage):
            await start_review(tampered, deps=world.deps)

        assert world.tx.reviews.stored == {}


class TestDecisions:
    async def test_an_approval_emits_the_exact_snapshot_hash_and_slot(self, world: World) -> None:
        event = submitted(snapshot=content(WARN))
        review_id = await queued(world, event)
        request = ApprovalRequest(comments="可以发布", content_hash=event.payload.content_hash)

        review = await approve_review(
            ApproveReview(review_id, request), deps=world.deps, actor=RITA
        )

        assert review.state is ReviewState.APPROVED
        assert world.stored(review_id) is ReviewState.APPROVED
        [approved] = world.uow.emitted("draft.approved")
        assert isinstance(approved, DraftApproved)
        payload = approved.payload
        assert (payload.reviewer, payload.content, payload.content_hash) == (
            "rita",
            event.payload.content,
            event.payload.content_hash,
        )
        assert (payload.slot, payload.late, payload.comments) == (MONDAY_SLOT, False, "可以发布")
        [entry] = world.tx.audit.of("review.approve")
        assert (entry.actor, entry.target, entry.details["event_id"]) == (
            "rita",
            review_id,
            str(approved.event_id),
        )

    async def test_the_author_cannot_approve_and_nothing_is_emitted(self, world: World) -> None:
        review_id = await queued(world)

        with pytest.raises(FourEyesViolation):
            await approve(world, review_id, ERIN)

        assert world.stored(review_id) is ReviewState.PENDING
        assert world.uow.events == []
        assert world.tx.audit.entries == []
        assert world.metric("review_four_eyes_refused_total") == 1

    async def test_a_blocking_finding_needs_a_written_override_which_is_audited(
        self, world: World
    ) -> None:
        review_id = await queued(world, submitted(snapshot=content(GAMBLING)))

        with pytest.raises(OverrideRequired):
            await approve(world, review_id, RITA)
        assert world.stored(review_id) is ReviewState.PENDING

        request = ApprovalRequest(override_reason=OVERRIDE_REASON)
        await approve(world, review_id, RITA, request)

        [approved] = world.uow.emitted("draft.approved")
        assert isinstance(approved, DraftApproved)
        assert approved.payload.override_reason == OVERRIDE_REASON
        assert [f.matched for f in approved.payload.overridden_findings] == ["网赌"]
        [override] = world.tx.audit.of("review.override")
        assert override.details["reason"] == OVERRIDE_REASON
        assert [f["matched"] for f in override.details["findings"]] == ["网赌"]
        assert world.metric("review_overrides_total") == 1

    async def test_a_rejection_emits_the_findings_and_a_second_decision_is_refused(
        self, world: World
    ) -> None:
        review_id = await queued(world, submitted(snapshot=content(GAMBLING)))

        await reject_review(RejectReview(review_id, "请删除涉赌内容"), deps=world.deps, actor=RITA)

        [rejected] = world.uow.emitted("draft.rejected")
        assert isinstance(rejected, DraftRejected)
        assert rejected.payload.comments == "请删除涉赌内容"
        assert {f.matched for f in rejected.payload.findings} == {"网赌", "加我微信"}
        assert world.tx.audit.of("review.reject")[0].details["findings"] == 2
        with pytest.raises(ReviewClosed, match="already rejected by rita"):
            await approve(world, review_id, RITA)
        assert len(world.uow.events) == 1

    async def test_a_superseded_review_cannot_be_approved(self, world: World) -> None:
        first = await queued(world, submitted(revision=1))
        await queued(world, submitted(revision=2))

        with pytest.raises(ReviewClosed, match="newer revision superseded it"):
            await approve(world, first, RITA)

        assert world.uow.emitted("draft.approved") == []

    async def test_an_unknown_review_is_not_found(self, world: World) -> None:
        with pytest.raises(ReviewNotFound):
            await reject_review(RejectReview("rv-nope", "no"), deps=world.deps, actor=RITA)

    async def test_an_approval_whose_audit_fails_leaves_the_review_pending_and_emits_nothing(
        self, world: World
    ) -> None:
        review_id = await queued(world)
        world.tx.audit.fail = RuntimeError("audit write failed")

        with pytest.raises(RuntimeError):
            await approve(world, review_id, RITA)

        assert world.stored(review_id) is ReviewState.PENDING
        assert world.uow.events == []
        assert world.uow.rollbacks == 1
        approved = {"decision": "approved", "how": "manual"}
        assert not world.metric("review_decisions_total", approved)


class TestOverdue:
    async def test_the_cutoff_reports_each_pending_review_of_the_slot_once(
        self, world: World
    ) -> None:
        pending = await queued(world, submitted("d-pending"))
        decided = await queued(world, submitted("d-decided"))
        await approve(world, decided, RITA)
        world.clock.set(MONDAY_CUTOFF + timedelta(minutes=1))

        reported = await report_overdue(world.tx.jobs.claim(MONDAY_JOB), deps=world.deps)

        assert [r.id for r in reported] == [pending]
        assert world.tx.reviews.stored[pending].overdue_reported_at == world.clock.now()
        job = world.tx.jobs.jobs[MONDAY_JOB]
        assert (job["state"], job["result"]) == ("done", {"overdue": [pending]})
        assert world.metric("review_overdue_reported_total") == 1
        assert world.metric("review_overdue_pending") == 1
        assert world.metric("review_overdue_slots") == 1

    async def test_a_review_already_reported_is_not_reported_again(self, world: World) -> None:
        review_id = await queued(world)
        world.clock.set(MONDAY_CUTOFF)
        await report_overdue(world.tx.jobs.claim(MONDAY_JOB), deps=world.deps)

        again = await report_overdue(world.tx.jobs.claim(MONDAY_JOB), deps=world.deps)

        assert again == []
        assert world.tx.jobs.jobs[MONDAY_JOB]["result"] == {"overdue": []}
        assert world.metric("review_overdue_reported_total") == 1
        assert world.stored(review_id) is ReviewState.PENDING

    async def test_the_gauges_count_pending_and_overdue(self, world: World) -> None:
        await queued(world, submitted("d-a"))
        await queued(world, submitted("d-b", wished=WEDNESDAY_SLOT))
        world.clock.set(MONDAY_CUTOFF)

        await refresh_gauges(deps=world.deps)

        assert world.metric("review_pending") == 2
        assert world.metric("review_overdue_pending") == 1


class TestLexicon:
    async def test_an_added_term_is_found_by_the_next_check_and_audited(self, world: World) -> None:
        before = await world.deps.checkers.checker()
        change = TermChange(text="蓝鲸计划", category=Category.CONFIDENTIAL, note="项目代号")

        loaded = await add_term(change, deps=world.deps, actor=ROOT)

        assert loaded.revision == 1
        assert loaded.checker.version != before.version
        started = await start_review(
            submitted(snapshot=content("<p>蓝鲸计划将于明年启动。</p>")), deps=world.deps
        )
        assert [(f.matched, f.severity) for f in started.review.findings] == [("蓝鲸计划", "block")]
        [entry] = world.tx.audit.of("lexicon.add")
        assert (entry.actor, entry.target) == ("root", "蓝鲸计划")
        assert entry.details == {
            "action": "add",
            "text": "蓝鲸计划",
            "category": "confidential",
            "severity": "block",
            "note": "项目代号",
            "revision": 1,
        }

    async def test_a_removed_term_no_longer_matches(self, world: World) -> None:
        loaded = await remove_term("网赌", deps=world.deps, actor=ROOT)

        assert not loaded.checker.check("网赌").findings
        assert world.tx.audit.of("lexicon.remove")[0].target == "网赌"

    async def test_bad_changes_are_refused_and_nothing_is_stored(self, world: World) -> None:
        with pytest.raises(InvalidTerm):
            await add_term(
                TermChange("赌", Category.GAMBLING_VIOLENCE), deps=world.deps, actor=ROOT
            )
        with pytest.raises(UnknownTerm):
            await remove_term("从未有过", deps=world.deps, actor=ROOT)

        assert await world.tx.lexicon.revision() == 0
        assert world.tx.audit.entries == []
