"""The approval rules: four eyes, blocks need a written override, stale revisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.review.domain.deadline import LatePolicy, ReviewCalendar, decide_slot
from services.review.domain.decision import ApprovalRequest, ReviewState
from services.review.domain.findings import Part, ReviewFinding, check_snapshot
from services.review.domain.review import Review
from services.review.domain.submission import new_review, review_id_for
from services.review.errors import (
    ContentChanged,
    FourEyesViolation,
    OverrideRequired,
    ReviewClosed,
)
from services.review.norms import Lexicon, NormChecker
from shared.events import (
    Category,
    ContentSnapshot,
    DraftSubmitted,
)
from tests.support.events import draft_submitted

CAL = ReviewCalendar()
NOW = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # Monday 08:30 in Shanghai
MONDAY_SLOT = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
CHECKER = NormChecker(Lexicon.load(), confidential_terms=["蓝鲸计划"])


def snapshot(
    body: str = "<p>今年的个人所得税汇算清缴将于3月1日开始。</p>", **kw: str
) -> ContentSnapshot:
    fields = {
        "title": "2026年个税汇算清缴要点",
        "category": Category.FINANCE,
        "digest": "三分钟看懂今年的汇算清缴。",
        "body_html": body,
        "author": "erin",
        **kw,
    }
    return ContentSnapshot.model_validate(fields)


def submitted(
    content: ContentSnapshot, *, revision: int = 1, by: str = "erin", draft: str = "d-1"
) -> DraftSubmitted:
    return draft_submitted(
        content, draft_id=draft, revision=revision, by=by, at=NOW, wished=MONDAY_SLOT
    )


def review_of(event: DraftSubmitted, *, arrived: datetime = NOW) -> Review:
    check = check_snapshot(CHECKER, event.payload.content)
    slot = decide_slot(
        CAL, wished=event.payload.wished_slot, arrived=arrived, policy=LatePolicy.NEXT_SLOT
    )
    return new_review(
        event,
        findings=check.findings,
        lexicon_version=check.lexicon_version,
        body_text=check.body_text,
        slot=slot,
        calendar=CAL,
        now=arrived,
    )


CLEAN = review_of(submitted(snapshot()))
GAMBLING_BODY = "<p>近期网赌平台频繁更换域名。</p><p>如有疑问请加我微信。</p>"


class TestChecking:
    def test_findings_name_the_part_and_offsets_into_that_parts_text(self) -> None:
        review = review_of(submitted(snapshot(GAMBLING_BODY, title="蓝鲸计划发布会")))

        parts = {(f.part, f.matched, f.severity) for f in review.findings}
        assert (Part.TITLE, "蓝鲸计划", "block") in parts
        assert (Part.BODY, "网赌", "block") in parts
        assert (Part.BODY, "加我微信", "warn") in parts
        for finding in review.findings:
            text = review.title if finding.part is Part.TITLE else review.body_text
            assert text[finding.start : finding.end] == finding.matched
        assert review.blocking
        assert review.lexicon_version == CHECKER.version

    def test_a_clean_draft_has_no_findings_and_is_on_time_for_its_slot(self) -> None:
        assert CLEAN.findings == []
        assert not CLEAN.blocking
        assert CLEAN.slot_at == MONDAY_SLOT
        assert not CLEAN.late
        assert CLEAN.state is ReviewState.PENDING


class TestFourEyes:
    def test_author_cannot_approve_own_draft(self) -> None:
        review = CLEAN.model_copy(deep=True)

        with pytest.raises(FourEyesViolation, match="another reviewer must approve"):
            review.approve("erin", ApprovalRequest(), now=NOW)
        assert review.state is ReviewState.PENDING

    def test_the_submitter_cannot_approve_either_whoever_the_author_is(self) -> None:
        review = review_of(submitted(snapshot(author="王编辑"), by="ed"))

        with pytest.raises(FourEyesViolation):
            review.approve("ed", ApprovalRequest(), now=NOW)

    def test_another_reviewer_approves_and_the_event_carries_snapshot_hash_and_slot(self) -> None:
        review = CLEAN.model_copy(deep=True)

        event = review.approve("rita", ApprovalRequest(comments="好"), now=NOW)

        approved = event.payload
        assert review.state is ReviewState.APPROVED
        assert approved.content == snapshot()
        assert approved.content_hash == snapshot().content_hash()
        assert approved.slot == MONDAY_SLOT
        assert approved.late is False
        assert approved.review_id == review_id_for("d-1", 1)
        assert approved.reviewer == "rita"
        assert approved.comments == "好"
        assert approved.overridden_findings == ()
        assert event.correlation_id == "d-1"
        assert review.decision is not None
        assert review.decision.event_id == str(event.event_id)


class TestBlockingFindings:
    def test_a_block_finding_prevents_approval_without_a_reason(self) -> None:
        review = review_of(submitted(snapshot(GAMBLING_BODY)))

        with pytest.raises(OverrideRequired) as refused:
            review.approve("rita", ApprovalRequest(), now=NOW)

        assert "「网赌」" in refused.value.detail
        assert "override_reason" in refused.value.detail
        fields = [e["field"] for e in refused.value.errors]
        assert fields[0] == "override_reason"
        assert any(f.startswith("findings[") for f in fields)
        assert review.state is ReviewState.PENDING

    def test_a_token_reason_is_not_a_reason(self) -> None:
        review = review_of(submitted(snapshot(GAMBLING_BODY)))

        with pytest.raises(OverrideRequired):
            review.approve("rita", ApprovalRequest(override_reason="  ok "), now=NOW)

    def test_block_override_with_reason_is_carried_on_the_approval(self) -> None:
        review = review_of(submitted(snapshot(GAMBLING_BODY)))
        reason = "反诈宣传文章，提及网赌是为了提醒读者防范。"

        event = review.approve("rita", ApprovalRequest(override_reason=reason), now=NOW)

        assert event.payload.override_reason == reason
        overridden = event.payload.overridden_findings
        assert [f.matched for f in overridden] == ["网赌"]  # only the blocking one
        assert overridden[0].explanation.startswith("[body] ")
        assert review.decision is not None
        assert review.decision.override_reason == reason
        assert "overrode 1 blocking finding" in review.history[-1].note

    def test_warnings_alone_do_not_need_an_override(self) -> None:
        review = review_of(submitted(snapshot("<p>如有疑问请加我微信。</p>")))

        event = review.approve("rita", ApprovalRequest(override_reason="unused"), now=NOW)

        assert event.payload.override_reason is None
        assert event.payload.overridden_findings == ()


class TestStaleRevision:
    def test_a_superseded_revision_cannot_be_approved(self) -> None:
        old = review_of(submitted(snapshot(), revision=1))
        new = review_of(submitted(snapshot(title="新标题"), revision=2))
        old.supersede(new, now=NOW)

        with pytest.raises(ReviewClosed, match="newer revision superseded it"):
            old.approve("rita", ApprovalRequest(), now=NOW)
        assert old.superseded_by == new.id

    def test_an_approval_of_other_content_than_the_review_holds_is_refused(self) -> None:
        review = CLEAN.model_copy(deep=True)

        with pytest.raises(ContentChanged):
            review.approve("rita", ApprovalRequest(content_hash="0" * 64), now=NOW)
        with pytest.raises(ContentChanged):
            review.approve("rita", ApprovalRequest(revision=2), now=NOW)
        review.approve("rita", ApprovalRequest(content_hash=CLEAN.content_hash), now=NOW)

    def test_a_decided_review_cannot_be_decided_again(self) -> None:
        review = CLEAN.model_copy(deep=True)
        review.approve("rita", ApprovalRequest(), now=NOW)

        with pytest.raises(ReviewClosed, match="already approved by rita"):
            review.reject("rita", "改主意了", now=NOW + timedelta(minutes=1))

    def test_each_revision_has_its_own_review_id(self) -> None:
        assert review_id_for("d-1", 1) != review_id_for("d-1", 2)
        assert review_id_for("d-1", 1) == review_id_for("d-1", 1)
        assert len(review_id_for("d" * 64, 10**9)) <= 64


class TestRejection:
    def test_rejection_carries_all_findings_and_the_comments(self) -> None:
        review = review_of(submitted(snapshot(GAMBLING_BODY)))

        event = review.reject("rita", "请删除网赌相关内容", now=NOW)

        assert review.state is ReviewState.REJECTED
        assert event.payload.comments == "请删除网赌相关内容"
        assert {f.matched for f in event.payload.findings} == {"网赌", "加我微信"}

    def test_the_author_may_reject_their_own_draft(self) -> None:
        review = CLEAN.model_copy(deep=True)

        review.reject("erin", "撤回", now=NOW)

        assert review.state is ReviewState.REJECTED


def test_a_late_review_records_the_move_and_carries_late_on_approval() -> None:
    late_arrival = datetime(2026, 11, 23, 2, 10, tzinfo=UTC)  # 10:10 in Shanghai
    review = review_of(submitted(snapshot()), arrived=late_arrival)

    event = review.approve("rita", ApprovalRequest(), now=late_arrival)

    assert review.late
    assert event.payload.late is True
    assert event.payload.slot == datetime(2026, 11, 25, 3, 30, tzinfo=UTC)  # Wednesday


def test_findings_roundtrip_through_the_stored_document() -> None:
    review = review_of(submitted(snapshot(GAMBLING_BODY)))

    again = Review.model_validate(review.to_document())

    assert again == review
    assert isinstance(again.findings[0], ReviewFinding)
