"""What the reporting use cases need of the store, as Protocols.

:class:`ReportingTx` is what a use case's unit of work hands it: the repositories bound to
one transaction, and ``emit``. :mod:`~services.reporting.repository` implements every
Protocol on MongoDB (``tx.binder``), ``tests/unit/reporting/fakes.py`` in memory. The same
repositories without a transaction serve the read side: building a report, the routes,
the gauges, and the feedback path (one write per event, idempotent by itself).

Read-model entries travel as the documents :mod:`~services.reporting.domain` builds
(``Doc``): the rules that make them live there, the repositories only store them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from services.reporting.domain import Doc
from services.reporting.domain.followers import BranchRef
from shared.outbox import Transaction
from shared.ports import AuditTrail, JobsInTransaction

__all__ = [
    "DigestRepository",
    "FeedbackRepository",
    "FollowerRepository",
    "FollowersTx",
    "JobScheduler",
    "PostRepository",
    "ReadModelStats",
    "ReportRepository",
    "ReportingTx",
    "ScheduleState",
]


class PostRepository(Protocol):
    """Published and failed posts, one entry per post (``_id = post_id``)."""

    async def get(self, post_id: str) -> Doc | None: ...

    async def save(self, doc: Doc) -> None:
        """Store the post's entry, replacing the previous one."""
        ...

    async def account_of(self, post_id: str) -> str | None:
        """The account of a stored post; None when it is not stored."""
        ...

    async def between(self, start: datetime, end: datetime, accounts: Sequence[str]) -> list[Doc]:
        """Posts of ``accounts`` placed in ``[start, end)`` (by publish or failure time),
        oldest first."""
        ...


class DigestRepository(Protocol):
    """The latest core-issues document of each post (``_id = post_id``)."""

    async def get(self, post_id: str) -> Doc | None: ...

    async def save(self, doc: Doc) -> None:
        """Store the post's digest, replacing the previous one."""
        ...

    async def of_posts(self, post_ids: Sequence[str]) -> list[Doc]: ...


class FeedbackRepository(Protocol):
    """Feedback items and the latest metric snapshot of each post: written one event at
    a time without a transaction (each write is idempotent by itself)."""

    async def insert(self, doc: Doc) -> bool:
        """Store an item; False when its natural key (``source:source_id``) is stored."""
        ...

    async def save_metric(self, doc: Doc) -> bool:
        """Keep the snapshot if it is newer than the stored one; False when it is not."""
        ...

    async def post_of(self, ref: str) -> str | None:
        """The post a stored item (``source:source_id``) is about, if known."""
        ...

    async def of_posts(self, post_ids: Sequence[str]) -> list[Doc]:
        """Items of the posts, and replies without a post that answer them."""
        ...

    async def metrics_of(self, post_ids: Sequence[str]) -> list[Doc]:
        """The latest metric snapshot of each of the posts that has one."""
        ...


class ReportRepository(Protocol):
    """Stored reports (listing fields and the report as JSON) and their rendered files."""

    async def insert(self, doc: Doc, files: Mapping[str, Doc]) -> None:
        """Store a report and its rendered files (a file too large is left out)."""
        ...

    async def get(self, report_id: str) -> Doc | None: ...

    async def get_file(self, report_id: str, fmt: str) -> Doc | None: ...

    async def page(
        self,
        *,
        kind: str | None,
        accounts: Sequence[str],
        combined: bool,
        offset: int,
        limit: int,
    ) -> tuple[list[Doc], int]:
        """A page of the reports of ``accounts`` (and of the combined ones when
        ``combined``) without their content, newest first, and how many there are."""
        ...

    async def latest_generated(self, kinds: Sequence[str]) -> dict[str, datetime]:
        """When the newest report of each kind was generated (kinds without one omitted)."""
        ...


class ScheduleState(Protocol):
    """Per report kind, the business instant up to which due periods were scheduled."""

    async def watermark(self, kind: str, *, default: datetime) -> datetime:
        """The kind's watermark; ``default`` on first use."""
        ...

    async def advance(self, kind: str, until: datetime) -> None:
        """Move the watermark forward (never back)."""
        ...


class ReadModelStats(Protocol):
    async def sizes(self) -> dict[str, int]:
        """Entries in each read-model collection."""
        ...

    async def holds_data_before(self, end: datetime, accounts: Sequence[str]) -> bool:
        """Whether the read model holds anything of ``accounts`` placed before ``end``: a
        post published or failed (a cancelled one is no data: reports leave it out), a
        feedback item, a metric snapshot, a follower's change or a branch saved (#14)."""
        ...


class JobScheduler(Protocol):
    """Creating the keyed job of a due period (``shared.jobs.TimedJobs``)."""

    async def schedule(
        self, key: str, *, kind: str, due_at: datetime, payload: dict[str, Any] | None = None
    ) -> bool:
        """Create the job unless it exists; True when this call created it."""
        ...


class ReportingTx(Transaction, Protocol):
    """The repositories a use case writes through, bound to one transaction, and
    ``emit`` (the event is published if, and only if, the transaction commits)."""

    @property
    def posts(self) -> PostRepository: ...

    @property
    def digests(self) -> DigestRepository: ...

    @property
    def reports(self) -> ReportRepository: ...

    @property
    def jobs(self) -> JobsInTransaction: ...

    @property
    def audit(self) -> AuditTrail: ...


class FollowerRepository(Protocol):
    """The followers read model (issue #14): changes, followers' latest state, branches."""

    async def get_follower(self, key: str) -> Doc | None:
        """A follower's entry by its id (``follower_key(account, openid)``)."""
        ...

    async def save_follower(self, doc: Doc) -> None: ...

    async def save_change(self, doc: Doc) -> None:
        """Store a change under its natural key (a repeat replaces it)."""
        ...

    async def get_branch(self, key: str) -> Doc | None:
        """A branch's entry by its id (``branch_key(account, code)``)."""
        ...

    async def save_branch(self, doc: Doc) -> None: ...

    async def changes_between(
        self, start: datetime, end: datetime, accounts: Sequence[str]
    ) -> list[Doc]:
        """Changes of ``accounts`` placed in ``[start, end)``, oldest first."""
        ...

    async def branches(self, accounts: Sequence[str]) -> list[Doc]: ...

    async def attributed_before(
        self, end: datetime, accounts: Sequence[str]
    ) -> dict[BranchRef, int]:
        """Per ``(account, branch code)``: its code's subscriptions minus unsubscriptions
        before ``end``."""
        ...


class FollowersTx(Transaction, Protocol):
    """The followers repository bound to one transaction, and ``emit``."""

    @property
    def followers(self) -> FollowerRepository: ...
