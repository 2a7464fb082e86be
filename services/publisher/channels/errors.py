"""Why a channel call did not return an outcome, and what the publisher may do next.

::

    ChannelError                  any failure of a channel call
    ├── TransientChannelError     nothing was published; retrying later is safe
    │                             (connection refused, 429, 5xx, rate limit, token refresh)
    ├── PermanentChannelError     nothing was published; retrying will not help, a person
    │                             must act (bad configuration, 4xx, invalid content,
    │                             same post_id already published with other content)
    └── OutcomeUnknown            the request may have reached the channel (timeout after
                                  sending, connection reset): do NOT resubmit; reconcile
                                  with ``Channel.status`` and escalate if that cannot tell

A channel that *answers* with a definite result returns a :class:`PublishOutcome` instead
(``published``, ``pending``, or ``failed`` when the channel itself refused the post).
"""

from __future__ import annotations

__all__ = [
    "ChannelError",
    "OutcomeUnknown",
    "PermanentChannelError",
    "TransientChannelError",
]


class ChannelError(Exception):
    """A channel call failed; ``retryable`` says whether retrying later is safe."""

    retryable = False

    def __init__(self, message: str, *, channel: str = "", publish_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.channel = channel
        self.publish_id = publish_id


class TransientChannelError(ChannelError):
    """Nothing was published and a later retry is safe."""

    retryable = True


class PermanentChannelError(ChannelError):
    """Nothing was published and retrying will not help; a person must act."""


class OutcomeUnknown(ChannelError):
    """The request may have been sent: reconcile with ``status``, never resubmit blindly."""
