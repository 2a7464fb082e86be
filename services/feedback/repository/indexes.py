"""The feedback service's collections and their indexes.

Idempotency lives in unique indexes: ``feedback_items`` is unique on
``(source, source_id)`` (the contract's natural key) **and** on ``event_id`` (the AMQP
message id), ``windows`` on the post id, ``documents`` on the digest id and on the post
id. So a duplicate, by any door, is a duplicate-key error and never a second record, and
as an item and its enquiry are one document, storing both is one atomic insert: the
AMQP hot path needs no transaction.

Accounts (#12): every list the routes serve filters on ``account`` first, so the indexes
serving them lead with it; documents written before accounts get ``default`` once at
start-up (:data:`ACCOUNT_COLLECTIONS`, ``shared.mongo.adopt_default_account``).
"""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, IndexModel

from shared.mongo import IndexSpec

__all__ = [
    "ACCOUNT_COLLECTIONS",
    "DOCUMENTS",
    "DUPLICATE_KEY",
    "INDEXES",
    "ITEMS",
    "PUSH_EVENTS",
    "WINDOWS",
]

ITEMS, WINDOWS = "feedback_items", "windows"
DOCUMENTS, PUSH_EVENTS = "documents", "push_events"
DUPLICATE_KEY = 11000
ACCOUNT_COLLECTIONS = (ITEMS, WINDOWS, DOCUMENTS)
"""The collections whose documents carry ``account``."""

INDEXES = (
    IndexSpec(
        ITEMS,
        (
            IndexModel(
                [("source", ASCENDING), ("source_id", ASCENDING)], name="natural_key", unique=True
            ),
            IndexModel([("event_id", ASCENDING)], name="event_id", unique=True),
            IndexModel([("post_id", ASCENDING), ("received_at", ASCENDING)], name="post"),
            IndexModel([("in_reply_to", ASCENDING)], name="in_reply_to", sparse=True),
            IndexModel([("account", ASCENDING), ("received_at", DESCENDING)], name="account"),
            IndexModel(
                [("account", ASCENDING), ("post_id", ASCENDING), ("received_at", ASCENDING)],
                name="account_post",
            ),
            # Sparse: only the items that need a reply pay for it (the log and the sweep).
            IndexModel(
                [("enquiry.state", ASCENDING), ("enquiry.deadline", ASCENDING)],
                name="enquiry",
                sparse=True,
            ),
        ),
    ),
    IndexSpec(
        WINDOWS,
        (
            IndexModel([("state", ASCENDING), ("starts_at", DESCENDING)], name="state"),
            IndexModel(
                [("category", ASCENDING), ("state", ASCENDING), ("published_at", DESCENDING)],
                name="history",
            ),
            IndexModel([("account", ASCENDING), ("starts_at", DESCENDING)], name="account"),
            IndexModel(
                [
                    ("account", ASCENDING),
                    ("category", ASCENDING),
                    ("state", ASCENDING),
                    ("published_at", DESCENDING),
                ],
                name="account_history",
            ),
        ),
    ),
    IndexSpec(DOCUMENTS, (IndexModel([("post_id", ASCENDING)], name="post", unique=True),)),
)
