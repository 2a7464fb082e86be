"""A post's change of state as a value: what it must still be, and what it becomes.

The :class:`~services.publisher.domain.post.Post` decides each transition; the
repository turns it into one conditional update (``guard`` as the filter, ``changes``
``$set``, ``increments`` ``$inc``, ``history`` pushed), so a command and the publishing
job racing on one post cannot both win: the one whose guard no longer holds changes
nothing and emits nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from services.publisher.domain.states import OPEN_STATES, PostState
from shared.events import EventEnvelope

if TYPE_CHECKING:
    from services.publisher.domain.record import PostRecord as Post

P = TypeVar("P", bound="Post")

__all__ = ["HISTORY_LIMIT", "Guard", "Transition", "history_entry"]

HISTORY_LIMIT = 200
"""A post keeps its last 200 history lines."""


@dataclass(frozen=True)
class Guard:
    """What the stored post must still be for a transition to apply.

    ``states``: one of these; the other fields, when given, must be equal: ``rev`` (the
    schedule revision, bumped by every schedule change), ``submit_fence`` (the job's
    fence that made the channel call) or ``reconcile_round`` (the round that asked).
    """

    states: tuple[PostState, ...]
    rev: int | None = None
    submit_fence: int | None = None
    reconcile_round: int | None = None

    @classmethod
    def as_read(cls, post: Post) -> Guard:
        """The post still as it was read: same state, same schedule revision."""
        return cls((post.state,), rev=post.rev)

    @classmethod
    def scheduled(cls, rev: int) -> Guard:
        return cls((PostState.SCHEDULED,), rev=rev)

    @classmethod
    def submitting(cls, fence: int | None) -> Guard:
        """Still submitting under the call made with ``fence``."""
        return cls((PostState.SUBMITTING,), submit_fence=fence)

    @classmethod
    def open_under(cls, fence: int) -> Guard:
        """Still open (submitting, unknown, pending) under the call made with ``fence``."""
        return cls(OPEN_STATES, submit_fence=fence)

    @classmethod
    def reconciling(cls, post: Post, round_: int) -> Guard:
        """Still in its state at reconcile round ``round_``."""
        return cls((post.state,), reconcile_round=round_)

    def fields(self) -> dict[str, Any]:
        """The guarded fields and their required values (``state``: one of ``states``)."""
        out: dict[str, Any] = {"state": self.states}
        for name in ("rev", "submit_fence", "reconcile_round"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out

    def admits(self, post: Post) -> bool:
        """Whether ``post`` as stored now satisfies the guard."""
        if post.state not in self.states:
            return False
        return all(getattr(post, k) == v for k, v in self.fields().items() if k != "state")


@dataclass(frozen=True)
class Transition:
    """One decided change of a post, and the event it causes if (and only if) it applies."""

    post_id: str
    guard: Guard
    changes: Mapping[str, Any]
    history: Mapping[str, Any] | None = None
    increments: Mapping[str, int] = field(default_factory=dict)
    event: EventEnvelope | None = None

    def applied_to(self, post: P) -> P:
        """``post`` as it is after the transition (what the repository stores)."""
        known = type(post).model_fields
        update: dict[str, Any] = {k: v for k, v in self.changes.items() if k in known}
        for name, step in self.increments.items():
            update[name] = getattr(post, name) + step
        if self.history is not None:
            update["history"] = [*post.history, dict(self.history)][-HISTORY_LIMIT:]
        return post.model_copy(update=update)


def history_entry(
    action: str,
    *,
    at: datetime,
    actor: str,
    from_state: PostState | None,
    to_state: PostState | None,
    **detail: Any,
) -> dict[str, Any]:
    """One line of a post's publish history."""
    return {
        "at": at,
        "action": action,
        "actor": actor,
        "from": str(from_state) if from_state else None,
        "to": str(to_state) if to_state else None,
        **{k: v for k, v in detail.items() if v is not None},
    }
