"""A draft's states and the moves between them: the state machine, and the step each move
leaves in the draft's history. Pure.

::

    editing ──submit──► submitted ──approve──► approved ──schedule──► scheduled
                            └──reject──► rejected ──approve──► approved
    submitted | approved | scheduled                      ──fail────► failed
    submitted | rejected | approved | scheduled | failed  ──publish─► published (final)
    submitted | rejected | approved | scheduled | failed  ──edit────► editing

Every edit is a new revision and needs a new review, so editing an approved or scheduled
draft takes it back to ``editing``. ``published`` is final.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from services.drafting.errors import TransitionRefused

__all__ = ["TRANSITIONS", "Action", "DraftState", "Transition", "next_state"]


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


class Transition(BaseModel):
    """One step of a draft's history."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    at: datetime
    action: Action
    from_state: DraftState | None
    to_state: DraftState
    revision: int
    by: str
    note: str = ""
