"""Decisions from review and news from the publisher, arriving on the real broker, move
the draft's state: once per event, whatever the order."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from drafting_live import ERIN, NOW, SLOT, Drafting, drafting, publish_raw

from shared.events import (
    Category,
    ContentSnapshot,
    DraftApproved,
    DraftApprovedPayload,
    DraftRejected,
    DraftRejectedPayload,
    FailureCode,
    FindingRef,
    PostFailed,
    PostFailedPayload,
    PostPublished,
    PostPublishedPayload,
)
from tests.support.backbone import wait_for
from tests.support.metrics import metric_value

pytestmark = pytest.mark.integration

SLOT_AT = datetime.fromisoformat(SLOT)


async def submitted(svc: Drafting) -> dict[str, Any]:
    draft = await svc.create_draft()
    response = await svc.submit(draft["id"])
    assert response.status_code == 201, response.text
    submission: dict[str, Any] = response.json()
    return submission


def approved(submission: dict[str, Any], *, review_id: str = "r-1") -> DraftApproved:
    return DraftApproved(
        producer="review",
        occurred_at=NOW,
        correlation_id=submission["draft_id"],
        payload=DraftApprovedPayload(
            draft_id=submission["draft_id"],
            revision=submission["revision"],
            review_id=review_id,
            reviewer="rita",
            approved_at=NOW,
            content=ContentSnapshot.model_validate(submission["content"]),
            content_hash=submission["content_hash"],
            slot=SLOT_AT,
        ),
    )


def published(submission: dict[str, Any]) -> PostPublished:
    return PostPublished(
        producer="publisher",
        occurred_at=SLOT_AT,
        correlation_id=submission["draft_id"],
        payload=PostPublishedPayload(
            post_id="p-1",
            draft_id=submission["draft_id"],
            title=submission["content"]["title"],
            category=Category.FINANCE,
            channel="local",
            url="https://mp.weixin.qq.com/s/abc",
            published_at=SLOT_AT,
            slot_key="publish:2026-11-23T11:30+08:00",
            slot_at=SLOT_AT,
            lateness_seconds=0.3,
            content_hash=submission["content_hash"],
        ),
    )


async def wait_state(svc: Drafting, draft_id: str, state: str) -> dict[str, Any]:
    async def reached() -> bool:
        return bool((await svc.draft(draft_id))["state"] == state)

    await wait_for(reached, timeout=15)
    return await svc.draft(draft_id)


async def test_an_approval_schedules_the_draft_once_even_when_delivered_twice(
    namespace: str, mongo_url: str
) -> None:
    async with drafting(namespace, mongo_url) as svc:
        submission = await submitted(svc)
        draft_id = submission["draft_id"]

        await publish_raw(namespace, approved(submission), times=2)

        detail = await wait_state(svc, draft_id, "scheduled")
        queue = f"{namespace}drafting.draft.approved"

        async def duplicate_skipped() -> bool:
            registry = svc.runtime.registry
            return metric_value(registry, "contentops_duplicate_events_total", queue=queue) == 1

        await wait_for(duplicate_skipped)
        detail = await svc.draft(draft_id)
        assert datetime.fromisoformat(detail["scheduled_slot"]) == SLOT_AT
        assert detail["approval"]["reviewer"] == "rita"
        actions = [h["action"] for h in detail["history"]]
        assert actions == ["edit", "submit", "approve", "schedule"]

        await publish_raw(namespace, published(submission))

        detail = await wait_state(svc, draft_id, "published")
        assert detail["publication"]["url"] == "https://mp.weixin.qq.com/s/abc"


async def test_a_rejection_returns_the_findings_and_an_edit_can_be_submitted_again(
    namespace: str, mongo_url: str
) -> None:
    async with drafting(namespace, mongo_url) as svc:
        submission = await submitted(svc)
        draft_id = submission["draft_id"]
        finding = FindingRef(
            category="rumour", rule_id="r-7", severity="block", matched="内部消息", start=5, end=9
        )
        rejected = DraftRejected(
            producer="review",
            occurred_at=NOW,
            correlation_id=draft_id,
            payload=DraftRejectedPayload(
                draft_id=draft_id,
                revision=1,
                review_id="r-1",
                reviewer="rita",
                rejected_at=NOW,
                findings=(finding,),
                comments="请核实来源",
            ),
        )

        await publish_raw(namespace, rejected, times=2)

        detail = await wait_state(svc, draft_id, "rejected")
        assert detail["rejection"]["comments"] == "请核实来源"
        assert detail["rejection"]["findings"][0]["matched"] == "内部消息"
        assert (await svc.submit(draft_id)).status_code == 409

        edit = await svc.client.patch(
            f"/drafts/{draft_id}", json={"body_html": "<p>已核实的内容。</p>"}, headers=ERIN
        )
        assert edit.json()["state"] == "editing"
        again = await svc.submit(draft_id)
        assert again.status_code == 201
        assert again.json()["revision"] == 2

        # The old revision's approval arriving late changes nothing.
        await publish_raw(namespace, approved(submission, review_id="r-0"))

        async def noticed() -> bool:
            notices = (await svc.draft(draft_id))["notices"]
            return any(n["kind"] == "stale_approval" for n in notices)

        await wait_for(noticed)
        assert (await svc.draft(draft_id))["state"] == "submitted"


async def test_a_publication_that_overtakes_its_approval_still_ends_published(
    namespace: str, mongo_url: str
) -> None:
    async with drafting(namespace, mongo_url) as svc:
        submission = await submitted(svc)
        draft_id = submission["draft_id"]

        await publish_raw(namespace, published(submission))
        await wait_state(svc, draft_id, "published")
        await publish_raw(namespace, approved(submission))

        async def approval_recorded() -> bool:
            return (await svc.draft(draft_id))["approval"] is not None

        await wait_for(approval_recorded)
        assert (await svc.draft(draft_id))["state"] == "published"


async def test_a_failed_post_needs_a_person_and_the_draft_can_be_reworked(
    namespace: str, mongo_url: str
) -> None:
    async with drafting(namespace, mongo_url) as svc:
        submission = await submitted(svc)
        draft_id = submission["draft_id"]
        await publish_raw(namespace, approved(submission))
        await wait_state(svc, draft_id, "scheduled")
        failed = PostFailed(
            producer="publisher",
            occurred_at=SLOT_AT,
            correlation_id=draft_id,
            payload=PostFailedPayload(
                post_id="p-1",
                draft_id=draft_id,
                code=FailureCode.MISSED,
                reason="all replicas were down at 11:30",
                failed_at=SLOT_AT,
            ),
        )

        await publish_raw(namespace, failed)

        detail = await wait_state(svc, draft_id, "failed")
        assert detail["failure"]["code"] == "missed"
        assert detail["failure"]["needs_person"] is True
        edit = await svc.client.patch(
            f"/drafts/{draft_id}", json={"wished_slot": "2026-11-25T11:30:00+08:00"}, headers=ERIN
        )
        assert edit.json()["state"] == "editing"


async def test_an_event_about_an_unknown_draft_goes_to_the_dead_letter_queue(
    namespace: str, mongo_url: str
) -> None:
    async with drafting(namespace, mongo_url) as svc:
        submission = await submitted(svc)
        stranger = approved({**submission, "draft_id": "d-unknown"})

        await publish_raw(namespace, stranger)

        queue = f"{namespace}drafting.draft.approved"

        async def dead_lettered() -> bool:
            labels = {"queue": queue, "reason": "unknown_draft"}
            return (
                metric_value(svc.runtime.registry, "contentops_dead_lettered_total", **labels) == 1
            )

        await wait_for(dead_lettered)
        assert (await svc.draft(submission["draft_id"]))["state"] == "submitted"
