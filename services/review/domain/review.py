"""A review and its rules: pure and synchronous; the use cases load, call and save.

::

    pending ──approve──► approved        (four eyes; blocks need a written override)
       │  └───reject───► rejected        (also at once, by REVIEW_LATE_POLICY=reject)
       └──a newer revision arrives──► superseded

One review per draft revision (``review_id_for``). A review holds the exact snapshot and
content hash drafting submitted; an approval carries both, so what is published is what
was reviewed. A change to the draft is a new revision, hence a new review that supersedes
the pending one: a superseded review can no longer be approved. Decisions return the
event to write to the outbox in the same transaction as the state change.

Four eyes: nobody whom the submission names among its ``writers`` (everyone who wrote,
rewrote or submitted any revision of the draft), nor its submitter, nor the byline may
approve it, whatever roles they hold (an editor who is also a reviewer included). It is
checked before anything else, so no override reason lets a writer through.

The state, the decision, the history entries and the approval request are values of
:mod:`.decision`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.review.domain.deadline import SlotAction
from services.review.domain.decision import (
    ApprovalRequest,
    Decision,
    HistoryEntry,
    ReviewState,
)
from services.review.domain.findings import ReviewFinding
from services.review.errors import (
    ContentChanged,
    FourEyesViolation,
    OverrideRequired,
    ReviewClosed,
)
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import (
    ContentSnapshot,
    DraftApproved,
    DraftApprovedPayload,
    DraftRejected,
    DraftRejectedPayload,
)

__all__ = ["MIN_OVERRIDE_REASON", "PRODUCER", "Review", "ReviewLine"]

PRODUCER = "review"
MIN_OVERRIDE_REASON = 5  # characters; "ok" is not a reason


class ReviewLine(BaseModel):
    """What the queue lists of a review: the light fields (no content, no findings)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    id: str = Field(alias="_id")
    account: str = Field(
        default=DEFAULT_ACCOUNT,
        description="The official account the draft belongs to (draft.submitted's; #12).",
    )
    draft_id: str
    revision: int = Field(ge=1)
    title: str
    category: str
    submitted_by: str
    submitted_at: AwareDatetime
    slot_at: AwareDatetime
    slot_key: str
    deadline_at: AwareDatetime
    cutoff_at: AwareDatetime
    late: bool = False
    slot_action: SlotAction = SlotAction.ON_TIME
    slot_note: str = ""
    lexicon_version: str
    blocking: bool = False
    block_findings: int = 0
    warn_findings: int = 0
    state: ReviewState = ReviewState.PENDING
    overdue_reported_at: AwareDatetime | None = None


class Review(ReviewLine):
    """A draft revision under review: snapshot, findings, slot, deadline, decision."""

    correlation_id: str
    submitted_event_id: str
    content: dict[str, Any] = Field(description="The ContentSnapshot, as JSON.")
    content_hash: str
    author: str
    body_text: str = Field(description="The checked body text; body offsets refer to it.")
    received_at: AwareDatetime
    wished_slot: AwareDatetime | None = None
    requested_slot: AwareDatetime | None = None
    writers: list[str] = Field(
        default_factory=list,
        description="Everyone who wrote, rewrote or submitted any revision of the draft, as "
        "draft.submitted named them (empty from producers before v1.1).",
    )
    findings: list[ReviewFinding] = Field(default_factory=list)
    decision: Decision | None = None
    superseded_by: str | None = None
    history: list[HistoryEntry] = Field(default_factory=list)

    # -- reading ------------------------------------------------------------------------
    def snapshot(self) -> ContentSnapshot:
        """The exact content submitted (and approved, if it is)."""
        return ContentSnapshot.model_validate(self.content)

    @property
    def blocking_findings(self) -> list[ReviewFinding]:
        return [f for f in self.findings if f.blocking]

    def to_document(self) -> dict[str, Any]:
        """The Mongo document (datetimes stay datetimes)."""
        return self.model_dump(by_alias=True, mode="python")

    # -- rules --------------------------------------------------------------------------
    def _require_pending(self, verb: str) -> None:
        if self.state is ReviewState.PENDING:
            return
        if self.state is ReviewState.SUPERSEDED:
            raise ReviewClosed(
                f"cannot {verb} revision {self.revision} of draft {self.draft_id}: a newer "
                f"revision superseded it (review {self.superseded_by}); review that one",
                errors=[{"field": "review_id", "message": "superseded by a newer revision"}],
            )
        decided = self.decision
        who = f" by {decided.by} at {decided.at.isoformat()}" if decided else ""
        raise ReviewClosed(
            f"cannot {verb} review {self.id}: it was already {self.state}{who}",
            errors=[{"field": "review_id", "message": f"already {self.state}"}],
        )

    def excluded_reviewers(self) -> set[str]:
        """Who may not approve (casefolded): every writer drafting named, the submitter
        and the byline (all that a submission from before v1.1 tells)."""
        return {w.casefold() for w in (*self.writers, self.submitted_by, self.author)}

    def check_four_eyes(self, reviewer: str) -> None:
        """Refuse an approval by anyone who wrote, rewrote or submitted any revision of the
        draft, or whose name is its byline, whatever roles they hold."""
        if reviewer.casefold() in self.excluded_reviewers():
            raise FourEyesViolation(
                f"{reviewer} wrote or submitted this draft (revision {self.revision} of "
                f"{self.draft_id}); another reviewer must approve it",
                errors=[
                    {
                        "field": "reviewer",
                        "message": "wrote, rewrote or submitted a revision of this draft",
                    }
                ],
            )

    def approve(self, reviewer: str, request: ApprovalRequest, *, now: datetime) -> DraftApproved:
        """Approve; returns ``draft.approved`` to emit. Raises a ``ReviewError`` subclass."""
        self._require_pending("approve")
        self.check_four_eyes(reviewer)
        if request.content_hash is not None and request.content_hash != self.content_hash:
            raise ContentChanged(
                f"you approved content {request.content_hash[:12]}…, but the review holds "
                f"{self.content_hash[:12]}… (revision {self.revision}); reload and look again",
                errors=[{"field": "content_hash", "message": "does not match the review"}],
            )
        if request.revision is not None and request.revision != self.revision:
            raise ContentChanged(
                f"you approved revision {request.revision}, this review is of revision "
                f"{self.revision}",
                errors=[{"field": "revision", "message": "does not match the review"}],
            )
        blocking = self.blocking_findings
        reason = (request.override_reason or "").strip()
        if blocking and len(reason) < MIN_OVERRIDE_REASON:
            listed = "; ".join(f.describe() for f in blocking)
            raise OverrideRequired(
                f"{len(blocking)} blocking finding(s) stop approval: {listed}. Rewrite the "
                f"draft, or approve with an override_reason (at least {MIN_OVERRIDE_REASON} "
                "characters) saying why it may be published anyway",
                errors=[
                    {"field": "override_reason", "message": "required to override blocks"},
                    *(
                        {"field": f"findings[{i}]", "message": f.describe()}
                        for i, f in enumerate(self.findings)
                        if f.blocking
                    ),
                ],
            )
        event = DraftApproved(
            producer=PRODUCER,
            account=self.account,
            correlation_id=self.correlation_id,
            occurred_at=now,
            payload=DraftApprovedPayload(
                draft_id=self.draft_id,
                revision=self.revision,
                review_id=self.id,
                reviewer=reviewer,
                approved_at=now,
                content=self.snapshot(),
                content_hash=self.content_hash,
                slot=self.slot_at,
                late=self.late,
                overridden_findings=tuple(f.ref() for f in blocking),
                override_reason=reason if blocking else None,
                comments=request.comments,
            ),
        )
        self.state = ReviewState.APPROVED
        self.decision = Decision(
            outcome=ReviewState.APPROVED,
            by=reviewer,
            at=now,
            comments=request.comments,
            override_reason=reason if blocking else None,
            overridden=blocking,
            event_id=str(event.event_id),
        )
        note = f"overrode {len(blocking)} blocking finding(s): {reason}" if blocking else ""
        self.record_step(now, "approved", reviewer, note)
        return event

    def reject(
        self, reviewer: str, comments: str, *, now: datetime, automatic: bool = False
    ) -> DraftRejected:
        """Reject with comments; returns ``draft.rejected`` (with the findings) to emit."""
        self._require_pending("reject")
        event = DraftRejected(
            producer=PRODUCER,
            account=self.account,
            correlation_id=self.correlation_id,
            occurred_at=now,
            payload=DraftRejectedPayload(
                draft_id=self.draft_id,
                revision=self.revision,
                review_id=self.id,
                reviewer=reviewer,
                rejected_at=now,
                findings=tuple(f.ref() for f in self.findings),
                comments=comments,
            ),
        )
        self.state = ReviewState.REJECTED
        self.decision = Decision(
            outcome=ReviewState.REJECTED,
            by=reviewer,
            at=now,
            comments=comments,
            automatic=automatic,
            event_id=str(event.event_id),
        )
        self.record_step(now, "rejected", reviewer, comments[:200])
        return event

    def supersede(self, newer: Review, *, now: datetime) -> None:
        """A newer revision of the draft replaces this pending review."""
        self._require_pending("supersede")
        self.state = ReviewState.SUPERSEDED
        self.superseded_by = newer.id
        self.record_step(now, "superseded", newer.submitted_by, f"by revision {newer.revision}")

    def record_step(self, at: datetime, action: str, by: str, note: str = "") -> None:
        """Append a step to the review's history."""
        self.history.append(HistoryEntry(at=at, action=action, by=by, note=note))
