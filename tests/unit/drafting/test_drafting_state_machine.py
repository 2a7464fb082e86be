"""Every allowed and every refused transition of a draft's state machine."""

from __future__ import annotations

import itertools

import pytest

from services.drafting.domain.states import Action, DraftState, next_state
from services.drafting.errors import TransitionRefused

S, A = DraftState, Action

# Written out by hand from the issue, not derived from the code under test.
ALLOWED = {
    (S.EDITING, A.EDIT): S.EDITING,
    (S.EDITING, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.EDIT): S.EDITING,
    (S.SUBMITTED, A.APPROVE): S.APPROVED,
    (S.SUBMITTED, A.REJECT): S.REJECTED,
    (S.SUBMITTED, A.PUBLISH): S.PUBLISHED,
    (S.SUBMITTED, A.FAIL): S.FAILED,
    (S.REJECTED, A.EDIT): S.EDITING,
    (S.REJECTED, A.APPROVE): S.APPROVED,
    (S.REJECTED, A.PUBLISH): S.PUBLISHED,
    (S.APPROVED, A.EDIT): S.EDITING,
    (S.APPROVED, A.SCHEDULE): S.SCHEDULED,
    (S.APPROVED, A.PUBLISH): S.PUBLISHED,
    (S.APPROVED, A.FAIL): S.FAILED,
    (S.SCHEDULED, A.EDIT): S.EDITING,
    (S.SCHEDULED, A.PUBLISH): S.PUBLISHED,
    (S.SCHEDULED, A.FAIL): S.FAILED,
    (S.FAILED, A.EDIT): S.EDITING,
    (S.FAILED, A.PUBLISH): S.PUBLISHED,
}
REFUSED = sorted(set(itertools.product(S, A)) - set(ALLOWED))


@pytest.mark.parametrize(("state", "action"), sorted(ALLOWED))
def test_an_allowed_transition_reaches_its_state(state: DraftState, action: Action) -> None:
    assert next_state(state, action) is ALLOWED[(state, action)]


@pytest.mark.parametrize(("state", "action"), REFUSED)
def test_any_other_transition_is_refused(state: DraftState, action: Action) -> None:
    with pytest.raises(TransitionRefused) as refused:
        next_state(state, action)

    assert refused.value.state == state
    assert refused.value.action == action


def test_published_is_final() -> None:
    assert all((S.PUBLISHED, action) in REFUSED for action in A)


def test_a_rejected_draft_must_be_edited_before_it_is_submitted_again() -> None:
    with pytest.raises(TransitionRefused, match="edit it to create a new revision"):
        next_state(S.REJECTED, A.SUBMIT)


def test_every_editable_state_goes_back_to_editing() -> None:
    editable = {s for s in S if (s, A.EDIT) in ALLOWED}

    assert editable == set(S) - {S.PUBLISHED}
    assert {next_state(s, A.EDIT) for s in editable} == {S.EDITING}
