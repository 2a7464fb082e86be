"""Why the feedback service answers "no"; the API answers each as problem+json::

FeedbackError
├── WindowNotFound        404  no feedback window for that post
├── DocumentNotIssued     404  the post's window has not closed yet: no document
└── EnquiryNotFound       404  no enquiry with that id in the log

:class:`ItemsStoredConcurrently` is no answer: a unit of work storing items raced
another writer storing one of them, and is run again.

Request problems that are not domain rules (a batch over the size limit, an unknown
document format, a refused WeChat push) stay ``ProblemError`` in the routes.
"""

from __future__ import annotations

from datetime import datetime

from shared.problems import ACCOUNT_PROBLEMS, ProblemMap, ProblemSpec

__all__ = [
    "PROBLEMS",
    "DocumentNotIssued",
    "EnquiryNotFound",
    "FeedbackError",
    "ItemsStoredConcurrently",
    "WindowNotFound",
]


class FeedbackError(Exception):
    """Base of the service's domain errors; ``detail`` is what the answer explains."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class WindowNotFound(FeedbackError):
    """No feedback window was opened for this post."""

    def __init__(self, post_id: str) -> None:
        super().__init__(f"No feedback window for post {post_id!r}.")
        self.post_id = post_id


class DocumentNotIssued(FeedbackError):
    """The post's window is still open: its document is issued when it closes."""

    def __init__(self, post_id: str, closes_at: datetime) -> None:
        super().__init__(
            f"The window of {post_id!r} closes at {closes_at.isoformat()}; "
            "its document is issued then."
        )
        self.post_id = post_id


class EnquiryNotFound(FeedbackError):
    """No enquiry with this id (``source:source_id``) in the log."""

    def __init__(self, enquiry_id: str) -> None:
        super().__init__(f"No enquiry {enquiry_id!r}.")
        self.enquiry_id = enquiry_id


class ItemsStoredConcurrently(Exception):
    """An item of the transaction was stored by a concurrent writer first (the unique
    natural key or event id refused it): running the transaction again sees it stored."""


_NOT_FOUND = ProblemSpec(404, "Not found")

PROBLEMS: ProblemMap = {
    **ACCOUNT_PROBLEMS,
    WindowNotFound: _NOT_FOUND,
    DocumentNotIssued: _NOT_FOUND,
    EnquiryNotFound: _NOT_FOUND,
}
