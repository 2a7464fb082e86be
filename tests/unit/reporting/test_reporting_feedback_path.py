"""feedback.received: one cheap write per event, idempotent by the item's natural key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.reporting.usecases.ingest import record_feedback
from shared.errors import AlreadyProcessed
from shared.events import FeedbackReceived
from tests.support.metrics import metric_value
from tests.unit.reporting.events import feedback
from tests.unit.reporting.fakes import Reporting, reporting

T = datetime(2026, 11, 30, 3, 30, tzinfo=UTC)


def event(
    kind: str,
    *,
    source_id: str = "1",
    post_id: str | None = "p1",
    text: str = "请问怎么办理？",
    at: datetime = T,
    **kw: Any,
) -> FeedbackReceived:
    """An item (or metric snapshot) sent by the CRM, one of the "other internal systems"."""
    text = "" if kind == "metric" else text
    return feedback(post_id, kind, at, source="crm", source_id=source_id, text=text, **kw)


@pytest.fixture
def svc() -> Reporting:
    return reporting(T)


async def test_the_same_item_from_two_systems_is_stored_once(svc: Reporting) -> None:
    repo = svc.feedback
    assert await record_feedback(event("message"), deps=svc.deps) == "stored"
    with pytest.raises(AlreadyProcessed):  # another event id, the same source:source_id
        await record_feedback(event("message"), deps=svc.deps)
    assert list(repo.items) == ["crm:1"]
    assert repo.items["crm:1"]["kind"] == "enquiry"
    assert repo.writes == 2  # one write per event, nothing else


async def test_only_the_latest_snapshot_is_kept(svc: Reporting) -> None:
    repo = svc.feedback
    newer = event("metric", source_id="m2", at=T + timedelta(hours=1), reads=300)
    older = event("metric", source_id="m1", reads=100)
    assert await record_feedback(newer, deps=svc.deps) == "stored"
    assert await record_feedback(older, deps=svc.deps) == "stale_metric"
    assert repo.snapshots["p1"]["reads"] == 300
    skipped = metric_value(svc.registry, "reporting_feedback_skipped_total", reason="stale_metric")
    assert skipped == 1
    orphan = event("metric", post_id=None, reads=5)
    assert await record_feedback(orphan, deps=svc.deps) == "metric_without_post"


async def test_a_reply_naming_no_post_takes_the_post_of_what_it_answers(
    svc: Reporting,
) -> None:
    repo = svc.feedback
    await record_feedback(event("comment", source_id="q"), deps=svc.deps)
    reply = event("reply", source_id="r", post_id=None, text="已回复", in_reply_to="crm:q")
    await record_feedback(reply, deps=svc.deps)
    assert repo.items["crm:r"]["post_id"] == "p1"
    early = event("reply", source_id="r2", post_id=None, text="已回复", in_reply_to="crm:later")
    await record_feedback(early, deps=svc.deps)
    assert repo.items["crm:r2"]["post_id"] is None  # matched when a report is built
