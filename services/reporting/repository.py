"""The only code that touches the reporting service's collections.

* ``posts`` — one document per post (``_id = post_id``), from ``post.published`` and
  ``post.failed``; ``at`` is the instant that places it in a period.
* ``feedback`` — one document per comment, message, enquiry or reply,
  ``_id = "<source>:<source_id>"`` (the natural key; replies point at it the same way).
  The unique ``_id`` makes a duplicate harmless, so this path writes without a
  transaction or an inbox record: one insert per event.
* ``post_metrics`` — the latest counters snapshot per post (``_id = post_id``), written
  with a conditional upsert (one write per event; an older or repeated snapshot loses).
* ``digests`` — the latest core-issues document per post (``_id = post_id``).
* ``reports`` — one document per report (JSON of the report plus listing fields);
  ``report_files`` — its rendered HTML and XLSX (``_id = "<report_id>:<format>"``), kept
  apart so each document stays far below MongoDB's 16 MB.
* ``schedule_state`` — per report kind, the business instant up to which due periods
  have been scheduled as jobs (``jobs`` itself belongs to :mod:`shared.jobs`).

Each repository takes an optional session: ``binder(jobs)`` gives the ``bind`` that builds
the transaction view (:class:`~services.reporting.ports.ReportingTx`) on a unit of work's
session, with the timed jobs and the audit trail; without one they serve the reads and the
feedback path's single writes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.audit import AuditLog
from shared.events import EventEnvelope, FailureCode
from shared.jobs import SessionJobs, TimedJobs
from shared.mongo import IndexSpec, MongoDoc
from shared.outbox import Tx

__all__ = [
    "MAX_FILE_BYTES",
    "READ_MODEL",
    "REPORTING_INDEXES",
    "MongoDigestRepository",
    "MongoFeedbackRepository",
    "MongoPostRepository",
    "MongoReadModelStats",
    "MongoReportRepository",
    "MongoReportingTx",
    "MongoScheduleState",
    "binder",
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

MAX_FILE_BYTES = 12 * 1024 * 1024
"""A rendered file larger than this is not stored (it is rendered again on request)."""

REPORTING_INDEXES = (
    IndexSpec(POSTS, (IndexModel([("at", ASCENDING)], name="at"),)),
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
        ),
    ),
)

Session = AsyncClientSession | None
_LIST_FIELDS = {"report_json": 0}


class _Repository:
    def __init__(self, db: AsyncDatabase[MongoDoc], session: Session = None) -> None:
        self._db = db
        self._session = session


class MongoPostRepository(_Repository):
    """``posts``: one document per post, written in the consumer's transaction."""

    async def get(self, post_id: str) -> MongoDoc | None:
        return await self._db[POSTS].find_one({"_id": post_id}, session=self._session)

    async def save(self, doc: MongoDoc) -> None:
        await self._db[POSTS].replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=self._session
        )

    async def between(self, start: datetime, end: datetime) -> list[MongoDoc]:
        """Posts placed in ``[start, end)`` (by publish or failure time)."""
        cursor = self._db[POSTS].find({"at": {"$gte": start, "$lt": end}}, session=self._session)
        return await cursor.sort("at", ASCENDING).to_list(None)


class MongoDigestRepository(_Repository):
    """``digests``: the latest core-issues document per post."""

    async def get(self, post_id: str) -> MongoDoc | None:
        return await self._db[DIGESTS].find_one({"_id": post_id}, session=self._session)

    async def save(self, doc: MongoDoc) -> None:
        await self._db[DIGESTS].replace_one(
            {"_id": doc["_id"]}, doc, upsert=True, session=self._session
        )

    async def of_posts(self, post_ids: Sequence[str]) -> list[MongoDoc]:
        cursor = self._db[DIGESTS].find({"_id": {"$in": list(post_ids)}}, session=self._session)
        return await cursor.to_list(None)


class MongoFeedbackRepository(_Repository):
    """``feedback`` and ``post_metrics``: one write per event, no transaction."""

    async def insert(self, doc: MongoDoc) -> bool:
        """Store a feedback item; False when its natural key is already stored."""
        try:
            await self._db[FEEDBACK].insert_one(doc, session=self._session)
        except DuplicateKeyError:
            return False
        return True

    async def save_metric(self, doc: MongoDoc) -> bool:
        """Keep the snapshot if it is newer than the stored one; False when it is not."""
        fields = {k: v for k, v in doc.items() if k != "_id"}
        try:
            await self._db[POST_METRICS].update_one(
                {"_id": doc["_id"], "at": {"$lt": doc["at"]}},
                {"$set": fields},
                upsert=True,
                session=self._session,
            )
        except DuplicateKeyError:  # the stored snapshot is as new or newer
            return False
        return True

    async def post_of(self, ref: str) -> str | None:
        """The post a stored feedback item is about, if known."""
        doc = await self._db[FEEDBACK].find_one({"_id": ref}, {"post_id": 1}, session=self._session)
        return None if doc is None else doc.get("post_id")

    async def of_posts(self, post_ids: Sequence[str]) -> list[MongoDoc]:
        """Feedback items of the posts, and replies without a post that answer them."""
        fields = {"kind": 1, "post_id": 1, "at": 1, "in_reply_to": 1}
        coll = self._db[FEEDBACK]
        query = {"post_id": {"$in": list(post_ids)}}
        items = await coll.find(query, fields, session=self._session).to_list(None)
        refs = {d["_id"] for d in items if d["kind"] != "reply"}
        # Few replies lack a post (those that came before the item they answer), so they
        # are fetched by the indexed null post_id and matched here: an ``$in`` over every
        # item id costs far more on the embedded store.
        orphans = await coll.find(
            {"post_id": None, "kind": "reply"}, fields, session=self._session
        ).to_list(None)
        items.extend(d for d in orphans if d.get("in_reply_to") in refs)
        return items

    async def metrics_of(self, post_ids: Sequence[str]) -> list[MongoDoc]:
        query = {"_id": {"$in": list(post_ids)}}
        return await self._db[POST_METRICS].find(query, session=self._session).to_list(None)


class MongoReportRepository(_Repository):
    """``reports`` and their rendered files in ``report_files``."""

    async def insert(self, doc: MongoDoc, files: Mapping[str, MongoDoc]) -> None:
        """Store a report and its rendered files (inside the caller's transaction)."""
        await self._db[REPORTS].insert_one(doc, session=self._session)
        stored = [
            {"_id": f"{doc['_id']}:{fmt}", "report_id": doc["_id"], "format": fmt, **f}
            for fmt, f in files.items()
            if f["size"] <= MAX_FILE_BYTES
        ]
        if stored:
            await self._db[REPORT_FILES].insert_many(stored, session=self._session)

    async def get(self, report_id: str) -> MongoDoc | None:
        return await self._db[REPORTS].find_one({"_id": report_id}, session=self._session)

    async def get_file(self, report_id: str, fmt: str) -> MongoDoc | None:
        return await self._db[REPORT_FILES].find_one(
            {"_id": f"{report_id}:{fmt}"}, session=self._session
        )

    async def page(
        self, *, kind: str | None, offset: int, limit: int
    ) -> tuple[list[MongoDoc], int]:
        """A page of reports, newest first, and how many there are."""
        query: dict[str, Any] = {} if kind is None else {"kind": kind}
        total = await self._db[REPORTS].count_documents(query, session=self._session)
        cursor = (
            self._db[REPORTS]
            .find(query, _LIST_FIELDS, session=self._session)
            .sort([("generated_at", DESCENDING), ("_id", ASCENDING)])
            .skip(offset)
            .limit(limit)
        )
        return await cursor.to_list(None), total

    async def latest_generated(self, kinds: Sequence[str]) -> dict[str, datetime]:
        """When the newest report of each kind was generated (kinds without one omitted)."""
        out: dict[str, datetime] = {}
        for kind in kinds:
            doc = await self._db[REPORTS].find_one(
                {"kind": kind},
                {"generated_at": 1},
                sort=[("generated_at", DESCENDING)],
                session=self._session,
            )
            if doc is not None:
                out[kind] = doc["generated_at"]
        return out


class MongoReadModelStats(_Repository):
    async def sizes(self) -> dict[str, int]:
        """Documents in each read-model collection."""
        return {name: await self._db[name].estimated_document_count() for name in READ_MODEL}

    async def holds_data_before(self, end: datetime) -> bool:
        """Anything placed before ``end``: a post published or failed (not cancelled), a
        feedback item or a metric snapshot. Posts use the ``at`` index; the feedback
        collections stop at the first match (once an account runs, one of the first)."""
        before = {"at": {"$lt": end}}
        post = {**before, "$or": [{"status": "published"}, {"failure.code": {"$ne": CANCELLED}}]}
        for name, query in ((POSTS, post), (FEEDBACK, before), (POST_METRICS, before)):
            if await self._db[name].find_one(query, {"_id": 1}, session=self._session):
                return True
        return False


class MongoScheduleState(_Repository):
    """``schedule_state``: per report kind, up to when due periods were scheduled."""

    async def watermark(self, kind: str, *, default: datetime) -> datetime:
        """Up to when ``kind``'s due periods were scheduled; ``default`` on first use."""
        # DuplicateKeyError: another replica created it at the same moment.
        with contextlib.suppress(DuplicateKeyError):
            await self._db[SCHEDULE_STATE].update_one(
                {"_id": kind},
                {"$setOnInsert": {"since": default}},
                upsert=True,
                session=self._session,
            )
        doc = await self._db[SCHEDULE_STATE].find_one({"_id": kind}, session=self._session)
        assert doc is not None
        since: datetime = doc["since"]
        return since

    async def advance(self, kind: str, until: datetime) -> None:
        """Move the watermark forward (never back: ``$max``)."""
        await self._db[SCHEDULE_STATE].update_one(
            {"_id": kind}, {"$max": {"since": until}}, session=self._session
        )


@dataclass(frozen=True)
class MongoReportingTx:
    """:class:`~services.reporting.ports.ReportingTx` on one MongoDB transaction."""

    posts: MongoPostRepository
    digests: MongoDigestRepository
    reports: MongoReportRepository
    jobs: SessionJobs
    audit: AuditLog
    emit: Callable[[EventEnvelope], None]


def binder(jobs: TimedJobs) -> Callable[[Tx], MongoReportingTx]:
    """``bind(tx)`` for ``BoundUnitOfWork``: every repository on the transaction's session."""

    def bind(tx: Tx) -> MongoReportingTx:
        return MongoReportingTx(
            posts=MongoPostRepository(tx.db, tx.session),
            digests=MongoDigestRepository(tx.db, tx.session),
            reports=MongoReportRepository(tx.db, tx.session),
            jobs=jobs.in_session(tx.session),
            audit=AuditLog(tx.db, tx.session),
            emit=tx.emit,
        )

    return bind
