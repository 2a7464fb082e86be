"""The reporting service's collection names, indexes and limits, and the repositories' base."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from shared.accounts import DEFAULT_ACCOUNT
from shared.events import FailureCode
from shared.mongo import IndexSpec, MongoDoc, account_filter

__all__ = [
    "ACCOUNT_COLLECTIONS",
    "CANCELLED",
    "DIGESTS",
    "FEEDBACK",
    "MAX_FILE_BYTES",
    "POSTS",
    "POST_METRICS",
    "READ_MODEL",
    "REPORTING_INDEXES",
    "REPORTS",
    "REPORT_FILES",
    "SCHEDULE_STATE",
    "SessionRepository",
    "facts_of",
]

POSTS = "posts"
FEEDBACK = "feedback"
POST_METRICS = "post_metrics"
DIGESTS = "digests"
REPORTS = "reports"
REPORT_FILES = "report_files"
SCHEDULE_STATE = "schedule_state"
CANCELLED = FailureCode.CANCELLED.value
READ_MODEL = (POSTS, FEEDBACK, POST_METRICS, DIGESTS, REPORTS)
"""Collections whose sizes are exported as metrics."""
ACCOUNT_COLLECTIONS = (POSTS, FEEDBACK, POST_METRICS, DIGESTS, REPORTS)
"""Collections whose documents carry ``account`` (#12); older ones become the default's."""

MAX_FILE_BYTES = 12 * 1024 * 1024
"""A rendered file larger than this is not stored (it is rendered again on request)."""

REPORTING_INDEXES = (
    IndexSpec(
        POSTS,
        (
            IndexModel([("at", ASCENDING)], name="at"),
            IndexModel([("account", ASCENDING), ("at", ASCENDING)], name="account_at"),
        ),
    ),
    IndexSpec(
        FEEDBACK,
        (
            IndexModel([("post_id", ASCENDING)], name="post"),
            IndexModel([("in_reply_to", ASCENDING)], name="in_reply_to", sparse=True),
        ),
    ),
    IndexSpec(
        REPORTS,
        (
            IndexModel([("generated_at", DESCENDING)], name="generated"),
            IndexModel([("kind", ASCENDING), ("generated_at", DESCENDING)], name="kind_generated"),
            IndexModel(
                [("account", ASCENDING), ("generated_at", DESCENDING)], name="account_generated"
            ),
            IndexModel(
                [("account", ASCENDING), ("kind", ASCENDING), ("generated_at", DESCENDING)],
                name="account_kind_generated",
            ),
        ),
    ),
)

Session = AsyncClientSession | None


def facts_of(accounts: Sequence[str]) -> MongoDoc:
    """The query part that keeps read-model entries to ``accounts``.

    The default account also reads entries without ``account``: those written before
    accounts until the start-up has adopted them (a report made in that moment misses
    nothing), or by a tool that knows no accounts. Reports never use it: a report of
    every account together has ``account`` null.
    """
    if DEFAULT_ACCOUNT in accounts:
        return {"account": {"$in": [*accounts, None]}}
    return account_filter(accounts)


class SessionRepository:
    """A repository on ``db``, in ``session`` when given (a unit of work's), else unbound."""

    def __init__(self, db: AsyncDatabase[MongoDoc], session: Session = None) -> None:
        self._db = db
        self._session = session
