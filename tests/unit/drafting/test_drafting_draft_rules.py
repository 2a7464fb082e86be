"""The draft aggregate: revisions, submitting, and facts from review and the publisher."""

from __future__ import annotations

from datetime import datetime

import pytest
from drafting_support import (
    SLOT,
    approval_for,
    at,
    content,
    failure,
    new_draft,
    publication_for,
    rejection_for,
    submitted_draft,
)

from services.drafting.domain.content import build_snapshot
from services.drafting.domain.draft import may_edit
from services.drafting.domain.facts import FactOutcome
from services.drafting.domain.states import DraftState
from services.drafting.errors import TransitionRefused
from shared.events import DraftSubmitted, FindingRef
from shared.settings import Role


class TestEditing:
    def test_a_new_draft_is_editing_at_revision_one(self) -> None:
        draft = new_draft()

        assert (draft.state, draft.revision) == (DraftState.EDITING, 1)
        assert draft.history[0].note == "created"

    def test_every_edit_is_a_new_revision_naming_what_changed(self) -> None:
        draft = new_draft()

        changed = draft.edit(
            content(title="新标题", digest="新摘要"), wished_slot=SLOT, by="ed", at=at(1)
        )

        assert changed == ["title", "digest"]
        assert draft.revision == 2
        assert draft.updated_by == "ed"

    def test_an_edit_that_changes_nothing_makes_no_revision(self) -> None:
        draft = new_draft()

        assert draft.edit(content(), wished_slot=SLOT, by="ed", at=at(1)) == []
        assert draft.revision == 1
        assert len(draft.history) == 1

    def test_changing_only_the_wished_slot_is_a_revision(self) -> None:
        draft = new_draft()

        assert draft.edit(content(), wished_slot=None, by="ed", at=at(1)) == ["wished_slot"]

    @pytest.mark.parametrize("slot", [SLOT, None])
    def test_editing_an_approved_or_scheduled_draft_needs_a_new_review(
        self, slot: datetime | None
    ) -> None:
        draft = submitted_draft()
        draft.record_approval(approval_for(draft, slot=slot), at=at(6))
        before = draft.state

        draft.edit(content(title="改过的标题"), wished_slot=SLOT, by="erin", at=at(7))

        assert before in {DraftState.APPROVED, DraftState.SCHEDULED}
        assert draft.state is DraftState.EDITING
        assert draft.scheduled_slot is None
        assert draft.current_submission() is None
        assert draft.notices[-1].kind == "review_needed"

    def test_a_published_draft_cannot_be_edited(self) -> None:
        draft = submitted_draft()
        draft.record_publication(publication_for(draft), at=at(9))

        with pytest.raises(TransitionRefused):
            draft.edit(content(title="改"), wished_slot=SLOT, by="erin", at=at(10))
        assert draft.revision == 1

    def test_editors_and_the_creator_may_edit_others_may_not(self) -> None:
        assert may_edit(creator="erin", subject="ed", roles=frozenset({Role.EDITOR}))
        assert may_edit(creator="erin", subject="root", roles=frozenset({Role.ADMIN}))
        assert may_edit(creator="rita", subject="rita", roles=frozenset({Role.REVIEWER}))
        assert not may_edit(creator="erin", subject="rita", roles=frozenset({Role.REVIEWER}))
        assert not may_edit(creator="erin", subject="liu", roles=frozenset({Role.DIRECTOR}))


class TestSubmitting:
    def test_submitting_records_one_draft_submitted_with_the_snapshot_hash(self) -> None:
        draft = new_draft()
        snapshot = build_snapshot(draft.content, {})

        submission, created = draft.submit(snapshot, by="erin", at=at(1))
        events = draft.collect_events()

        assert created
        assert draft.state is DraftState.SUBMITTED
        assert len(events) == 1
        event = events[0]
        assert isinstance(event, DraftSubmitted)
        assert event.payload.content_hash == snapshot.content_hash() == submission.content_hash
        assert event.payload.revision == 1
        assert event.payload.wished_slot == SLOT
        assert event.correlation_id == "d-1"
        assert submission.event_id == str(event.event_id)

    def test_submitting_the_same_revision_twice_returns_the_first_submission(self) -> None:
        draft = new_draft()
        snapshot = build_snapshot(draft.content, {})
        first, _ = draft.submit(snapshot, by="erin", at=at(1))
        draft.collect_events()

        again, created = draft.submit(snapshot, by="ed", at=at(2))

        assert not created
        assert again == first
        assert draft.collect_events() == []

    def test_a_rejected_revision_is_not_submitted_again(self) -> None:
        draft = submitted_draft()
        draft.record_rejection(rejection_for(draft), at=at(6))

        with pytest.raises(TransitionRefused):
            draft.submit(build_snapshot(draft.content, {}), by="erin", at=at(7))

    def test_after_a_rejection_an_edit_can_be_submitted(self) -> None:
        draft = submitted_draft()
        draft.record_rejection(rejection_for(draft), at=at(6))
        draft.edit(content(body_html="<p>改正后的正文</p>"), wished_slot=SLOT, by="erin", at=at(7))

        submission, created = draft.submit(build_snapshot(draft.content, {}), by="erin", at=at(8))

        assert created
        assert submission.revision == 2


class TestReviewDecisions:
    def test_an_approval_with_a_slot_schedules_the_draft(self) -> None:
        draft = submitted_draft()

        outcome = draft.record_approval(approval_for(draft), at=at(6))

        assert outcome is FactOutcome.APPLIED
        assert draft.state is DraftState.SCHEDULED
        assert draft.scheduled_slot == SLOT
        assert [t.to_state for t in draft.history[-2:]] == [
            DraftState.APPROVED,
            DraftState.SCHEDULED,
        ]

    def test_an_approval_without_a_slot_leaves_the_draft_approved(self) -> None:
        draft = submitted_draft()

        draft.record_approval(approval_for(draft, slot=None), at=at(6))

        assert draft.state is DraftState.APPROVED

    def test_the_same_approval_twice_has_one_effect(self) -> None:
        draft = submitted_draft()
        approval = approval_for(draft)
        draft.record_approval(approval, at=at(6))
        steps = len(draft.history)

        assert draft.record_approval(approval, at=at(7)) is FactOutcome.DUPLICATE
        assert len(draft.history) == steps

    def test_an_approval_of_an_older_revision_does_not_approve_the_current_one(self) -> None:
        draft = submitted_draft()
        old_approval = approval_for(draft)
        draft.edit(content(title="第二版"), wished_slot=SLOT, by="erin", at=at(3))
        draft.submit(build_snapshot(draft.content, {}), by="erin", at=at(4))

        outcome = draft.record_approval(old_approval, at=at(6))

        assert outcome is FactOutcome.STALE
        assert draft.state is DraftState.SUBMITTED
        assert draft.approval is None
        assert draft.notices[-1].kind == "stale_approval"
        assert draft.notices[-1].revision == 1

    def test_an_approval_of_other_content_is_not_applied(self) -> None:
        draft = submitted_draft()

        outcome = draft.record_approval(approval_for(draft, content_hash="0" * 64), at=at(6))

        assert outcome is FactOutcome.STALE
        assert draft.state is DraftState.SUBMITTED

    def test_a_rejection_sends_the_revision_back_with_its_findings(self) -> None:
        draft = submitted_draft()
        finding = FindingRef(
            category="gambling", rule_id="g-1", severity="block", matched="赌", start=3, end=4
        )

        outcome = draft.record_rejection(
            rejection_for(draft, findings=(finding,), comments="请删除"), at=at(6)
        )

        assert outcome is FactOutcome.APPLIED
        assert draft.state is DraftState.REJECTED
        assert draft.rejection is not None
        assert draft.rejection.findings == (finding,)

    def test_a_rejection_after_an_approval_is_recorded_but_the_approval_stands(self) -> None:
        draft = submitted_draft()
        draft.record_approval(approval_for(draft), at=at(6))

        outcome = draft.record_rejection(rejection_for(draft, review_id="r-2"), at=at(7))

        assert outcome is FactOutcome.RECORDED
        assert draft.state is DraftState.SCHEDULED

    def test_an_approval_after_a_rejection_of_the_same_revision_counts(self) -> None:
        draft = submitted_draft()
        draft.record_rejection(rejection_for(draft), at=at(6))

        outcome = draft.record_approval(approval_for(draft, review_id="r-2"), at=at(7))

        assert outcome is FactOutcome.APPLIED
        assert draft.state is DraftState.SCHEDULED

    def test_a_rejection_of_an_older_revision_is_kept_as_a_notice(self) -> None:
        draft = submitted_draft()
        old = rejection_for(draft)
        draft.edit(content(title="第二版"), wished_slot=SLOT, by="erin", at=at(3))

        assert draft.record_rejection(old, at=at(6)) is FactOutcome.STALE
        assert draft.state is DraftState.EDITING


class TestPublishing:
    def test_publication_of_the_scheduled_revision_ends_published(self) -> None:
        draft = submitted_draft()
        draft.record_approval(approval_for(draft), at=at(6))

        assert draft.record_publication(publication_for(draft), at=at(9)) is FactOutcome.APPLIED
        assert draft.state is DraftState.PUBLISHED
        assert draft.publication is not None
        assert draft.publication.url == "https://mp.weixin.qq.com/s/abc"

    def test_publication_before_the_approval_still_ends_published(self) -> None:
        draft = submitted_draft()
        approval = approval_for(draft)

        draft.record_publication(publication_for(draft), at=at(6))
        outcome = draft.record_approval(approval, at=at(7))

        assert outcome is FactOutcome.RECORDED
        assert draft.state is DraftState.PUBLISHED
        assert draft.approval == approval

    def test_a_failure_before_the_approval_still_ends_failed(self) -> None:
        draft = submitted_draft()

        draft.record_failure(failure(), at=at(6))
        draft.record_approval(approval_for(draft), at=at(7))

        assert draft.state is DraftState.FAILED

    def test_a_failure_of_a_scheduled_draft_needs_a_person(self) -> None:
        draft = submitted_draft()
        draft.record_approval(approval_for(draft), at=at(6))

        assert draft.record_failure(failure(), at=at(9)) is FactOutcome.APPLIED
        assert draft.state is DraftState.FAILED
        assert draft.failure is not None
        assert draft.failure.needs_person

    def test_an_unknown_outcome_reconciled_as_published_ends_published(self) -> None:
        draft = submitted_draft()
        draft.record_approval(approval_for(draft), at=at(6))
        draft.record_failure(failure(code="outcome_unknown"), at=at(9))

        draft.record_publication(publication_for(draft), at=at(10))

        assert draft.state is DraftState.PUBLISHED

    def test_a_failure_after_publication_does_not_unpublish(self) -> None:
        draft = submitted_draft()
        draft.record_publication(publication_for(draft), at=at(9))

        assert draft.record_failure(failure(), at=at(10)) is FactOutcome.RECORDED
        assert draft.state is DraftState.PUBLISHED

    def test_a_failure_of_an_earlier_approved_revision_does_not_fail_the_new_submission(
        self,
    ) -> None:
        draft = submitted_draft()
        draft.record_approval(approval_for(draft), at=at(6))
        draft.edit(content(title="第二版"), wished_slot=SLOT, by="erin", at=at(7))
        draft.submit(build_snapshot(draft.content, {}), by="erin", at=at(8))

        assert draft.record_failure(failure(), at=at(9)) is FactOutcome.RECORDED
        assert draft.state is DraftState.SUBMITTED

    def test_the_cancelled_post_of_a_superseded_revision_leaves_the_approved_one_alone(
        self,
    ) -> None:
        """r1 scheduled, r2 approved: the publisher retires r1 with post.failed (cancelled),
        which may arrive after draft.approved of r2; r2 stays scheduled."""
        draft = submitted_draft()
        draft.record_approval(approval_for(draft), at=at(6))
        draft.edit(content(title="第二版"), wished_slot=SLOT, by="erin", at=at(7))
        draft.submit(build_snapshot(draft.content, {}), by="erin", at=at(8))
        draft.record_approval(approval_for(draft, review_id="r-2"), at=at(9))
        assert draft.state is DraftState.SCHEDULED  # r2 has its slot
        retired = failure(code="cancelled", needs_person=False, revision=1)

        assert draft.record_failure(retired, at=at(10)) is FactOutcome.RECORDED
        assert draft.state is DraftState.SCHEDULED
        assert draft.notices[-1].kind == "failure_recorded"
        # the failure of the approved revision itself still fails it
        assert draft.record_failure(failure(revision=2), at=at(11)) is FactOutcome.APPLIED
        assert draft.state is DraftState.FAILED

    def test_publication_of_an_earlier_revision_leaves_the_new_one_editing(self) -> None:
        draft = submitted_draft()
        draft.record_approval(approval_for(draft), at=at(6))
        publication = publication_for(draft)
        draft.edit(content(title="第二版"), wished_slot=SLOT, by="erin", at=at(7))

        assert draft.record_publication(publication, at=at(9)) is FactOutcome.RECORDED
        assert draft.state is DraftState.EDITING
        assert draft.notices[-1].kind == "earlier_revision_published"

    def test_the_same_publication_twice_has_one_effect(self) -> None:
        draft = submitted_draft()
        publication = publication_for(draft)
        draft.record_publication(publication, at=at(9))

        assert draft.record_publication(publication, at=at(10)) is FactOutcome.DUPLICATE
