"""The input of the analysis: one piece of feedback on a pushed post."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Literal

__all__ = ["FeedbackItem", "FeedbackKind", "METRIC_KEYS"]

FeedbackKind = Literal["comment", "message", "reply", "metric"]
"""comment: public comment; message: private message (留言); reply: our answer; metric: stats."""

METRIC_KEYS: tuple[str, ...] = ("reads", "likes", "shares")

_EMPTY: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    """One comment, message, reply or metric snapshot collected after a push."""

    item_id: str
    kind: FeedbackKind
    text: str
    author: str
    received_at: datetime
    post_id: str
    late: bool = False
    in_reply_to: str | None = None
    metrics: Mapping[str, int] = field(default_factory=lambda: _EMPTY, hash=False)

    def __post_init__(self) -> None:
        if self.received_at.tzinfo is None or self.received_at.utcoffset() is None:
            raise ValueError(f"received_at of {self.item_id} must be timezone-aware")
        if self.kind == "reply" and not self.in_reply_to:
            raise ValueError(f"reply {self.item_id} must name the item it answers")

    @property
    def is_feedback(self) -> bool:
        """Whether the item is a customer's words (a comment or a message)."""
        return self.kind in ("comment", "message")
