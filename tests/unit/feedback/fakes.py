"""In-memory doubles of the feedback service's ports, to run its use cases without a store.

Each repository is a :class:`~tests.fakes.uow.FakeStore` (so a failed unit of work puts
it back as it was) implementing the Protocol of ``services.feedback.ports`` it stands
for, with the store's guarantees the use cases rely on: an item is stored once per
natural key and event id, an enquiry's answer is a compare-and-set, a window closes once,
and (``tests.fakes.jobs``) a timed job is completed only by the claim holding its
current fence.
:func:`fake_feedback` wires them into a ``FeedbackDeps`` on a :class:`FakeUnitOfWork`.

Import it as ``tests.unit.feedback.fakes``: other services' unit tests have a
``fakes.py`` too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from prometheus_client import CollectorRegistry

from services.feedback.deps import FeedbackDeps
from services.feedback.domain.document import IssuedDocument
from services.feedback.domain.enquiry import Delivery, DeliveryState, Enquiry, EnquiryState
from services.feedback.domain.item import FeedbackItem, Incoming, Outcome
from services.feedback.domain.keys import item_key
from services.feedback.domain.window import Tail, Window, WindowSpan, WindowState
from services.feedback.errors import ItemsStoredConcurrently
from services.feedback.metrics import FeedbackMetrics
from services.feedback.repository.lookup import WindowLookup
from services.feedback.settings import FeedbackSettings
from services.feedback.usecases.ingest import store_event_batch
from shared.batching import BatchWriter
from shared.clock import FixedClock
from shared.jobs import TimedJobs
from shared.wechat import PushMessage
from tests.fakes.audit import FakeAudit
from tests.fakes.jobs import FakeJobs
from tests.fakes.uow import FakeStore, FakeTx, FakeUnitOfWork, StoreDown

__all__ = [
    "START",
    "TOKENS",
    "FakeDocuments",
    "FakeFeedback",
    "FakeFeedbackTx",
    "FakeItems",
    "FakeWindows",
    "fake_feedback",
]

START = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
TOKENS = {"system-token-000000000001": {"subject": "crm", "roles": ["system"]}}


class FakeItems(FakeStore):
    """``ItemReader`` over a dict of items by key; ``ref`` is the insertion number."""

    def __init__(self) -> None:
        self.by_key: dict[str, FeedbackItem] = {}
        self.next_ref = 1

    def _taken(self, item: FeedbackItem) -> bool:
        return item.key in self.by_key or any(
            i.event_id == item.event_id for i in self.by_key.values()
        )

    def _put(self, item: FeedbackItem) -> None:
        self.by_key[item.key] = dataclasses.replace(item, ref=self.next_ref)
        self.next_ref += 1

    def _replace(self, item: FeedbackItem, **changes: Any) -> None:
        self.by_key[item.key] = dataclasses.replace(self.by_key[item.key], **changes)

    def _stored(self, item: FeedbackItem) -> FeedbackItem | None:
        stored = self.by_key.get(item.key)
        return stored if stored is not None and stored.ref == item.ref else None

    async def insert_unordered(self, items: Sequence[FeedbackItem]) -> list[bool]:
        stored = []
        for item in items:
            fresh = not self._taken(item)
            if fresh:
                self._put(item)
            stored.append(fresh)
        return stored

    async def insert(self, items: Sequence[FeedbackItem]) -> None:
        for item in items:
            if self._taken(item):
                raise ItemsStoredConcurrently(item.key)
            self._put(item)

    async def existing_keys(self, keys: Iterable[tuple[str, str]]) -> set[str]:
        return {item_key(s, i) for s, i in keys if item_key(s, i) in self.by_key}

    async def mark_tail_late(self, post_id: str, tail: Tail) -> int:
        flagged = [
            i
            for i in self.by_key.values()
            if i.post_id == post_id
            and not i.late
            and i.ingested_at >= tail.since
            and i.ref not in tail.included
        ]
        for item in flagged:
            self._replace(item, late=True)
        return len(flagged)

    async def replies_to(self, keys: Sequence[str]) -> list[FeedbackItem]:
        wanted = set(keys)
        replies = [i for i in self.by_key.values() if i.is_reply and i.in_reply_to in wanted]
        return sorted(replies, key=lambda i: i.received_at)

    async def of_post(self, post_id: str, *, account: str) -> list[FeedbackItem]:
        return [i for i in self.by_key.values() if i.post_id == post_id and i.account == account]

    async def get_enquiry(self, key: str) -> FeedbackItem | None:
        item = self.by_key.get(key)
        return item if item is not None and item.enquiry is not None else None

    async def answer_enquiry(
        self, item: FeedbackItem, *, previous: datetime | None, answered: Enquiry
    ) -> bool:
        stored = self._stored(item)
        if stored is None or stored.enquiry is None or stored.enquiry.answered_at != previous:
            return False
        enquiry = dataclasses.replace(
            stored.enquiry,
            state=answered.state,
            answered_at=answered.answered_at,
            answered_by=answered.answered_by,
            reply_text=answered.reply_text,
            reply_key=answered.reply_key,
            breached=answered.breached,
            time_to_reply_seconds=answered.time_to_reply_seconds,
        )
        self._replace(stored, enquiry=enquiry)
        return True

    def _open(self) -> list[FeedbackItem]:
        return sorted(
            (
                i
                for i in self.by_key.values()
                if i.enquiry is not None and i.enquiry.state is EnquiryState.OPEN
            ),
            key=lambda i: cast(int, i.ref),
        )

    async def open_enquiry_keys(self, *, after: Any | None, limit: int) -> tuple[list[str], Any]:
        page = [i for i in self._open() if after is None or cast(int, i.ref) > after][:limit]
        return [i.key for i in page], page[-1].ref if page else None

    async def mark_breaches(self, now: datetime) -> int:
        due = [
            i
            for i in self._open()
            if i.enquiry is not None and i.enquiry.deadline <= now and not i.enquiry.breached
        ]
        for item in due:
            assert item.enquiry is not None
            self._replace(
                item, enquiry=dataclasses.replace(item.enquiry, breached=True, breached_at=now)
            )
        return len(due)

    async def count_open_enquiries(self, *, due_by: datetime | None = None) -> int:
        return sum(
            1
            for i in self._open()
            if due_by is None or (i.enquiry is not None and i.enquiry.deadline <= due_by)
        )

    async def start_delivery(self, item: FeedbackItem, delivery: Delivery) -> bool:
        stored = self._stored(item)
        if stored is None or stored.enquiry is None or stored.enquiry.delivery is not None:
            return False
        self._replace(stored, enquiry=dataclasses.replace(stored.enquiry, delivery=delivery))
        return True

    def _delivery(self, item: FeedbackItem) -> tuple[FeedbackItem, Enquiry, Delivery] | None:
        stored = self._stored(item)
        if stored is None or stored.enquiry is None or stored.enquiry.delivery is None:
            return None
        return stored, stored.enquiry, stored.enquiry.delivery

    async def begin_delivery_attempt(
        self, item: FeedbackItem, *, attempts: int, now: datetime
    ) -> bool:
        found = self._delivery(item)
        if found is None:
            return False
        stored, enquiry, delivery = found
        if delivery.state is not DeliveryState.PENDING or delivery.in_flight_since is not None:
            return False
        marked = dataclasses.replace(delivery, attempts=attempts, in_flight_since=now)
        self._replace(stored, enquiry=dataclasses.replace(enquiry, delivery=marked))
        return True

    async def settle_delivery(
        self,
        item: FeedbackItem,
        *,
        state: DeliveryState,
        error: str | None,
        sent_at: datetime | None,
    ) -> None:
        found = self._delivery(item)
        assert found is not None
        stored, enquiry, delivery = found
        settled = dataclasses.replace(
            delivery, state=state, error=error, sent_at=sent_at, in_flight_since=None
        )
        self._replace(stored, enquiry=dataclasses.replace(enquiry, delivery=settled))

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
        found = [
            i
            for i in self.by_key.values()
            if i.account in accounts
            and (post_id is None or i.post_id == post_id)
            and (kind is None or i.kind.value == kind)
            and (source is None or i.source == source)
            and (late is None or i.late == late)
        ]
        found.sort(key=lambda i: i.received_at, reverse=True)
        return found[offset : offset + limit], len(found)

    async def open_enquiries_by_account(self, *, due_by: datetime | None = None) -> dict[str, int]:
        counts: dict[str, int] = {}
        for i in self._open():
            if due_by is None or (i.enquiry is not None and i.enquiry.deadline <= due_by):
                counts[i.account] = counts.get(i.account, 0) + 1
        return counts

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
        def wanted(i: FeedbackItem) -> bool:
            e = i.enquiry
            return (
                e is not None
                and i.account in accounts
                and (state is None or e.state.value == state)
                and (breached is None or e.breached == breached)
                and (post_id is None or i.post_id == post_id)
                and (source is None or i.source == source)
                and (asked_from is None or i.received_at >= asked_from)
                and (asked_to is None or i.received_at < asked_to)
                and (delivery is None or (e.delivery is not None and e.delivery.state == delivery))
            )

        found = sorted(filter(wanted, self.by_key.values()), key=lambda i: i.received_at)
        found.reverse()
        return found[offset : offset + limit], len(found)


class FakeWindows(FakeStore):
    """``WindowReader`` over a dict of windows by post id; counts the span queries."""

    def __init__(self) -> None:
        self.by_post: dict[str, Window] = {}
        self.span_queries = 0

    async def create(self, window: Window) -> bool:
        if window.post_id in self.by_post:
            return False
        self.by_post[window.post_id] = window
        return True

    async def get(self, post_id: str) -> Window | None:
        return self.by_post.get(post_id)

    async def close(self, window: Window) -> bool:
        stored = self.by_post.get(window.post_id)
        if stored is None or not stored.is_open:
            return False
        self.by_post[window.post_id] = window
        return True

    async def spans(self, post_ids: Iterable[str], *, with_open: bool) -> list[WindowSpan]:
        self.span_queries += 1
        wanted = set(post_ids)
        return [w.span for p, w in self.by_post.items() if p in wanted or (with_open and w.is_open)]

    async def recently_closed(self, since: datetime) -> list[Window]:
        return [
            w for w in self.by_post.values() if w.closed_at is not None and w.closed_at >= since
        ]

    async def category_history(
        self, category: str, *, account: str, before: datetime, limit: int
    ) -> list[Window]:
        found = [
            w
            for w in self.by_post.values()
            if w.account == account
            and w.category == category
            and not w.is_open
            and w.published_at < before
        ]
        found.sort(key=lambda w: w.published_at, reverse=True)
        return found[: max(limit, 0)]

    async def count_open(self) -> int:
        return sum(w.is_open for w in self.by_post.values())

    async def page(
        self,
        *,
        accounts: Sequence[str],
        offset: int,
        limit: int,
        state: WindowState | None = None,
    ) -> tuple[list[Window], int]:
        found = [
            w
            for w in self.by_post.values()
            if w.account in accounts and (state is None or w.state is state)
        ]
        found.sort(key=lambda w: w.starts_at, reverse=True)
        return found[offset : offset + limit], len(found)


class FakeDocuments(FakeStore):
    """``DocumentReader`` over a dict of documents by digest id (one per post)."""

    def __init__(self) -> None:
        self.by_id: dict[str, IssuedDocument] = {}

    async def store(self, document: IssuedDocument) -> None:
        if document.digest_id in self.by_id or any(
            d.post_id == document.post_id for d in self.by_id.values()
        ):
            raise StoreDown(f"duplicate document for {document.post_id}")
        self.by_id[document.digest_id] = document

    async def get(self, digest_id: str) -> IssuedDocument | None:
        return self.by_id.get(digest_id)

    async def rendering(self, post_id: str, fmt: str) -> str | bytes | None:
        for document in self.by_id.values():
            if document.post_id == post_id:
                renderings: dict[str, str | bytes] = {
                    "md": document.markdown,
                    "html": document.html,
                    "docx": document.docx,
                }
                return renderings[fmt]
        return None


class FakePushEvents:
    """Pushed WeChat events, once each."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    async def record(self, message: PushMessage, *, now: datetime) -> bool:
        key = f"{message.from_user}:{message.create_time}:{message.event or ''}"
        fresh = key not in self.seen
        self.seen.add(key)
        return fresh


class FakeFeedbackTx(FakeTx):
    """The feedback use cases' transaction view, in memory."""

    def __init__(self) -> None:
        super().__init__()
        self.items = FakeItems()
        self.windows = FakeWindows()
        self.documents = FakeDocuments()
        self.jobs = FakeJobs()
        self.audit = FakeAudit()


@dataclass(frozen=True)
class FakeFeedback:
    """Use-case dependencies on in-memory stores, and handles to look into them."""

    deps: FeedbackDeps
    uow: FakeUnitOfWork[FakeFeedbackTx]
    clock: FixedClock
    registry: CollectorRegistry

    @property
    def tx(self) -> FakeFeedbackTx:
        return self.uow.view


def fake_feedback(*, at: datetime = START, **settings: Any) -> FakeFeedback:
    """``FeedbackDeps`` over fresh in-memory stores, the clock at ``at``."""
    view = FakeFeedbackTx()
    uow: FakeUnitOfWork[FakeFeedbackTx] = FakeUnitOfWork(view)
    clock = FixedClock(at)
    registry = CollectorRegistry()

    async def write(batch: list[Incoming]) -> list[Outcome]:
        return await store_event_batch(batch, deps=deps)

    deps = FeedbackDeps(
        uow=uow,
        items=view.items,
        windows=view.windows,
        documents=view.documents,
        push_events=FakePushEvents(),
        jobs=cast(TimedJobs, view.jobs),
        clock=clock,
        settings=FeedbackSettings(api_tokens=TOKENS, **settings),
        metrics=FeedbackMetrics.create(registry),
        window_lookup=WindowLookup(view.windows),
        batcher=BatchWriter(write, max_size=10, max_wait=0.01),
    )
    return FakeFeedback(deps, uow, clock, registry)
