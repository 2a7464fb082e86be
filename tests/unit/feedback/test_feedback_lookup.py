"""Ingestion's window lookup: closed windows are final and remembered, open ones re-read."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import cast

from services.feedback.domain.window import WindowSpan, WindowState
from services.feedback.ports import WindowRepository
from services.feedback.repository.lookup import WindowLookup

START = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)


class FakeWindows:
    """Answers ``spans`` from a dict and counts the queries."""

    def __init__(self) -> None:
        self.spans_by_post: dict[str, WindowSpan] = {}
        self.queries = 0

    def put(self, post_id: str, state: str, start: datetime = START) -> None:
        self.spans_by_post[post_id] = WindowSpan(
            post_id, start, start + timedelta(hours=24), WindowState(state)
        )

    async def spans(self, post_ids: Iterable[str], *, with_open: bool) -> list[WindowSpan]:
        self.queries += 1
        wanted = set(post_ids)
        return [
            w
            for p, w in self.spans_by_post.items()
            if p in wanted or (with_open and w.state is WindowState.OPEN)
        ]


def _lookup(fake: FakeWindows) -> WindowLookup:
    return WindowLookup(cast(WindowRepository, fake))


async def test_a_closed_window_is_read_once() -> None:
    fake = FakeWindows()
    fake.put("p1", "closed")
    lookup = _lookup(fake)
    first, _ = await lookup.windows({"p1"}, with_open=False)
    again, _ = await lookup.windows({"p1"}, with_open=False)
    assert first["p1"] is not None
    assert first["p1"].state is WindowState.CLOSED
    assert again == first
    assert fake.queries == 1


async def test_an_open_window_is_read_each_time_so_its_close_is_seen_at_once() -> None:
    fake = FakeWindows()
    fake.put("p1", "open")
    lookup = _lookup(fake)
    before, _ = await lookup.windows({"p1"}, with_open=False)
    fake.put("p1", "closed")
    after, _ = await lookup.windows({"p1"}, with_open=False)
    assert before["p1"] is not None
    assert before["p1"].state is WindowState.OPEN
    assert after["p1"] is not None
    assert after["p1"].state is WindowState.CLOSED


async def test_a_post_without_a_window_yet_is_looked_up_again_next_time() -> None:
    fake = FakeWindows()
    lookup = _lookup(fake)
    missing, _ = await lookup.windows({"p1"}, with_open=False)
    fake.put("p1", "open")
    found, _ = await lookup.windows({"p1"}, with_open=False)
    assert missing == {"p1": None}
    assert found["p1"] is not None


async def test_open_windows_are_listed_for_items_that_name_no_post() -> None:
    fake = FakeWindows()
    fake.put("p1", "open")
    fake.put("p2", "open", START + timedelta(hours=2))
    fake.put("p0", "closed")
    named, open_windows = await _lookup(fake).windows(set(), with_open=True)
    assert named == {}
    assert sorted(w.post_id for w in open_windows) == ["p1", "p2"]
