"""Why the review service refuses a command; the API answers each as problem+json::

ReviewError
├── ReviewNotFound        404  no review with that id
├── FourEyesViolation     403  the author (or submitter) may not approve their own draft
├── ReviewClosed          409  already decided, or superseded by a newer revision
├── ContentChanged        409  the reviewer saw other content than the review holds
├── OverrideRequired      409  blocking findings, and no written override reason
└── LexiconRefused        404/409/422  a lexicon change that cannot be made
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ContentChanged",
    "FourEyesViolation",
    "LexiconRefused",
    "OverrideRequired",
    "ReviewClosed",
    "ReviewError",
    "ReviewNotFound",
]


class ReviewError(Exception):
    """Base: a command refused, with a title, a status and the fields to blame."""

    status = 409
    title = "Review refused"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class ReviewNotFound(ReviewError):
    """No review has this id."""

    status = 404
    title = "Review not found"


class FourEyesViolation(ReviewError):
    """The four-eyes rule: nobody approves a draft they wrote or submitted."""

    status = 403
    title = "Four-eyes rule: you cannot approve your own draft"


class ReviewClosed(ReviewError):
    """The review is no longer pending (decided, or a newer revision superseded it)."""

    title = "Review is no longer pending"


class ContentChanged(ReviewError):
    """The approval names content (hash or revision) other than the review's."""

    title = "Content changed since you opened it"


class OverrideRequired(ReviewError):
    """Blocking findings stop approval unless the reviewer writes an override reason."""

    title = "Blocking findings need an override"


class LexiconRefused(ReviewError):
    """A lexicon change that cannot be made (bad term, unknown term, configured term)."""

    title = "Lexicon change refused"

    def __init__(
        self, detail: str, *, status: int = 409, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(detail, errors=errors)
        self.status = status
