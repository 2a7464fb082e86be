"""The 10:00 deadline and the 11:00 cut-off, on the real broker and store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from review_harness import (
    MONDAY_0830,
    RITA,
    WEDNESDAY_SLOT,
    Harness,
    harness,
    submitted,
)

from tests.support.backbone import wait_for

pytestmark = pytest.mark.integration

MONDAY_1030 = datetime(2026, 11, 23, 2, 30, tzinfo=UTC)  # 10:30 in Shanghai: too late


async def test_late_submission_moves_to_next_slot_and_the_approval_says_so(h: Harness) -> None:
    h.clock.set(MONDAY_1030)

    queued = await h.submit(submitted("d-late", at=MONDAY_1030))

    assert queued["late"] is True
    assert queued["slot_action"] == "moved"
    assert queued["slot"] == "2026-11-25T11:30+08:00"
    assert "after the 10:00 deadline of 2026-11-23T11:30+08:00" in queued["slot_note"]
    late_only = (await h.client.get("/reviews", params={"late": True}, headers=RITA)).json()
    assert late_only["total"] == 1
    assert h.review.registry.get_sample_value("review_late_submissions_total", {"action": "moved"})

    answer = await h.client.post(f"/reviews/{queued['review_id']}/approve", json={}, headers=RITA)

    assert answer.status_code == 200, answer.text
    [approved] = await h.wait_consumed(h.publisher, "draft.approved")
    assert approved["payload"]["late"] is True
    assert approved["payload"]["slot"] == WEDNESDAY_SLOT.isoformat().replace("+00:00", "Z")


async def test_reject_policy_rejects_a_late_draft_at_once(namespace: str, mongo_url: str) -> None:
    async with harness(namespace, mongo_url, late_policy="reject") as h:
        h.clock.set(MONDAY_1030)

        queued = await h.submit(submitted("d-late-reject", at=MONDAY_1030))

        assert queued["state"] == "rejected"
        [rejected] = await h.wait_consumed(h.drafting, "draft.rejected")
        assert rejected["payload"]["reviewer"] == "review-service"
        assert "rejected by policy" in rejected["payload"]["comments"]
        [entry] = await h.audit("review.reject_late")
        assert entry["target"] == queued["review_id"]


async def test_a_draft_still_pending_at_the_cutoff_is_reported_overdue(h: Harness) -> None:
    queued = await h.submit(submitted("d-overdue"))
    approved_in_time = await h.submit(submitted("d-in-time", by="ed"))
    await h.client.post(f"/reviews/{approved_in_time['review_id']}/approve", json={}, headers=RITA)
    assert (await h.client.get("/reviews/overdue", headers=RITA)).json()["total"] == 0
    job = await h.review.db["jobs"].find_one({"_id": "overdue:2026-11-23T11:30+08:00"})
    assert job is not None
    assert job["due_at"] == datetime(2026, 11, 23, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai

    h.clock.set(MONDAY_0830 + timedelta(hours=2, minutes=31))  # 11:01

    async def reported() -> bool:
        done = await h.review.db["jobs"].find_one({"_id": job["_id"], "state": "done"})
        return done is not None

    await wait_for(reported, timeout=10)
    overdue = (await h.client.get("/reviews/overdue", headers=RITA)).json()
    assert [i["review_id"] for i in overdue["items"]] == [queued["review_id"]]
    item = overdue["items"][0]
    assert item["overdue"] is True
    assert item["overdue_reported_at"] is not None
    assert item["time_left"] == "overdue by 1 min"
    registry = h.review.registry
    assert registry.get_sample_value("review_overdue_reported_total") == 1
    assert registry.get_sample_value("review_overdue_slots") == 1
    assert registry.get_sample_value("review_overdue_pending") == 1
    metrics = (await h.client.get("/metrics")).text
    assert "review_overdue_reported_total 1.0" in metrics


async def test_a_late_draft_kept_past_the_cutoff_is_reported_once(
    namespace: str, mongo_url: str
) -> None:
    async with harness(namespace, mongo_url, late_policy="keep") as h:
        monday_1110 = datetime(2026, 11, 23, 3, 10, tzinfo=UTC)
        h.clock.set(monday_1110)

        queued = await h.submit(submitted("d-kept", at=monday_1110))

        assert (queued["late"], queued["slot_action"]) == (True, "kept")
        assert queued["slot"] == "2026-11-23T11:30+08:00"
        assert queued["overdue_reported_at"] is not None

        async def job_done() -> bool:
            job = await h.review.db["jobs"].find_one({"_id": "overdue:2026-11-23T11:30+08:00"})
            return job is not None and job["state"] == "done"

        await wait_for(job_done, timeout=10)
        assert h.review.registry.get_sample_value("review_overdue_reported_total") == 1
        overdue = (await h.client.get("/reviews/overdue", headers=RITA)).json()
        assert [i["review_id"] for i in overdue["items"]] == [queued["review_id"]]
