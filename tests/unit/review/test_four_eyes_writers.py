"""Four eyes that cannot be walked around: nobody who wrote, rewrote or submitted any
revision of a draft approves it, whatever roles they hold, and an override reason does
not change that; anyone else approves (blocks still need a written reason)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from services.review.domain.deadline import LatePolicy, ReviewCalendar, decide_slot
from services.review.domain.decision import ApprovalRequest, ReviewState
from services.review.domain.findings import check_snapshot
from services.review.domain.review import Review
from services.review.domain.submission import new_review
from services.review.errors import FourEyesViolation, OverrideRequired
from services.review.norms import Lexicon, NormChecker
from services.review.usecases import ApproveReview, StartOutcome, approve_review, start_review
from shared.events import (
    Category,
    ContentSnapshot,
    DraftApproved,
    DraftSubmitted,
)
from shared.settings import Principal, Role
from tests.support.events import draft_submitted
from tests.unit.review.fakes import FakeReviewTx, review_deps

NOW = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # Monday 08:30 in Shanghai
SLOT = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
CHECKER = NormChecker(Lexicon.load())
CLEAN = "<p>今年的个人所得税汇算清缴将于3月1日开始。</p>"
GAMBLING = "<p>网赌平台稳赚不赔，快来下注。</p>"  # promotes it: a block
REASON = "案例报道：原文引用诈骗广告以提醒读者，已与法务确认。"

ZOE = Principal(subject="zoe", roles=frozenset({Role.EDITOR, Role.REVIEWER}))
RITA = Principal(subject="rita", roles=frozenset({Role.REVIEWER}))


def submitted(
    *, body: str = CLEAN, by: str = "ed", writers: tuple[str, ...] = ("ed", "zoe")
) -> DraftSubmitted:
    snapshot = ContentSnapshot(
        title="2026年个税汇算清缴要点",
        category=Category.FINANCE,
        body_html=body,
        author="王编辑",  # a byline that names none of the writers
    )
    return draft_submitted(snapshot, revision=2, by=by, at=NOW, wished=SLOT, writers=writers)


def review_of(event: DraftSubmitted) -> Review:
    check = check_snapshot(CHECKER, event.payload.content)
    calendar = ReviewCalendar()
    slot = decide_slot(calendar, wished=SLOT, arrived=NOW, policy=LatePolicy.NEXT_SLOT)
    return new_review(
        event,
        findings=check.findings,
        lexicon_version=check.lexicon_version,
        body_text=check.body_text,
        slot=slot,
        calendar=calendar,
        now=NOW,
    )


class TestTheRule:
    def test_a_rewriter_cannot_approve_when_someone_else_submitted(self) -> None:
        review = review_of(submitted())

        with pytest.raises(FourEyesViolation, match="zoe wrote or submitted this draft") as no:
            review.approve("zoe", ApprovalRequest(), now=NOW)

        assert no.value.errors == [
            {"field": "reviewer", "message": "wrote, rewrote or submitted a revision of this draft"}
        ]
        assert review.state is ReviewState.PENDING
        assert review.decision is None

    def test_case_does_not_make_another_person(self) -> None:
        review = review_of(submitted())

        with pytest.raises(FourEyesViolation):
            review.approve("ZOE", ApprovalRequest(), now=NOW)

    def test_the_submitter_is_refused_even_if_a_producer_left_them_out_of_writers(
        self,
    ) -> None:
        review = review_of(submitted(by="liu", writers=("ed",)))

        assert review.writers == ["ed", "liu"]
        with pytest.raises(FourEyesViolation):
            review.approve("liu", ApprovalRequest(), now=NOW)

    def test_an_override_reason_does_not_let_a_writer_through(self) -> None:
        review = review_of(submitted(body=GAMBLING))
        assert review.blocking

        with pytest.raises(FourEyesViolation):
            review.approve("zoe", ApprovalRequest(override_reason=REASON), now=NOW)

    def test_another_reviewer_approves_and_blocks_still_need_a_reason(self) -> None:
        review = review_of(submitted(body=GAMBLING))

        with pytest.raises(OverrideRequired):
            review.approve("rita", ApprovalRequest(), now=NOW)
        event = review.approve("rita", ApprovalRequest(override_reason=REASON), now=NOW)

        assert review.state is ReviewState.APPROVED
        assert event.payload.reviewer == "rita"
        assert event.payload.override_reason == REASON

    def test_a_submission_from_before_writers_still_refuses_submitter_and_byline(
        self,
    ) -> None:
        review = review_of(submitted(by="ed", writers=()))

        assert review.writers == []
        for who in ("ed", "王编辑"):
            with pytest.raises(FourEyesViolation):
                review.approve(who, ApprovalRequest(), now=NOW)
        review.approve("zoe", ApprovalRequest(), now=NOW)  # nothing named zoe: allowed
        assert review.state is ReviewState.APPROVED

    def test_the_writers_are_stored_with_the_review(self) -> None:
        review = review_of(submitted())

        again = Review.model_validate(review.to_document())

        assert again.writers == ["ed", "zoe"]
        with pytest.raises(FourEyesViolation):
            again.approve("zoe", ApprovalRequest(), now=NOW)

    def test_a_review_stored_before_writers_existed_reads_as_none_named(self) -> None:
        document = review_of(submitted()).to_document()
        del document["writers"]

        assert Review.model_validate(document).writers == []


class TestTheUseCases:
    async def test_an_editor_and_reviewer_who_rewrote_it_is_refused_and_nothing_happens(
        self,
    ) -> None:
        tx, registry = FakeReviewTx(), CollectorRegistry()
        deps, uow, _ = review_deps(tx, now=NOW, registry=registry)
        started = await start_review(submitted(), deps=deps)
        assert started.outcome is StartOutcome.QUEUED
        review_id = started.review.id
        assert tx.reviews.stored[review_id].writers == ["ed", "zoe"]

        with pytest.raises(FourEyesViolation):
            await approve_review(ApproveReview(review_id, ApprovalRequest()), deps=deps, actor=ZOE)

        assert tx.reviews.stored[review_id].state is ReviewState.PENDING
        assert uow.emitted("draft.approved") == []
        assert tx.audit.of("review.approve") == []
        assert registry.get_sample_value("review_four_eyes_refused_total") == 1

        review = await approve_review(
            ApproveReview(review_id, ApprovalRequest()), deps=deps, actor=RITA
        )

        assert review.state is ReviewState.APPROVED
        [approved] = uow.emitted("draft.approved")
        assert isinstance(approved, DraftApproved)
        assert approved.payload.reviewer == "rita"
