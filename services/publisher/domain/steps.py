"""A post's transitions in publishing: the job's steps and what the channel answered."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.publisher.domain.channel import PublishOutcome
from services.publisher.domain.events import (
    channel_ids,
    failed_event,
    lateness_seconds,
    published_event,
)
from services.publisher.domain.record import PostRecord
from services.publisher.domain.states import PostState
from services.publisher.domain.transition import Guard, Transition, history_entry
from shared.events import FailureCode

__all__ = ["ACTOR", "PublishingSteps"]

ACTOR = "publisher"
"""The actor of the transitions the publisher makes itself (history lines)."""


class PublishingSteps(PostRecord):
    """The transitions of publishing (the job, the channel's answer, reconciliation)."""

    # -- the publishing job ----------------------------------------------------------
    def start_submitting(self, *, fence: int, channel: str, now: datetime) -> Transition:
        """The job holding ``fence`` is about to call the channel."""
        return Transition(
            self.post_id,
            Guard.scheduled(self.rev),
            {
                "state": PostState.SUBMITTING,
                "submit_fence": fence,
                "submit_started_at": now,
                "channel": channel,
                "updated_at": now,
            },
            history_entry(
                "submitting",
                at=now,
                actor=ACTOR,
                from_state=PostState.SCHEDULED,
                to_state=PostState.SUBMITTING,
                fence=fence,
                channel=channel,
                lateness_seconds=lateness_seconds(self.slot_at, now),
            ),
            increments={"attempts": 1},
        )

    def back_to_schedule(self, *, fence: int, reason: str, now: datetime) -> Transition:
        """Nothing went out (held, or a transient channel error): scheduled again."""
        return Transition(
            self.post_id,
            Guard.submitting(fence),
            {"state": PostState.SCHEDULED, "last_error": reason[:500], "updated_at": now},
            history_entry(
                "retry_later",
                at=now,
                actor=ACTOR,
                from_state=PostState.SUBMITTING,
                to_state=PostState.SCHEDULED,
                reason=reason[:500],
            ),
        )

    def miss(self, *, grace_seconds: float, now: datetime) -> Transition:
        """Due beyond its grace period: missed, and a person is told."""
        late = now - self.slot_at
        reason = (
            f"slot {self.slot_key} passed {int(late.total_seconds())} s ago, beyond the grace "
            f"period of {int(grace_seconds)} s"
        )
        if self.last_error:
            reason += f"; last channel error: {self.last_error}"
        to = PostState.MISSED
        return Transition(
            self.post_id,
            Guard.scheduled(self.rev),
            {
                "state": to,
                "updated_at": now,
                "failure": {"code": "missed", "reason": reason, "needs_person": True},
            },
            history_entry(
                "missed", at=now, actor=ACTOR, from_state=self.state, to_state=to, reason=reason
            ),
            event=failed_event(
                self, code=FailureCode.MISSED, reason=reason, needs_person=True, at=now
            ),
        )

    def take_over(self, *, fence: int, now: datetime) -> Transition:
        """The replica submitting under an older fence died: unknown, never resubmitted."""
        reason = (
            f"the replica submitting under fence {self.submit_fence} stopped before "
            "recording the channel's answer"
        )
        return Transition(
            self.post_id,
            Guard.submitting(self.submit_fence),
            {
                "state": PostState.UNKNOWN,
                "unknown_since": now,
                "reconcile_round": self.next_round,
                "last_error": reason,
                "updated_at": now,
            },
            history_entry(
                "unknown",
                at=now,
                actor=ACTOR,
                from_state=PostState.SUBMITTING,
                to_state=PostState.UNKNOWN,
                reason=reason,
                taken_over_by_fence=fence,
            ),
        )

    def mark_unknown(
        self, *, fence: int, reason: str, publish_id: str | None, now: datetime
    ) -> Transition:
        """The call made under ``fence`` may have gone out: reconcile, never resubmit."""
        changes: dict[str, Any] = {
            "state": PostState.UNKNOWN,
            "unknown_since": now,
            "reconcile_round": self.next_round,
            "last_error": reason[:500],
            "updated_at": now,
        }
        if publish_id:
            changes["publish_id"] = publish_id
        return Transition(
            self.post_id,
            Guard.submitting(fence),
            changes,
            history_entry(
                "unknown",
                at=now,
                actor=ACTOR,
                from_state=PostState.SUBMITTING,
                to_state=PostState.UNKNOWN,
                reason=reason[:500],
            ),
        )

    # -- what the channel (or a person) said -----------------------------------------
    def publish(
        self,
        outcome: PublishOutcome,
        *,
        guard: Guard,
        actor: str,
        now: datetime,
        from_state: PostState | None = None,
        note: str | None = None,
    ) -> Transition:
        """Live as ``outcome`` says (``published_at`` defaults to now): ``post.published``."""
        published_at = outcome.published_at or now
        lateness = lateness_seconds(self.slot_at, published_at)
        return Transition(
            self.post_id,
            guard,
            {
                "state": PostState.PUBLISHED,
                "publish_id": outcome.publish_id,
                "channel": outcome.channel,
                "channel_ids": channel_ids(self, outcome),
                "url": outcome.url,
                "published_at": published_at,
                "lateness_seconds": lateness,
                "updated_at": now,
            },
            history_entry(
                "published",
                at=now,
                actor=actor,
                from_state=from_state,
                to_state=PostState.PUBLISHED,
                url=outcome.url,
                lateness_seconds=lateness,
                replayed=outcome.replayed or None,
                note=note,
            ),
            event=published_event(self, outcome, published_at=published_at),
        )

    def pending(self, outcome: PublishOutcome, *, guard: Guard, now: datetime) -> Transition:
        """Accepted, the channel is still publishing: ask again (next reconcile round)."""
        return Transition(
            self.post_id,
            guard,
            {
                "state": PostState.PENDING,
                "publish_id": outcome.publish_id,
                "channel_ids": channel_ids(self, outcome),
                "reconcile_round": self.next_round,
                "updated_at": now,
            },
            None
            if self.state is PostState.PENDING
            else history_entry(
                "pending",
                at=now,
                actor=ACTOR,
                from_state=None,
                to_state=PostState.PENDING,
                publish_id=outcome.publish_id,
            ),
        )

    def fail(
        self,
        *,
        guard: Guard,
        code: FailureCode,
        reason: str,
        channel: str,
        now: datetime,
        needs_person: bool = True,
    ) -> Transition:
        """It will not go out: ``failed``, with ``post.failed`` for whoever must act."""
        return Transition(
            self.post_id,
            guard,
            {
                "state": PostState.FAILED,
                "updated_at": now,
                "failure": {
                    "code": str(code),
                    "reason": reason[:2000],
                    "needs_person": needs_person,
                },
            },
            history_entry(
                "failed",
                at=now,
                actor=ACTOR,
                from_state=None,
                to_state=PostState.FAILED,
                code=str(code),
                reason=reason[:500],
            ),
            event=failed_event(
                self, code=code, reason=reason, needs_person=needs_person, at=now, channel=channel
            ),
        )

    def reconcile_later(
        self, *, guard: Guard, reason: str, escalate: bool, now: datetime
    ) -> Transition:
        """Still unclear: ask again next round; ``escalate`` tells a person, once."""
        changes: dict[str, Any] = {"reconcile_round": self.next_round, "updated_at": now}
        if escalate:
            changes["escalated_at"] = now
        return Transition(
            self.post_id,
            guard,
            changes,
            history_entry(
                "escalated",
                at=now,
                actor=ACTOR,
                from_state=self.state,
                to_state=self.state,
                reason=reason[:500],
            )
            if escalate
            else None,
            event=failed_event(
                self,
                code=FailureCode.OUTCOME_UNKNOWN,
                reason=f"{reason}; still reconciling, never resubmitted",
                needs_person=True,
                at=now,
                channel=self.channel,
            )
            if escalate
            else None,
        )
