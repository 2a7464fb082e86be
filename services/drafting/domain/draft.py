"""The draft aggregate: what the editors write (content, wished slot), each edit a new
revision, and the submission to review. What happens after (facts from review and the
publisher) is :class:`~.lifecycle.DraftLifecycle`, which it extends. Pure and
synchronous; the use cases load, call and save.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field, PrivateAttr

from services.drafting.domain.content import DraftContent
from services.drafting.domain.facts import Submission
from services.drafting.domain.lifecycle import DraftLifecycle
from services.drafting.domain.states import Action, DraftState, Transition, next_state
from shared.accounts import DEFAULT_ACCOUNT
from shared.events import (
    ContentSnapshot,
    DraftSubmitted,
    DraftSubmittedPayload,
    EventEnvelope,
)
from shared.settings import Role

__all__ = ["Draft", "may_edit"]

PRODUCER = "drafting"


def may_edit(*, creator: str, subject: str, roles: frozenset[Role]) -> bool:
    """Editors (and admins) may change any draft; anyone else only the drafts they created.

    ``roles`` are those the principal holds on the draft's account (#12): an editor of
    another account is no editor of this draft.
    """
    return bool(roles & {Role.EDITOR, Role.ADMIN}) or (bool(roles) and subject == creator)


class Draft(DraftLifecycle):
    """The draft aggregate: current content and revision, its life cycle, and the events
    it recorded (collected by the use case into the outbox)."""

    id: str
    account: str = Field(
        default=DEFAULT_ACCOUNT, description="The official account the draft belongs to (#12)."
    )
    version: int = Field(default=0, description="Bumped on every save (optimistic lock).")
    content: DraftContent
    content_notes: tuple[str, ...] = ()
    wished_slot: datetime | None = None
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime

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
        account: str = DEFAULT_ACCOUNT,
    ) -> Draft:
        """A new draft of ``account`` at revision 1, in ``editing``."""
        draft = cls(
            id=draft_id,
            account=account,
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

    def writers(self) -> tuple[str, ...]:
        """Everyone who created, edited or submitted any revision (sorted subjects).

        Read from the history, which keeps every edit and submission with the principal
        who made it (like each stored :class:`~.revisions.Revision`'s ``by``) and is never
        trimmed; ``draft.submitted`` carries it so that review refuses the approval of
        any of them (four eyes), whoever pressed submit.
        """
        return tuple(
            sorted({t.by for t in self.history if t.action in (Action.EDIT, Action.SUBMIT)})
        )

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
            account=self.account,
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
                writers=self.writers(),
            ),
        )
        self.submission = Submission(
            revision=self.revision,
            content_hash=content_hash,
            submitted_by=by,
            submitted_at=at,
            wished_slot=self.wished_slot,
            event_id=str(event.event_id),
            writers=event.payload.writers,
        )
        self.updated_by, self.updated_at = by, at
        self._events.append(event)
        return self.submission, True

    def collect_events(self) -> list[EventEnvelope]:
        """Events recorded since the last call (to write to the outbox)."""
        events, self._events = self._events, []
        return events
