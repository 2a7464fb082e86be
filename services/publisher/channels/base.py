"""The ``Channel`` role: where approved posts go out."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from services.publisher.domain.channel import PublishOutcome, PublishRequest

__all__ = ["Channel"]


@runtime_checkable
class Channel(Protocol):
    """A place posts are published to; implementations must be idempotent by ``post_id``.

    ``publish`` returns an outcome when the channel answered and raises a
    :class:`~services.publisher.channels.errors.ChannelError` subclass when it did not.
    ``status`` re-asks the channel about an earlier ``publish_id`` (reconciliation after
    ``pending`` or ``OutcomeUnknown``); it never publishes. When the publisher never
    learnt a ``publish_id`` (the answer was lost) it passes the ``post_id``: channels
    answer for their own post ids too, ``failed`` meaning "nothing went out" unless
    ``needs_person`` is set.

    A channel may also offer ``async def prepare(post) -> None``: work that publishes
    nothing (uploads, drafts), run just before the slot so ``publish`` is quick at it.
    """

    @property
    def name(self) -> str:
        """Short channel name, e.g. ``wechat`` or ``local``."""
        ...

    async def publish(self, post: PublishRequest) -> PublishOutcome:
        """Publish ``post`` once; a repeat with the same ``post_id`` returns the first outcome."""
        ...

    async def status(self, publish_id: str) -> PublishOutcome:
        """The current outcome of an earlier publish."""
        ...
