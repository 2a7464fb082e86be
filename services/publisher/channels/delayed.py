"""A channel wrapper that answers late: to simulate a slow channel in tests and demos.

The wrapped channel publishes at once; the answer comes ``delay`` seconds later. A
process killed in that window has published but not heard back: exactly the case the
publisher must reconcile (``unknown`` -> ``status``) instead of publishing again.
"""

from __future__ import annotations

import asyncio

from services.publisher.channels.base import Channel
from services.publisher.domain.channel import PublishOutcome, PublishRequest

__all__ = ["SlowAnswerChannel"]


class SlowAnswerChannel:
    """Delegates to ``inner`` and delays each ``publish`` answer by ``delay`` seconds."""

    def __init__(self, inner: Channel, *, delay: float) -> None:
        self._inner = inner
        self._delay = delay

    @property
    def name(self) -> str:
        """The wrapped channel's name."""
        return self._inner.name

    async def publish(self, post: PublishRequest) -> PublishOutcome:
        """Publish through the wrapped channel, then wait before answering."""
        outcome = await self._inner.publish(post)
        await asyncio.sleep(self._delay)
        return outcome

    async def status(self, publish_id: str) -> PublishOutcome:
        """Ask the wrapped channel (no delay: reconciliation is not what is simulated)."""
        return await self._inner.status(publish_id)
