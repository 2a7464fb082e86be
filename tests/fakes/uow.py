"""An in-memory unit of work, so use cases are unit-tested without a store.

A service's unit tests build a fake transaction view (its repositories as
:class:`FakeStore` subclasses, plus :class:`FakeTx`'s ``emit``) and hand it to
:class:`FakeUnitOfWork`. Like the real one, a run commits all or nothing: when ``work``
raises, every store of the view is put back as it was and the events it emitted are
dropped; ``consumed`` makes a run idempotent (:class:`AlreadyProcessed` the second time).
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from shared.errors import AlreadyProcessed
from shared.events import EventEnvelope

__all__ = ["FakeStore", "FakeTx", "FakeUnitOfWork", "StoreDown"]

T = TypeVar("T")
V = TypeVar("V", bound="FakeTx")


class FakeStore:
    """Base of an in-memory repository: its state is whatever its attributes hold."""

    def snapshot(self) -> dict[str, Any]:
        return copy.deepcopy(self.__dict__)

    def restore(self, saved: dict[str, Any]) -> None:
        self.__dict__.clear()
        self.__dict__.update(saved)


class FakeTx:
    """Base of a fake transaction view: subclasses add their stores as attributes."""

    def __init__(self) -> None:
        self.pending: list[EventEnvelope] = []

    def emit(self, event: EventEnvelope) -> None:
        self.pending.append(event)

    def stores(self) -> list[FakeStore]:
        return [value for value in vars(self).values() if isinstance(value, FakeStore)]


class FakeUnitOfWork(Generic[V]):
    """Runs use cases against ``view``; ``events`` are those of committed runs, in order."""

    def __init__(self, view: V) -> None:
        self.view = view
        self.events: list[EventEnvelope] = []
        self.consumed: set[tuple[str, str]] = set()
        self.runs = 0
        self.rollbacks = 0

    async def run(
        self, work: Callable[[V], Awaitable[T]], *, consumed: tuple[str, str] | None = None
    ) -> T:
        if consumed is not None and consumed in self.consumed:
            raise AlreadyProcessed(consumed[1])
        self.runs += 1
        saved = [(store, store.snapshot()) for store in self.view.stores()]
        self.view.pending = []
        try:
            result = await work(self.view)
        except BaseException:
            self.rollbacks += 1
            for store, state in saved:
                store.restore(state)
            self.view.pending = []
            raise
        if consumed is not None:
            self.consumed.add(consumed)
        self.events.extend(self.view.pending)
        self.view.pending = []
        return result

    def emitted(self, event_type: str | None = None) -> list[EventEnvelope]:
        """Committed events, optionally only those of one type (``post.published``)."""
        return [e for e in self.events if event_type is None or event_type == e.EVENT_TYPE]


class StoreDown(Exception):
    """The store failed in the middle of a unit of work (a fake's ``fail``)."""
