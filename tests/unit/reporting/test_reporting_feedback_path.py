"""feedback.received: one cheap write per event, idempotent by the item's natural key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.reporting.deps import ReportingDeps
from services.reporting.metrics import ReportingMetrics
from services.reporting.usecases.ingest import record_feedback
from shared.calendar import SchedulePolicy
from shared.clock import FixedClock
from shared.errors import AlreadyProcessed
from shared.events import FeedbackKind, FeedbackMetrics, FeedbackReceived, FeedbackReceivedPayload
from shared.metrics import new_registry

T = datetime(2026, 11, 30, 3, 30, tzinfo=UTC)


class FakeRepo:
    """The feedback part of the repository, with the store's unique ``_id``."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.snapshots: dict[str, dict[str, Any]] = {}
        self.writes = 0

    async def insert_feedback(self, doc: dict[str, Any]) -> bool:
        self.writes += 1
        if doc["_id"] in self.items:
            return False
        self.items[doc["_id"]] = doc
        return True

    async def save_metric(self, doc: dict[str, Any]) -> bool:
        self.writes += 1
        old = self.snapshots.get(doc["_id"])
        if old is not None and old["at"] >= doc["at"]:
            return False
        self.snapshots[doc["_id"]] = doc
        return True

    async def post_of_item(self, ref: str) -> str | None:
        item = self.items.get(ref)
        return None if item is None else item["post_id"]


def event(
    kind: str, *, source_id: str = "1", post_id: str | None = "p1", **kw: Any
) -> FeedbackReceived:
    k = FeedbackKind(kind)
    return FeedbackReceived(
        occurred_at=T,
        producer="crm",
        correlation_id=post_id or "none",
        payload=FeedbackReceivedPayload(
            source="crm",
            source_id=source_id,
            kind=k,
            post_id=post_id,
            text=kw.pop("text", "请问怎么办理？" if k is not FeedbackKind.METRIC else ""),
            received_at=kw.pop("at", T),
            metrics=FeedbackMetrics(reads=kw.pop("reads", 0)) if k is FeedbackKind.METRIC else None,
            **kw,
        ),
    )


def deps(repo: FakeRepo, metrics: ReportingMetrics) -> ReportingDeps:
    return ReportingDeps(
        repo=repo,  # type: ignore[arg-type]
        uow=None,  # type: ignore[arg-type]
        jobs=None,  # type: ignore[arg-type]
        clock=FixedClock(T),
        policy=SchedulePolicy(),
        metrics=metrics,
    )


@pytest.fixture
def metrics() -> ReportingMetrics:
    return ReportingMetrics.create(new_registry())


async def test_the_same_item_from_two_systems_is_stored_once(metrics: ReportingMetrics) -> None:
    repo = FakeRepo()
    assert await record_feedback(event("message"), deps=deps(repo, metrics)) == "stored"
    with pytest.raises(AlreadyProcessed):  # another event id, the same source:source_id
        await record_feedback(event("message"), deps=deps(repo, metrics))
    assert list(repo.items) == ["crm:1"]
    assert repo.items["crm:1"]["kind"] == "enquiry"
    assert repo.writes == 2  # one write per event, nothing else


async def test_only_the_latest_snapshot_is_kept(metrics: ReportingMetrics) -> None:
    repo = FakeRepo()
    newer = event("metric", source_id="m2", at=T + timedelta(hours=1), reads=300)
    older = event("metric", source_id="m1", reads=100)
    assert await record_feedback(newer, deps=deps(repo, metrics)) == "stored"
    assert await record_feedback(older, deps=deps(repo, metrics)) == "stale_metric"
    assert repo.snapshots["p1"]["reads"] == 300
    assert metrics.feedback_skipped.labels("stale_metric")._value.get() == 1
    orphan = event("metric", post_id=None, reads=5)
    assert await record_feedback(orphan, deps=deps(repo, metrics)) == "metric_without_post"


async def test_a_reply_naming_no_post_takes_the_post_of_what_it_answers(
    metrics: ReportingMetrics,
) -> None:
    repo = FakeRepo()
    await record_feedback(event("comment", source_id="q"), deps=deps(repo, metrics))
    reply = event("reply", source_id="r", post_id=None, text="已回复", in_reply_to="crm:q")
    await record_feedback(reply, deps=deps(repo, metrics))
    assert repo.items["crm:r"]["post_id"] == "p1"
    early = event("reply", source_id="r2", post_id=None, text="已回复", in_reply_to="crm:later")
    await record_feedback(early, deps=deps(repo, metrics))
    assert repo.items["crm:r2"]["post_id"] is None  # matched when a report is built
