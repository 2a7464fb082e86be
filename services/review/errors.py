"""Why the review service refuses a command, and how the API answers each (``PROBLEMS``)::

ReviewError
├── ReviewNotFound        404  no review with that id
├── FourEyesViolation     403  who wrote, rewrote or submitted any revision may not approve
├── AccountForbidden      403  the role is not held on the review's account (#12)
├── ReviewClosed          409  already decided, or superseded by a newer revision
├── ContentChanged        409  the reviewer saw other content than the review holds
├── OverrideRequired      409  blocking findings, and no written override reason
└── LexiconRefused        409  a lexicon change that cannot be made
    ├── InvalidTerm       422  the term is not a valid lexicon term
    └── UnknownTerm       404  the term to remove is not in force

The errors know nothing of HTTP: only :data:`PROBLEMS` says what each becomes
(problem+json, ``type`` ``urn:contentops:problem:review:<kind>``; an account this
deployment does not have is ``shared.problems.ACCOUNT_PROBLEMS``' 404).
"""

from __future__ import annotations

from typing import Any

from shared.problems import ACCOUNT_PROBLEMS, ProblemMap, ProblemSpec

__all__ = [
    "PROBLEMS",
    "AccountForbidden",
    "ContentChanged",
    "FourEyesViolation",
    "InvalidTerm",
    "LexiconRefused",
    "OverrideRequired",
    "ReviewClosed",
    "ReviewError",
    "ReviewNotFound",
    "UnknownTerm",
]


class ReviewError(Exception):
    """Base: a command refused, with what went wrong and the fields to blame."""

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class ReviewNotFound(ReviewError):
    """No review has this id."""


class FourEyesViolation(ReviewError):
    """The four-eyes rule: nobody approves a draft they wrote, rewrote or submitted."""


class AccountForbidden(ReviewError):
    """The actor holds none of the roles the command needs on the review's account (a
    reviewer of one official account deciding for another)."""


class ReviewClosed(ReviewError):
    """The review is no longer pending (decided, or a newer revision superseded it)."""


class ContentChanged(ReviewError):
    """The approval names content (hash or revision) other than the review's."""


class OverrideRequired(ReviewError):
    """Blocking findings stop approval unless the reviewer writes an override reason."""


class LexiconRefused(ReviewError):
    """A lexicon change that cannot be made (e.g. removing a configured term)."""


class InvalidTerm(LexiconRefused):
    """The text is not a valid lexicon term (too short, too long, empty after normalising)."""


class UnknownTerm(LexiconRefused):
    """The term to remove is not in force."""


def _problem(status: int, title: str, kind: str) -> ProblemSpec:
    return ProblemSpec(status, title, f"urn:contentops:problem:review:{kind}")


_LEXICON_REFUSED = "Lexicon change refused"

PROBLEMS: ProblemMap = {
    **ACCOUNT_PROBLEMS,
    ReviewError: _problem(409, "Review refused", "review-error"),
    ReviewNotFound: _problem(404, "Review not found", "review-not-found"),
    FourEyesViolation: _problem(
        403, "Four-eyes rule: you cannot approve your own draft", "four-eyes-violation"
    ),
    AccountForbidden: ProblemSpec(403, "Forbidden", "urn:contentops:problem:forbidden-account"),
    ReviewClosed: _problem(409, "Review is no longer pending", "review-closed"),
    ContentChanged: _problem(409, "Content changed since you opened it", "content-changed"),
    OverrideRequired: _problem(409, "Blocking findings need an override", "override-required"),
    LexiconRefused: _problem(409, _LEXICON_REFUSED, "lexicon-refused"),
    InvalidTerm: _problem(422, _LEXICON_REFUSED, "lexicon-refused"),
    UnknownTerm: _problem(404, _LEXICON_REFUSED, "lexicon-refused"),
}
"""Each domain error's answer; the most specific class wins."""
