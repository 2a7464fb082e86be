"""What the feedback use cases need of the store, as Protocols.

:class:`FeedbackTx` is what a use case's unit of work hands it: the repositories bound to
one transaction, and ``emit``. ``repository/`` implements every Protocol on MongoDB
(``repository.tx.binder``), ``tests/unit/feedback/fakes.py`` in memory. The same
repositories without a transaction serve the AMQP hot path (an item and its enquiry are
one atomic insert), the background jobs and the read side of the routes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from services.feedback.domain.document import IssuedDocument
from services.feedback.domain.enquiry import Delivery, DeliveryState, Enquiry
from services.feedback.domain.item import FeedbackItem
from services.feedback.domain.window import Tail, Window, WindowSpan, WindowState
from shared.outbox import Transaction
from shared.ports import AuditTrail, JobsInTransaction
from shared.wechat import PushMessage

__all__ = [
    "DocumentReader",
    "DocumentRepository",
    "FeedbackTx",
    "ItemReader",
    "ItemRepository",
    "PushEvents",
    "WindowReader",
    "WindowRepository",
]


class ItemRepository(Protocol):
    """Feedback items and the enquiries they carry."""

    async def insert_unordered(self, items: Sequence[FeedbackItem]) -> list[bool]:
        """Insert what is new; True where stored, False where a duplicate."""
        ...

    async def insert(self, items: Sequence[FeedbackItem]) -> None:
        """Insert new items; a duplicate fails (and so aborts the transaction)."""
        ...

    async def existing_keys(self, keys: Iterable[tuple[str, str]]) -> set[str]:
        """Which of these ``(source, source_id)`` pairs are stored already (as item keys)."""
        ...

    async def mark_tail_late(self, post_id: str, tail: Tail) -> int:
        """Flag late the post's items stored since ``tail.since`` and not ``included``."""
        ...

    async def replies_to(self, keys: Sequence[str]) -> list[FeedbackItem]:
        """Reply items answering any of ``keys``, oldest first."""
        ...

    async def of_post(self, post_id: str, *, account: str) -> list[FeedbackItem]:
        """The post's items of ``account`` (the post's window's)."""
        ...

    async def get_enquiry(self, key: str) -> FeedbackItem | None:
        """The item ``source:source_id`` if it carries an enquiry."""
        ...

    async def answer_enquiry(
        self, item: FeedbackItem, *, previous: datetime | None, answered: Enquiry
    ) -> bool:
        """Record the answer if the enquiry's answer time is still ``previous``."""
        ...

    async def open_enquiry_keys(self, *, after: Any | None, limit: int) -> tuple[list[str], Any]:
        """A page of open enquiries' keys, and where the next page starts."""
        ...

    async def mark_breaches(self, now: datetime) -> int:
        """Flag open enquiries past their deadline; how many this call flagged."""
        ...

    async def count_open_enquiries(self, *, due_by: datetime | None = None) -> int: ...

    async def start_delivery(self, item: FeedbackItem, delivery: Delivery) -> bool:
        """Record that the answer is to be sent; False when it has a delivery already."""
        ...

    async def begin_delivery_attempt(
        self, item: FeedbackItem, *, attempts: int, now: datetime
    ) -> bool:
        """Mark a send in flight; False when not pending or already marked in flight."""
        ...

    async def settle_delivery(
        self,
        item: FeedbackItem,
        *,
        state: DeliveryState,
        error: str | None,
        sent_at: datetime | None,
    ) -> None:
        """Record how an attempt ended (and clear the in-flight mark)."""
        ...


class WindowRepository(Protocol):
    """The posts' feedback windows."""

    async def create(self, window: Window) -> bool:
        """Open the window unless the post has one; True when this call created it."""
        ...

    async def get(self, post_id: str) -> Window | None: ...

    async def close(self, window: Window) -> bool:
        """Store the close of a window still open; False when it was closed already."""
        ...

    async def spans(self, post_ids: Iterable[str], *, with_open: bool) -> list[WindowSpan]:
        """The windows of these posts and, with ``with_open``, every open window."""
        ...

    async def recently_closed(self, since: datetime) -> list[Window]: ...

    async def category_history(
        self, category: str, *, account: str, before: datetime, limit: int
    ) -> list[Window]:
        """Closed windows of ``account`` and a category published before ``before``, newest
        first."""
        ...

    async def count_open(self) -> int: ...


class DocumentRepository(Protocol):
    """Issued core-issues documents, one per post."""

    async def store(self, document: IssuedDocument) -> None: ...

    async def get(self, digest_id: str) -> IssuedDocument | None: ...


class FeedbackTx(Transaction, Protocol):
    """What a feedback use case's unit of work hands it."""

    @property
    def items(self) -> ItemRepository: ...

    @property
    def windows(self) -> WindowRepository: ...

    @property
    def documents(self) -> DocumentRepository: ...

    @property
    def jobs(self) -> JobsInTransaction: ...

    @property
    def audit(self) -> AuditTrail: ...


class ItemReader(ItemRepository, Protocol):
    """Items as the routes list them."""

    async def page(
        self,
        *,
        accounts: Sequence[str],
        offset: int,
        limit: int,
        post_id: str | None = None,
        kind: str | None = None,
        source: str | None = None,
        late: bool | None = None,
    ) -> tuple[list[FeedbackItem], int]:
        """Stored items of ``accounts`` matching every filter given, newest first, and how
        many match."""
        ...

    async def open_enquiries_by_account(self, *, due_by: datetime | None = None) -> dict[str, int]:
        """Open enquiries per account (with ``due_by``: those due at or before it)."""
        ...

    async def enquiry_page(
        self,
        *,
        accounts: Sequence[str],
        offset: int,
        limit: int,
        state: str | None = None,
        breached: bool | None = None,
        post_id: str | None = None,
        source: str | None = None,
        asked_from: datetime | None = None,
        asked_to: datetime | None = None,
        delivery: str | None = None,
    ) -> tuple[list[FeedbackItem], int]:
        """The enquiry log of ``accounts`` matching every filter given, newest first, and how
        many match."""
        ...


class WindowReader(WindowRepository, Protocol):
    """Windows as the routes list them."""

    async def page(
        self,
        *,
        accounts: Sequence[str],
        offset: int,
        limit: int,
        state: WindowState | None = None,
    ) -> tuple[list[Window], int]:
        """Windows of ``accounts`` (in ``state``, if given), newest first, and how many."""
        ...


class DocumentReader(DocumentRepository, Protocol):
    """Documents as the routes serve them."""

    async def rendering(self, post_id: str, fmt: str) -> str | bytes | None:
        """The post's document in ``fmt``; None before it is issued."""
        ...


class PushEvents(Protocol):
    """Pushed WeChat events that are not feedback."""

    async def record(self, message: PushMessage, *, now: datetime) -> bool:
        """Keep the event once; False when WeChat re-sent it."""
        ...
