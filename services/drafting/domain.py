"""A draft's life cycle: the state machine and the rules for facts arriving from review
and the publisher. Pure and synchronous; the use cases load, call and save.

::

    editing ──submit──► submitted ──approve──► approved ──schedule──► scheduled
                            └──reject──► rejected ──approve──► approved
    submitted | approved | scheduled                      ──fail────► failed
    submitted | rejected | approved | scheduled | failed  ──publish─► published (final)
    submitted | rejected | approved | scheduled | failed  ──edit────► editing

Every edit is a new revision and needs a new review, so editing an approved or scheduled
draft takes it back to ``editing``. ``published`` is final.

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
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

from services.drafting.content import DraftContent
from services.drafting.errors import TransitionRefused
from services.drafting.records import Approval, Failure, Publication, Rejection, Submission
from shared.events import (
    ContentSnapshot,
    DraftSubmitted,
    DraftSubmittedPayload,
    EventEnvelope,
)
from shared.settings import Role

__all__ = [
    "TRANSITIONS",
    "Action",
    "Approval",
    "Draft",
    "DraftState",
    "Failure",
    "FactOutcome",
    "Notice",
    "Publication",
    "Rejection",
    "Submission",
    "Transition",
    "may_edit",
    "next_state",
]

PRODUCER = "drafting"
MAX_NOTICES = 50


class DraftState(StrEnum):
    """Where a draft is in its life cycle."""

    EDITING = "editing"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    FAILED = "failed"


class Action(StrEnum):
    """What can happen to a draft."""

    EDIT = "edit"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    SCHEDULE = "schedule"
    PUBLISH = "publish"
    FAIL = "fail"


S, A = DraftState, Action
TRANSITIONS: dict[tuple[DraftState, Action], DraftState] = {
    (S.EDITING, A.EDIT): S.EDITING,
    (S.EDITING, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.EDIT): S.EDITING,
    (S.SUBMITTED, A.APPROVE): S.APPROVED,
    (S.SUBMITTED, A.REJECT): S.REJECTED,
    (S.SUBMITTED, A.PUBLISH): S.PUBLISHED,  # post.published overtook draft.approved
    (S.SUBMITTED, A.FAIL): S.FAILED,  # post.failed overtook draft.approved
    (S.REJECTED, A.EDIT): S.EDITING,
    (S.REJECTED, A.APPROVE): S.APPROVED,  # the publisher acts on any approval
    (S.REJECTED, A.PUBLISH): S.PUBLISHED,
    (S.APPROVED, A.EDIT): S.EDITING,
    (S.APPROVED, A.SCHEDULE): S.SCHEDULED,
    (S.APPROVED, A.PUBLISH): S.PUBLISHED,
    (S.APPROVED, A.FAIL): S.FAILED,
    (S.SCHEDULED, A.EDIT): S.EDITING,
    (S.SCHEDULED, A.PUBLISH): S.PUBLISHED,
    (S.SCHEDULED, A.FAIL): S.FAILED,
    (S.FAILED, A.EDIT): S.EDITING,
    (S.FAILED, A.PUBLISH): S.PUBLISHED,  # an unknown outcome reconciled as published
}
"""Every allowed ``(state, action) -> next state``; anything else is refused."""

_HINTS = {
    (S.REJECTED, A.SUBMIT): "edit it to create a new revision, then submit that",
    (S.PUBLISHED, A.EDIT): "it is live; write a new draft instead",
}


def next_state(state: DraftState, action: Action) -> DraftState:
    """The state after ``action``; raises :class:`TransitionRefused` if not allowed."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionRefused(state, action, _HINTS.get((state, action), "")) from None


def may_edit(*, creator: str, subject: str, roles: frozenset[Role]) -> bool:
    """Editors (and admins) may change any draft; anyone else only the drafts they created."""
    return bool(roles & {Role.EDITOR, Role.ADMIN}) or subject == creator


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Transition(_Record):
    """One step of a draft's history."""

    at: datetime
    action: Action
    from_state: DraftState | None
    to_state: DraftState
    revision: int
    by: str
    note: str = ""


class Notice(_Record):
    """A fact that arrived but did not change the state, kept for the editors."""

    at: datetime
    kind: str
    revision: int
    message: str


class FactOutcome(StrEnum):
    """What a fact from another service did to the draft."""

    APPLIED = "applied"  # the state changed
    RECORDED = "recorded"  # stored, state unchanged
    STALE = "stale"  # about an older revision or other content; kept as a notice
    DUPLICATE = "duplicate"  # already known; nothing changed


class Draft(BaseModel):
    """The draft aggregate: current content, revision number, state and the facts known."""

    model_config = ConfigDict(extra="ignore")

    id: str
    state: DraftState = DraftState.EDITING
    revision: int = Field(default=1, ge=1)
    version: int = Field(default=0, description="Bumped on every save (optimistic lock).")
    content: DraftContent
    content_notes: tuple[str, ...] = ()
    wished_slot: datetime | None = None
    scheduled_slot: datetime | None = None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    submission: Submission | None = None
    approval: Approval | None = None
    rejection: Rejection | None = None
    publication: Publication | None = None
    failure: Failure | None = None
    history: list[Transition] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)

    _events: list[EventEnvelope] = PrivateAttr(default_factory=list)

    # -- creation and editing ---------------------------------------------------------
    @classmethod
    def create(
        cls,
        draft_id: str,
        content: DraftContent,
        *,
        wished_slot: datetime | None,
        by: str,
        at: datetime,
        notes: tuple[str, ...] = (),
    ) -> Draft:
        """A new draft at revision 1, in ``editing``."""
        draft = cls(
            id=draft_id,
            content=content,
            content_notes=notes,
            wished_slot=wished_slot,
            created_by=by,
            created_at=at,
            updated_by=by,
            updated_at=at,
        )
        draft.history.append(
            Transition(
                at=at,
                action=Action.EDIT,
                from_state=None,
                to_state=DraftState.EDITING,
                revision=1,
                by=by,
                note="created",
            )
        )
        return draft

    def changed_fields(self, content: DraftContent, wished_slot: datetime | None) -> list[str]:
        """Fields an edit to ``content`` and ``wished_slot`` would change."""
        changed = content.changed_fields(self.content)
        if wished_slot != self.wished_slot:
            changed.append("wished_slot")
        return changed

    def edit(
        self,
        content: DraftContent,
        *,
        wished_slot: datetime | None,
        by: str,
        at: datetime,
        notes: tuple[str, ...] = (),
    ) -> list[str]:
        """Make a new revision; returns the changed fields (none: nothing happens)."""
        changed = self.changed_fields(content, wished_slot)
        if not changed:
            return []
        next_state(self.state, Action.EDIT)  # refuse before changing anything
        before = self.state
        self.revision += 1
        self._move(Action.EDIT, by=by, at=at, note=f"revision {self.revision}")
        self.content = content
        self.content_notes = notes
        self.wished_slot = wished_slot
        self.scheduled_slot = None
        self.updated_by, self.updated_at = by, at
        if before in (DraftState.APPROVED, DraftState.SCHEDULED):
            self._notice(
                at,
                "review_needed",
                f"revision {self.revision - 1} was approved; revision {self.revision} needs a "
                "new review",
            )
        return changed

    # -- submitting -------------------------------------------------------------------
    def submit(
        self, snapshot: ContentSnapshot, *, by: str, at: datetime
    ) -> tuple[Submission, bool]:
        """Send the current revision for review; ``(submission, created)``.

        Submitting a revision that was already submitted returns that submission and
        records no event (a double click, a retried request). A rejected revision must be
        edited first.
        """
        current = self.current_submission()
        if current is not None and self.state is not DraftState.REJECTED:
            return current, False
        self._move(Action.SUBMIT, by=by, at=at)
        content_hash = snapshot.content_hash()
        event = DraftSubmitted(
            producer=PRODUCER,
            correlation_id=self.id,
            occurred_at=at,
            payload=DraftSubmittedPayload(
                draft_id=self.id,
                revision=self.revision,
                content=snapshot,
                content_hash=content_hash,
                wished_slot=self.wished_slot,
                submitted_by=by,
                submitted_at=at,
            ),
        )
        self.submission = Submission(
            revision=self.revision,
            content_hash=content_hash,
            submitted_by=by,
            submitted_at=at,
            wished_slot=self.wished_slot,
            event_id=str(event.event_id),
        )
        self.updated_by, self.updated_at = by, at
        self._events.append(event)
        return self.submission, True

    def current_submission(self) -> Submission | None:
        """The submission of the current revision, if it was submitted."""
        if self.submission is not None and self.submission.revision == self.revision:
            return self.submission
        return None

    def collect_events(self) -> list[EventEnvelope]:
        """Events recorded since the last call (to write to the outbox)."""
        events, self._events = self._events, []
        return events

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
