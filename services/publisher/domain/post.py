"""The post, and every change of its state as a :class:`Transition` it decides.

Each method checks that the change applies (a person's command refused with
:class:`~services.publisher.errors.TransitionRefused`), and returns the transition: the
guard it is fenced by, the new fields, its history line and the event it causes. The
use case has the repository apply it; nothing here touches a store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.publisher.domain.events import failed_event
from services.publisher.domain.keys import publish_job_key
from services.publisher.domain.resolution import (
    Resolution,
    ResolveAction,
    ResolveOutcome,
    check_resolution,
    vouched_outcome,
)
from services.publisher.domain.states import Command, PostState
from services.publisher.domain.steps import ACTOR, PublishingSteps
from services.publisher.domain.transition import Guard, Transition, history_entry
from shared.calendar import Slot
from shared.events import FailureCode

__all__ = ["Post"]


class Post(PublishingSteps):
    """A post as the publisher keeps it, with every transition a person's command makes
    (the publishing job's are in :class:`~.steps.PublishingSteps`)."""

    def reschedule(self, slot: Slot, seat: int | None, *, actor: str, now: datetime) -> Transition:
        """To ``slot`` (on ``seat``), with a new schedule revision; a paused post stays paused."""
        self.check(Command.RESCHEDULE)
        paused = self.state is PostState.PAUSED
        to_state = PostState.PAUSED if paused else PostState.SCHEDULED
        return self._move(slot, seat, actor=actor, now=now, action="rescheduled", to=to_state)

    def resume(self, slot: Slot, seat: int | None, *, actor: str, now: datetime) -> Transition:
        """Scheduled again at ``slot`` (its own when still ahead), with a new revision."""
        self.check(Command.RESUME)
        return self._move(
            slot, seat, actor=actor, now=now, action="resumed", to=PostState.SCHEDULED
        )

    def _move(
        self,
        slot: Slot,
        seat: int | None,
        *,
        actor: str,
        now: datetime,
        action: str,
        to: PostState,
    ) -> Transition:
        rev = self.rev + 1
        return Transition(
            self.post_id,
            Guard.as_read(self),
            {
                "state": to,
                "slot_key": slot.key,
                "slot_at": slot.at,
                "seat": seat,
                "rev": rev,
                "job_key": publish_job_key(self.post_id, rev, self.account)
                if to is PostState.SCHEDULED
                else None,
                "failure": None,
                "updated_at": now,
            },
            history_entry(
                action,
                at=now,
                actor=actor,
                from_state=self.state,
                to_state=to,
                slot_key=slot.key,
                previous_slot_key=self.slot_key,
            ),
        )

    def pause(self, *, actor: str, now: datetime) -> Transition:
        """Kept from going out until resumed; it keeps its seat."""
        self.check(Command.PAUSE)
        to = PostState.PAUSED
        return Transition(
            self.post_id,
            Guard.as_read(self),
            {"state": to, "updated_at": now},
            history_entry("paused", at=now, actor=actor, from_state=self.state, to_state=to),
        )

    def cancel(self, *, reason: str, actor: str, now: datetime) -> Transition:
        """Cancelled before publishing: it will never go out (``post.failed``, no person)."""
        self.check(Command.CANCEL)
        return self._cancelled(reason=reason, actor=actor, now=now)

    def _cancelled(self, *, reason: str, actor: str, now: datetime) -> Transition:
        to = PostState.CANCELLED
        return Transition(
            self.post_id,
            Guard.as_read(self),
            {"state": to, "updated_at": now, "cancel_reason": reason},
            history_entry(
                "cancelled", at=now, actor=actor, from_state=self.state, to_state=to, reason=reason
            ),
            event=failed_event(
                self,
                code=FailureCode.CANCELLED,
                reason=f"cancelled by {actor}: {reason}",
                needs_person=False,
                at=now,
            ),
        )

    def supersede(self, *, by: str, now: datetime) -> Transition:
        """A newer revision (``by``) was approved: this one, not yet publishing, is retired."""
        to = PostState.CANCELLED
        return Transition(
            self.post_id,
            Guard.as_read(self),
            {"state": to, "updated_at": now, "superseded_by": by},
            history_entry(
                "superseded", at=now, actor=ACTOR, from_state=self.state, to_state=to, by=by
            ),
            event=failed_event(
                self,
                code=FailureCode.CANCELLED,
                reason=f"superseded by the approval of a newer revision ({by})",
                needs_person=False,
                at=now,
            ),
        )

    def resolve(
        self, resolution: Resolution, *, actor: str, channel: str, now: datetime
    ) -> Transition:
        """A person's word on an unknown or pending outcome: published, retry or cancel."""
        check_resolution(self, resolution)
        if resolution.outcome is ResolveOutcome.PUBLISHED:
            outcome = vouched_outcome(self, resolution, channel=channel, now=now)
            return self.publish(
                outcome,
                guard=Guard.as_read(self),
                actor=actor,
                now=now,
                from_state=self.state,
                note=resolution.note,
            )
        if resolution.action is ResolveAction.RETRY:
            return self.rearm(
                guard=Guard.as_read(self),
                actor=actor,
                now=now,
                reason=f"{actor} confirmed nothing went out",
                note=resolution.note,
                confirmed_unsent=True,
            )
        return self._cancelled(reason=resolution.note, actor=actor, now=now)

    def rearm(
        self,
        *,
        guard: Guard,
        actor: str,
        now: datetime,
        reason: str,
        note: str | None = None,
        confirmed_unsent: bool = False,
    ) -> Transition:
        """Nothing went out: scheduled again under a new revision, due now (or at its slot).

        The escalation is cleared: should the new attempt end unknown too, a person is
        told again. ``confirmed_unsent`` (a person's word, not the channel's) is passed on
        to the channel as ``confirmed_unsent_at`` (see ``PublishRequest``).
        """
        rev = self.rev + 1
        changes: dict[str, Any] = {
            "state": PostState.SCHEDULED,
            "rev": rev,
            "job_key": publish_job_key(self.post_id, rev, self.account),
            "submit_fence": None,
            "unknown_since": None,
            "escalated_at": None,
            "updated_at": now,
        }
        if confirmed_unsent:
            changes["confirmed_unsent_at"] = now
        return Transition(
            self.post_id,
            guard,
            changes,
            history_entry(
                "not_published",
                at=now,
                actor=actor,
                from_state=self.state,
                to_state=PostState.SCHEDULED,
                reason=reason[:500],
                note=note,
            ),
        )
