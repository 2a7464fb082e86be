"""Auto-replies: what the account answers, keyword rules, active hours (China time).

A rule answers a text message whose (normalised) text equals its keyword (``exact``) or
contains it (``contains``), during its active hours if it has them; among the rules that
match, the highest ``priority`` wins, then exact before contains, then the longer keyword,
then the older rule. A message no rule answers gets the default reply, if one is set.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import time
from enum import StrEnum

from shared.accounts import DEFAULT_ACCOUNT

__all__ = [
    "MAX_KEYWORD_CHARS",
    "ActiveHours",
    "Article",
    "KeywordRule",
    "MatchMode",
    "Reply",
    "ReplyKind",
    "normalise",
]

MAX_KEYWORD_CHARS = 30


class ReplyKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    NEWS = "news"


class MatchMode(StrEnum):
    EXACT = "exact"
    CONTAINS = "contains"


@dataclass(frozen=True, slots=True)
class Article:
    """An article card of a ``news`` reply."""

    title: str
    description: str
    pic_url: str
    url: str


@dataclass(frozen=True, slots=True)
class Reply:
    """A passive reply: text, a picture (``media_id``) or an article card."""

    kind: ReplyKind
    text: str = ""
    media_id: str = ""
    articles: tuple[Article, ...] = ()


@dataclass(frozen=True, slots=True)
class ActiveHours:
    """China wall-clock hours ``[start, end)``; ``end <= start`` runs past midnight."""

    start: time
    end: time

    def contains(self, at: time) -> bool:
        if self.start < self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end


@dataclass(frozen=True, slots=True)
class KeywordRule:
    """One keyword rule of one account; ``seq`` orders equal rules (older first)."""

    rule_id: str
    keyword: str
    mode: MatchMode
    reply: Reply
    priority: int = 0
    hours: ActiveHours | None = None
    enabled: bool = True
    seq: int = 0
    account: str = DEFAULT_ACCOUNT
    key: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", normalise(self.keyword))

    def active_at(self, at: time) -> bool:
        return self.enabled and (self.hours is None or self.hours.contains(at))


def normalise(text: str) -> str:
    """NFKC (full-width to half-width), case-folded, outer blanks removed."""
    return unicodedata.normalize("NFKC", text).casefold().strip()
