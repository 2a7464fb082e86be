"""A run-time lexicon change as stored: the latest instruction for one term."""

from __future__ import annotations

from typing import Any

from services.review.norms import Category, Severity, Term

__all__ = ["LexiconChange"]


class LexiconChange(dict[str, Any]):
    """A stored lexicon change (``_id`` = normalised term, ``action`` = add/remove)."""

    def term(self) -> Term:
        return Term(
            self["text"], Category(self["category"]), Severity(self["severity"]), self["note"]
        )
