"""Subscribers of the audience service: none yet.

The audience service learns of followers from WeChat (the push endpoint, the back-fill)
and publishes ``follower.subscribed``, ``follower.unsubscribed`` and, for messages a
person must answer, ``feedback.received``; it consumes no event.
"""

from __future__ import annotations

from services.audience.deps import AudienceDeps
from shared.runtime import ServiceRuntime

__all__ = ["register_consumers"]


def register_consumers(runtime: ServiceRuntime, deps: AudienceDeps) -> None:
    """Subscribe this service's handlers (none: see the module's docstring)."""
    del runtime, deps
