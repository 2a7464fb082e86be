"""Why the publisher refuses a command, and how the API answers each (``PROBLEMS``)::

PostNotFound          404  no post with that id
TransitionRefused     409  the command does not apply to the post in its state
SlotFull              409  every seat of the slot is taken
RetryRefused          409  the channel holds a job for the post: a retry would not submit
UnknownAccount        404  an account the deployment does not have (``account``)
InvalidInput          422  a value to blame, named like the request validation errors
├── SlotRefused            ``slot``: not a slot of the calendar, or not ahead of now
└── InvalidResolution      a malformed resolution (``note``, ``url``, ``action``, …)
ContentMismatch       —    the stored content is not the approved content (never sent)
SeatTaken             —    another transaction took the seat or stored the revision (retried)

The errors know nothing of HTTP: only :data:`PROBLEMS` says what each becomes.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.problems import ACCOUNT_PROBLEMS, ProblemMap, ProblemSpec

__all__ = [
    "PROBLEMS",
    "ContentMismatch",
    "InvalidInput",
    "InvalidResolution",
    "PostNotFound",
    "RetryRefused",
    "SeatTaken",
    "SlotFull",
    "SlotRefused",
    "TransitionRefused",
]


class PostNotFound(LookupError):
    """No post has this id."""

    def __init__(self, post_id: str) -> None:
        super().__init__(post_id)
        self.post_id = post_id
        self.detail = f"No post {post_id}."


class TransitionRefused(Exception):
    """A command does not apply to the post in its current state.

    ``allowed`` are the states the command applies to; ``started`` says that the post's
    state means publishing has started (the domain knows which states those are).
    """

    def __init__(
        self, post_id: str, state: str, command: str, *, allowed: Iterable[str], started: bool
    ) -> None:
        listed = ", ".join(sorted(allowed))
        begun = ", publishing has started" if started else ""
        super().__init__(
            f"cannot {command} post {post_id}: it is {state}{begun} (only when {listed})"
        )
        self.post_id = post_id
        self.state = state
        self.command = command


class SlotFull(Exception):
    """Every seat of the requested slot is taken."""


class RetryRefused(Exception):
    """The channel holds a job for the post: a retry would never submit again (-> 409)."""

    def __init__(self, post_id: str, publish_id: str) -> None:
        super().__init__(
            f"cannot retry post {post_id}: the channel holds publish job {publish_id} for it "
            "and would only report that job again; resolve it as published, or cancel it"
        )
        self.post_id = post_id
        self.publish_id = publish_id


class InvalidInput(ValueError):
    """A value that cannot be used; ``field`` names it (-> 422, like request validation)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.detail = f"Invalid value for: {field}. {message}"
        self.errors = [{"field": field, "message": message}]


class SlotRefused(InvalidInput):
    """The requested instant is not a usable slot (not in the calendar, or not ahead)."""

    def __init__(self, message: str) -> None:
        super().__init__("slot", message)


class InvalidResolution(InvalidInput):
    """The resolution is malformed; ``field`` names the offending input (-> 422)."""


class ContentMismatch(Exception):
    """The stored content does not hash to the approved hash: it must not be sent."""


class SeatTaken(Exception):
    """Another transaction took the seat, or stored the revision: run the work again."""


_NOT_NOW = "Not possible now"
_VALIDATION = "urn:contentops:problem:validation"

PROBLEMS: ProblemMap = {
    **ACCOUNT_PROBLEMS,
    PostNotFound: ProblemSpec(404, "Post not found"),
    TransitionRefused: ProblemSpec(409, _NOT_NOW),
    SlotFull: ProblemSpec(409, "Slot full"),
    RetryRefused: ProblemSpec(409, _NOT_NOW),
    InvalidInput: ProblemSpec(422, "Invalid request", _VALIDATION),
}
