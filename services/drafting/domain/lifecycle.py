"""What happens to a draft once it is submitted: the facts that come back from review and
the publisher, the state they move it to (:mod:`.states`) and the notices kept for the
editors. :class:`~.draft.Draft` extends it with the content and the editing. Pure.

Facts from other services may arrive late, twice or out of order; the rules are:

* a decision (approval, rejection) counts only for the **current** revision and the
  content hash drafting submitted; anything older is kept as a notice, never applied;
* the publisher acts on approvals, so drafting mirrors it: an approval counts even after
  a rejection of the same revision; a rejection after an approval is only recorded;
* ``post.published`` whose content hash is the current submission's wins from any state
  but ``editing`` (so a publication that overtook its approval still ends ``published``);
  a later approval or failure is recorded without moving the draft back;
* ``post.failed`` carries no revision: it fails a draft that is approved or scheduled,
  or submitted when no approval of another revision exists (it overtook its approval).

The publisher emits no "scheduled" event: an approval naming a slot is what schedules
the draft (``approved`` then ``scheduled`` in one step); one without a slot stays
``approved``.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from services.drafting.domain.facts import (
    Approval,
    FactOutcome,
    Failure,
    Publication,
    Rejection,
    Submission,
)
from services.drafting.domain.states import TRANSITIONS, Action, DraftState, Transition, next_state

__all__ = ["MAX_NOTICES", "DraftLifecycle", "Notice"]

MAX_NOTICES = 50


class Notice(BaseModel):
    """A fact that arrived but did not change the state, kept for the editors."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    at: datetime
    kind: str
    revision: int
    message: str


class DraftLifecycle(BaseModel):
    """A draft's state, current revision, the facts known about it and its history."""

    model_config = ConfigDict(extra="ignore")

    state: DraftState = DraftState.EDITING
    revision: int = Field(default=1, ge=1)
    scheduled_slot: datetime | None = None
    submission: Submission | None = None
    approval: Approval | None = None
    rejection: Rejection | None = None
    publication: Publication | None = None
    failure: Failure | None = None
    history: list[Transition] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)

    def current_submission(self) -> Submission | None:
        """The submission of the current revision, if it was submitted."""
        if self.submission is not None and self.submission.revision == self.revision:
            return self.submission
        return None

    # -- facts from review and the publisher ------------------------------------------
    def record_approval(self, approval: Approval, *, at: datetime) -> FactOutcome:
        """Apply ``draft.approved`` by the rules in the module docstring."""
        if approval == self.approval:
            return FactOutcome.DUPLICATE
        if not self._is_current(approval.revision, approval.content_hash):
            self._notice(
                at,
                "stale_approval",
                f"an approval of revision {approval.revision} arrived while the draft is at "
                f"revision {self.revision}; the publisher may still publish revision "
                f"{approval.revision}",
                revision=approval.revision,
            )
            return FactOutcome.STALE
        self.approval = approval
        by = approval.reviewer
        if self.state in (DraftState.SUBMITTED, DraftState.REJECTED):
            self._move(Action.APPROVE, by=by, at=at, note=f"review {approval.review_id}")
            if approval.slot is not None:
                self.scheduled_slot = approval.slot
                self._move(Action.SCHEDULE, by=by, at=at, note=approval.slot.isoformat())
            return FactOutcome.APPLIED
        if self.state is DraftState.APPROVED and approval.slot is not None:
            self.scheduled_slot = approval.slot
            self._move(Action.SCHEDULE, by=by, at=at, note=approval.slot.isoformat())
            return FactOutcome.APPLIED
        if self.state is DraftState.SCHEDULED and approval.slot is not None:
            self.scheduled_slot = approval.slot
        return FactOutcome.RECORDED

    def record_rejection(self, rejection: Rejection, *, at: datetime) -> FactOutcome:
        """Apply ``draft.rejected``: only a submitted current revision goes to ``rejected``."""
        if rejection == self.rejection:
            return FactOutcome.DUPLICATE
        if not self._is_current(rejection.revision, None):
            self._notice(
                at,
                "stale_rejection",
                f"a rejection of revision {rejection.revision} arrived while the draft is at "
                f"revision {self.revision}",
                revision=rejection.revision,
            )
            return FactOutcome.STALE
        self.rejection = rejection
        if self.state is DraftState.SUBMITTED:
            self._move(
                Action.REJECT,
                by=rejection.reviewer,
                at=at,
                note=f"review {rejection.review_id}: {len(rejection.findings)} finding(s)",
            )
            return FactOutcome.APPLIED
        if self.state is not DraftState.REJECTED:
            self._notice(
                at,
                "rejection_after_approval",
                f"a rejection of revision {rejection.revision} arrived in state {self.state}; "
                "the approval stands",
            )
        return FactOutcome.RECORDED

    def record_publication(self, publication: Publication, *, at: datetime) -> FactOutcome:
        """Apply ``post.published``: ends ``published`` if it is the current submission."""
        if publication == self.publication:
            return FactOutcome.DUPLICATE
        self.publication = publication
        current = self.current_submission()
        if current is None or current.content_hash != publication.content_hash:
            self._notice(
                at,
                "earlier_revision_published",
                f"post {publication.post_id} went live with content that is not revision "
                f"{self.revision}",
            )
            return FactOutcome.RECORDED
        if (self.state, Action.PUBLISH) in TRANSITIONS:
            self._move(Action.PUBLISH, by="publisher", at=at, note=publication.post_id)
            return FactOutcome.APPLIED
        return FactOutcome.RECORDED

    def record_failure(self, failure: Failure, *, at: datetime) -> FactOutcome:
        """Apply ``post.failed`` by the rules in the module docstring."""
        if failure == self.failure:
            return FactOutcome.DUPLICATE
        self.failure = failure
        # A post of another revision (e.g. the older one the publisher retired when this
        # revision was approved) does not decide this revision's fate.
        other_revision = failure.revision is not None and failure.revision != self.revision
        overtook_approval = self.state is DraftState.SUBMITTED and not self._approved_elsewhere()
        if not other_revision and (
            self.state in (DraftState.APPROVED, DraftState.SCHEDULED) or overtook_approval
        ):
            self._move(Action.FAIL, by="publisher", at=at, note=f"{failure.code}: {failure.reason}")
            return FactOutcome.APPLIED
        self._notice(
            at,
            "failure_recorded",
            f"post {failure.post_id} failed ({failure.code}) while the draft is {self.state}"
            + (f" at revision {self.revision}" if other_revision else ""),
            revision=failure.revision or 0,
        )
        return FactOutcome.RECORDED

    # -- internals ----------------------------------------------------------------------
    def _is_current(self, revision: int, content_hash: str | None) -> bool:
        current = self.current_submission()
        if current is None or revision != self.revision:
            return False
        return content_hash is None or content_hash == current.content_hash

    def _approved_elsewhere(self) -> bool:
        """Whether an approval of another revision is known (a failure may be its)."""
        if self.approval is not None and self.approval.revision != self.revision:
            return True
        return any(n.kind == "stale_approval" for n in self.notices)

    def _move(self, action: Action, *, by: str, at: datetime, note: str = "") -> None:
        target = next_state(self.state, action)
        self.history.append(
            Transition(
                at=at,
                action=action,
                from_state=self.state,
                to_state=target,
                revision=self.revision,
                by=by,
                note=note,
            )
        )
        self.state = target

    def _notice(self, at: datetime, kind: str, message: str, *, revision: int = 0) -> None:
        self.notices.append(
            Notice(at=at, kind=kind, revision=revision or self.revision, message=message)
        )
        del self.notices[:-MAX_NOTICES]
