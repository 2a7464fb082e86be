"""draft.submitted -> the review queue -> approve or reject -> one event on the bus."""

from __future__ import annotations

import pytest
from review_harness import (
    EDITOR,
    ERIN_REVIEWER,
    RITA,
    Harness,
    content,
    submitted,
)

from services.review.domain.submission import review_id_for
from tests.support.backbone import wait_for

pytestmark = pytest.mark.integration

GAMBLING = "<p>近期网赌平台频繁更换域名。</p><p>如有疑问请加我微信。</p>"


async def test_submitted_draft_is_queued_with_findings_and_one_approval_reaches_the_bus(
    h: Harness,
) -> None:
    event = submitted("d-approve", content("<p>最新政策解读，有疑问请加我微信。</p>"))

    queued = await h.submit(event)

    assert queued["state"] == "pending"
    assert queued["slot_at"] == "2026-11-23T03:30:00Z"
    assert queued["slot"] == "2026-11-23T11:30+08:00"
    assert queued["time_left"] == "2 h 30 min left"  # until the 11:00 cut-off
    assert (queued["block_findings"], queued["warn_findings"]) == (0, 1)
    detail = (await h.client.get(f"/reviews/{queued['review_id']}", headers=RITA)).json()
    assert detail["findings"][0]["part"] == "body"
    assert detail["findings"][0]["matched"] == "加我微信"
    assert '<mark class="finding warn"' in detail["highlighted"]["body"]
    lexicon = (await h.client.get("/lexicon", headers=RITA)).json()
    assert detail["lexicon_version"] == lexicon["version"]

    answer = await h.client.post(
        f"/reviews/{queued['review_id']}/approve",
        json={"comments": "可以发布", "content_hash": event.payload.content_hash},
        headers=RITA,
    )

    assert answer.status_code == 200, answer.text
    assert answer.json()["state"] == "approved"
    [approved] = await h.wait_consumed(h.publisher, "draft.approved")
    payload = approved["payload"]
    assert payload["content"] == event.payload.content.model_dump(mode="json")
    assert payload["content_hash"] == event.payload.content_hash
    assert payload["reviewer"] == "rita"
    assert payload["slot"] == "2026-11-23T03:30:00Z"
    assert payload["late"] is False
    assert approved["correlation_id"] == "d-approve"
    [entry] = await h.audit("review.approve")
    assert entry["actor"] == "rita"
    assert entry["target"] == queued["review_id"]
    # a second click is refused and publishes nothing more
    again = await h.client.post(f"/reviews/{queued['review_id']}/approve", json={}, headers=RITA)
    assert again.status_code == 409
    assert "already approved by rita" in again.json()["detail"]

    async def outbox_drained() -> bool:
        return await h.review.db["outbox"].count_documents({"status": "pending"}) == 0

    await wait_for(outbox_drained)
    assert len(await h.consumed(h.publisher, "draft.approved")) == 1


async def test_rejection_reaches_drafting_with_the_findings(h: Harness) -> None:
    queued = await h.submit(submitted("d-reject", content(GAMBLING)))

    answer = await h.client.post(
        f"/reviews/{queued['review_id']}/reject",
        json={"comments": "请删除涉赌内容"},
        headers=RITA,
    )

    assert answer.status_code == 200, answer.text
    [rejected] = await h.wait_consumed(h.drafting, "draft.rejected")
    payload = rejected["payload"]
    assert payload["comments"] == "请删除涉赌内容"
    assert payload["reviewer"] == "rita"
    findings = {f["matched"]: f for f in payload["findings"]}
    assert set(findings) == {"网赌", "加我微信"}
    assert findings["网赌"]["severity"] == "block"
    assert findings["网赌"]["explanation"].startswith("[body] ")
    assert await h.audit("review.reject")


async def test_author_cannot_approve_own_draft(h: Harness) -> None:
    queued = await h.submit(submitted("d-four-eyes"))

    answer = await h.client.post(
        f"/reviews/{queued['review_id']}/approve", json={}, headers=ERIN_REVIEWER
    )

    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["title"] == "Four-eyes rule: you cannot approve your own draft"
    assert "erin wrote or submitted this draft" in problem["detail"]
    assert "another reviewer must approve it" in problem["detail"]
    still = (await h.client.get(f"/reviews/{queued['review_id']}", headers=RITA)).json()
    assert still["state"] == "pending"
    assert await h.review.db["outbox"].count_documents({}) == 0
    counter = "review_four_eyes_refused_total"
    assert h.review.registry.get_sample_value(counter) == 1


async def test_block_finding_needs_a_written_override_which_is_audited(h: Harness) -> None:
    queued = await h.submit(submitted("d-block", content(GAMBLING)))
    assert queued["blocking"] is True

    refused = await h.client.post(f"/reviews/{queued['review_id']}/approve", json={}, headers=RITA)

    assert refused.status_code == 409
    problem = refused.json()
    assert problem["title"] == "Blocking findings need an override"
    assert "「网赌」" in problem["detail"]
    assert problem["errors"][0]["field"] == "override_reason"
    assert any("网赌" in e["message"] for e in problem["errors"][1:])

    reason = "反诈宣传：提及网赌是为了提醒读者防范，已与法务确认。"
    accepted = await h.client.post(
        f"/reviews/{queued['review_id']}/approve",
        json={"override_reason": reason, "comments": "同意"},
        headers=RITA,
    )

    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["decision"]["override_reason"] == reason
    [approved] = await h.wait_consumed(h.publisher, "draft.approved")
    assert approved["payload"]["override_reason"] == reason
    assert [f["matched"] for f in approved["payload"]["overridden_findings"]] == ["网赌"]
    [override] = await h.audit("review.override")
    assert override["actor"] == "rita"
    assert override["details"]["reason"] == reason
    assert override["details"]["findings"][0]["matched"] == "网赌"
    assert h.review.registry.get_sample_value("review_overrides_total") == 1


async def test_a_new_revision_supersedes_the_pending_review_of_the_old_one(h: Harness) -> None:
    first = await h.submit(submitted("d-revised", revision=1))
    second = await h.submit(submitted("d-revised", content(title="修改后的标题"), revision=2))

    stale = await h.client.post(f"/reviews/{first['review_id']}/approve", json={}, headers=RITA)

    assert stale.status_code == 409
    assert "newer revision superseded it" in stale.json()["detail"]
    old = (await h.client.get(f"/reviews/{first['review_id']}", headers=RITA)).json()
    assert old["state"] == "superseded"
    assert old["superseded_by"] == second["review_id"]
    pending = (await h.client.get("/reviews", headers=RITA)).json()
    assert [(i["draft_id"], i["revision"]) for i in pending["items"]] == [("d-revised", 2)]
    fresh = await h.client.post(f"/reviews/{second['review_id']}/approve", json={}, headers=RITA)
    assert fresh.status_code == 200
    [approved] = await h.wait_consumed(h.publisher, "draft.approved")
    assert approved["payload"]["revision"] == 2
    assert approved["payload"]["content"]["title"] == "修改后的标题"


async def test_duplicate_submitted_delivery_has_one_effect(h: Harness) -> None:
    event = submitted("d-dup")
    for _ in range(3):
        await h.drafting.publisher.publish(event)  # the same message, redelivered
    queue = f"{h.review.settings.namespace}review.draft.submitted"

    async def duplicates_skipped() -> bool:
        sample = "contentops_duplicate_events_total"
        return h.review.registry.get_sample_value(sample, {"queue": queue}) == 2

    await wait_for(duplicates_skipped, timeout=15)
    assert await h.review.db["reviews"].count_documents({"draft_id": "d-dup"}) == 1
    review = await h.review.db["reviews"].find_one({"draft_id": "d-dup"})
    assert review is not None
    assert review["_id"] == review_id_for("d-dup", 1)
    assert await h.review.db["jobs"].count_documents({}) == 1


async def test_the_queue_needs_a_reviewer_and_bad_input_is_named(h: Harness) -> None:
    queued = await h.submit(submitted("d-input"))
    path = f"/reviews/{queued['review_id']}"

    assert (await h.client.get("/reviews")).status_code == 401
    assert (await h.client.get("/reviews", headers=EDITOR)).status_code == 403
    editor_approval = await h.client.post(f"{path}/approve", json={}, headers=EDITOR)
    assert editor_approval.status_code == 403
    blank = await h.client.post(f"{path}/reject", json={"comments": "  "}, headers=RITA)
    assert blank.status_code == 422
    assert blank.json()["errors"][0]["field"] == "comments"
    typo = await h.client.post(f"{path}/approve", json={"overide_reason": "x"}, headers=RITA)
    assert typo.status_code == 422
    assert "overide_reason" in typo.json()["detail"]
    missing = await h.client.get("/reviews/rv-nope", headers=RITA)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    page = (await h.client.get("/reviews", params={"limit": 1}, headers=RITA)).json()
    assert (page["total"], page["offset"], page["limit"]) == (1, 0, 1)
    by_day = await h.client.get("/reviews", params={"slot_date": "2026-11-25"}, headers=RITA)
    assert by_day.json()["total"] == 0
    assert (await h.client.get(path, headers=RITA)).json()["state"] == "pending"


async def test_a_submission_whose_hash_does_not_match_its_content_is_dead_lettered(
    h: Harness,
) -> None:
    good = submitted("d-tampered")
    tampered = good.model_copy(
        update={"payload": good.payload.model_copy(update={"content_hash": "0" * 64})}
    )

    await h.drafting.publisher.publish(tampered)

    queue = f"{h.review.settings.namespace}review.draft.submitted"

    async def dead_lettered() -> bool:
        labels = {"queue": queue, "reason": "hash_mismatch"}
        return h.review.registry.get_sample_value("contentops_dead_lettered_total", labels) == 1

    await wait_for(dead_lettered, timeout=15)
    assert await h.review.db["reviews"].count_documents({}) == 0
