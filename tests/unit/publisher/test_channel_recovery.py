"""Channels after an interrupted publish: what ``status`` says and what a retry does."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from datetime import UTC, datetime
from pathlib import Path

from services.publisher.channels import (
    LocalChannel,
    MemoryChannelProgress,
    PublishRequest,
    PublishState,
    SlowAnswerChannel,
)

NOW = datetime(2026, 11, 23, 3, 30, tzinfo=UTC)


def make_post(post_id: str = "p-d-1-r1") -> PublishRequest:
    return PublishRequest(
        post_id=post_id,
        draft_id="d-1",
        title="标题",
        body_html="<p>正文</p>",
        author="erin",
        content_hash=hashlib.sha256(b"approved").hexdigest(),
        slot_key="publish:2026-11-23T11:30+08:00",
    )


def interrupt_after_record(directory: Path, post_id: str) -> None:
    """Leave what a process killed between writing its record and the page leaves."""
    record = {
        "post_id": post_id,
        "content_hash": hashlib.sha256(b"approved").hexdigest(),
        "started_at": NOW.isoformat(),
        "relative_path": f"2026-11-23/{post_id}.html",
        "outcome": None,
    }
    (directory / ".records").mkdir(parents=True, exist_ok=True)
    (directory / ".records" / f"{post_id}.json").write_text(json.dumps(record))


async def test_a_page_never_written_means_nothing_went_out(tmp_path: Path) -> None:
    interrupt_after_record(tmp_path, "p-d-1-r1")
    channel = LocalChannel(clock=lambda: NOW, directory=tmp_path)

    status = await channel.status("p-d-1-r1")
    assert status.state is PublishState.FAILED
    assert status.needs_person is False  # safe to publish: nothing is out

    outcome = await channel.publish(make_post())
    assert outcome.state is PublishState.PUBLISHED
    assert [p.name for p in tmp_path.rglob("*.html")] == ["p-d-1-r1.html"]


async def test_a_page_written_before_the_interruption_is_the_publication(tmp_path: Path) -> None:
    interrupt_after_record(tmp_path, "p-d-1-r1")
    page = tmp_path / "2026-11-23" / "p-d-1-r1.html"
    page.parent.mkdir(parents=True)
    page.write_text("<html>…</html>", encoding="utf-8")
    channel = LocalChannel(clock=lambda: NOW, directory=tmp_path)

    status = await channel.status("p-d-1-r1")

    assert status.state is PublishState.PUBLISHED
    assert status.published_at == NOW
    assert status.url == page.resolve().as_uri()
    assert await channel.status("p-d-1-r1") == status  # remembered from now on
    again = await channel.publish(make_post())
    assert again.replayed is True


async def test_posts_due_together_are_written_side_by_side(tmp_path: Path) -> None:
    channel = LocalChannel(clock=lambda: NOW, directory=tmp_path)
    outcomes = await asyncio.gather(*(channel.publish(make_post(f"p-{i}")) for i in range(10)))
    assert {o.post_id for o in outcomes} == {f"p-{i}" for i in range(10)}
    assert len(list(tmp_path.rglob("*.html"))) == 10


async def test_a_slow_answer_comes_after_the_publication(tmp_path: Path) -> None:
    channel = SlowAnswerChannel(LocalChannel(clock=lambda: NOW, directory=tmp_path), delay=0.2)
    task = asyncio.create_task(channel.publish(make_post()))
    started = time.monotonic()
    while not list(tmp_path.rglob("*.html")):
        await asyncio.sleep(0.01)
    assert not task.done()  # written, not yet answered: a kill now loses only the answer
    outcome = await task
    assert time.monotonic() - started >= 0.15
    assert channel.name == "local"
    assert (await channel.status("p-d-1-r1")) == outcome


async def test_records_move_on_only_from_the_version_read() -> None:
    records = MemoryChannelProgress()
    assert await records.save("p-1", {"version": 0}, expected_version=None)
    assert not await records.save("p-1", {"version": 0}, expected_version=None)
    assert await records.save("p-1", {"version": 1, "x": 1}, expected_version=0)
    assert not await records.save("p-1", {"version": 1, "x": 2}, expected_version=0)
    assert await records.load("p-1") == {"version": 1, "x": 1}
    assert await records.load("p-2") is None
