"""The norm checker in force on this replica, with the lexicon every replica agrees on.

:class:`CheckerProvider` keeps one :class:`~services.review.norms.NormChecker` per
replica. Before a check it reads the stored lexicon ``revision`` (one find by ``_id``;
with ``REVIEW_LEXICON_REFRESH_SECONDS`` > 0 at most that often) and rebuilds the checker
when another replica changed the lexicon. The version recorded on each check is the
checker's own (a hash of the content in force, confidential terms included).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from services.review.norms import Lexicon, NormChecker, Term
from services.review.ports import LexiconSource

__all__ = ["CheckerProvider", "LoadedLexicon"]


@dataclass(frozen=True)
class LoadedLexicon:
    """A checker and what it was built from."""

    revision: int
    base: Lexicon  # shipped + run-time changes, before the configured confidential terms
    checker: NormChecker
    added: frozenset[str]  # normalised keys people added
    removed: frozenset[str]  # normalised keys people removed
    base_keys: frozenset[str]  # normalised keys of ``base``

    def source(self, key: str) -> Literal["shipped", "added", "configured"]:
        """Where the term with normalised form ``key`` comes from."""
        if key not in self.base_keys:
            return "configured"
        return "added" if key in self.added else "shipped"


class CheckerProvider:
    """The checker in force on this replica, reloaded when the stored revision moves."""

    def __init__(
        self,
        repo: LexiconSource,
        *,
        shipped: Lexicon,
        confidential_terms: Iterable[str] = (),
        allowed_email_domains: Iterable[str] = (),
        today: Callable[[], date] = date.today,
        refresh_seconds: float = 0.0,
    ) -> None:
        self._repo = repo
        self._shipped = shipped
        self._confidential = tuple(confidential_terms)
        self._email_domains = tuple(allowed_email_domains)
        self._today = today
        self._refresh = refresh_seconds
        self._loaded: LoadedLexicon | None = None
        self._read_at = 0.0
        self._lock = asyncio.Lock()

    @property
    def confidential_terms(self) -> tuple[str, ...]:
        return self._confidential

    async def current(self) -> LoadedLexicon:
        """The lexicon in force now (reloaded if another replica changed it)."""
        loaded = self._loaded
        if (
            loaded is not None
            and self._refresh > 0
            and time.monotonic() - self._read_at < self._refresh
        ):
            return loaded
        revision = await self._repo.revision()
        self._read_at = time.monotonic()
        if loaded is not None and loaded.revision == revision:
            return loaded
        async with self._lock:
            if self._loaded is not None and self._loaded.revision == revision:
                return self._loaded
            # Reading the changes after the revision: a change in between is included
            # and only makes the next call reload once more.
            changes = await self._repo.changes()
            added = [c.term() for c in changes if c["action"] == "add"]
            removed = [c["_id"] for c in changes if c["action"] == "remove"]
            self._loaded = await asyncio.to_thread(self._build, revision, added, removed)
            return self._loaded

    async def checker(self) -> NormChecker:
        return (await self.current()).checker

    def _build(self, revision: int, added: list[Term], removed: list[str]) -> LoadedLexicon:
        base = self._shipped.with_changes(added=added, removed=removed)
        checker = NormChecker(
            base,
            confidential_terms=self._confidential,
            allowed_email_domains=self._email_domains,
            today=self._today,
        )
        return LoadedLexicon(
            revision=revision,
            base=base,
            checker=checker,
            added=frozenset(t.key for t in added),
            removed=frozenset(removed),
            base_keys=frozenset(t.key for t in base.terms),
        )
