"""Where a post stands, and which commands a person may give it in each state."""

from __future__ import annotations

from enum import StrEnum

from services.publisher.errors import TransitionRefused

__all__ = ["ALLOWED", "IN_FLIGHT", "NOT_STARTED", "OPEN_STATES", "Command", "PostState", "refused"]


class PostState(StrEnum):
    """Where a post stands (see the diagram of :mod:`services.publisher.domain`)."""

    SCHEDULED = "scheduled"
    PAUSED = "paused"
    SUBMITTING = "submitting"
    PENDING = "pending"
    UNKNOWN = "unknown"
    PUBLISHED = "published"
    FAILED = "failed"
    MISSED = "missed"
    CANCELLED = "cancelled"


IN_FLIGHT = frozenset({PostState.SUBMITTING, PostState.PENDING, PostState.UNKNOWN})
"""Publishing has started: a hold or a command cannot call these back."""

OPEN_STATES = (PostState.SUBMITTING, PostState.UNKNOWN, PostState.PENDING)
"""The states in which a channel's answer to a call may still be recorded."""

NOT_STARTED = (PostState.SCHEDULED, PostState.PAUSED, PostState.MISSED)
"""The states of a post that has not started publishing (and may still be retired)."""


class Command(StrEnum):
    """What a person may ask of a post."""

    RESCHEDULE = "reschedule"
    CANCEL = "cancel"
    PAUSE = "pause"
    RESUME = "resume"
    RESOLVE = "resolve"  # settle an outcome the channel cannot tell (see resolution.py)


ALLOWED: dict[Command, frozenset[PostState]] = {
    Command.RESCHEDULE: frozenset(NOT_STARTED),
    Command.CANCEL: frozenset(NOT_STARTED),
    Command.PAUSE: frozenset({PostState.SCHEDULED}),
    Command.RESUME: frozenset({PostState.PAUSED}),
    Command.RESOLVE: frozenset({PostState.PENDING, PostState.UNKNOWN}),
}


def refused(post_id: str, state: PostState, command: Command) -> TransitionRefused:
    """The refusal of ``command`` for a post found in ``state``."""
    return TransitionRefused(
        post_id, state, command, allowed=ALLOWED[command], started=state in IN_FLIGHT
    )
