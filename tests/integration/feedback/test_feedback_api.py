"""The HTTP API: batch ingestion rules, the enquiry log, replies, breaches, documents."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from feedback_support import (
    ShiftedClock,
    client,
    feedback_settings,
    post_published,
    publish,
    replicas,
    store,
)

from tests.support.backbone import wait_for
from tests.support.services import auth

pytestmark = pytest.mark.integration

SYSTEM = auth("system-token-000000000001")
EDITOR = auth("editor-token-000000000001")
REVIEWER = auth("reviewer-token-0000000001")
DIRECTOR = auth("director-token-0000000001")


def _message(source_id: str, at: datetime, text: str, post_id: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "source": "crm",
        "source_id": source_id,
        "kind": "message",
        "author": f"customer-{source_id}",
        "text": text,
        "received_at": at.isoformat(),
    }
    if post_id is not None:
        item["post_id"] = post_id
    return item


async def test_batch_ingestion_is_for_systems_and_refuses_oversized_batches_whole(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    now = clock.now()
    settings = feedback_settings(namespace, mongo_url, http_batch_max_items=3)
    async with replicas(settings, clock) as [app]:
        items = [_message(f"m{i}", now, "请问怎么开票？") for i in range(4)]
        async with client(app) as http:
            anonymous = await http.post("/feedback/batch", json={"items": items[:1]})
            editor = await http.post("/feedback/batch", json={"items": items[:1]}, headers=EDITOR)
            too_many = await http.post("/feedback/batch", json={"items": items}, headers=SYSTEM)
            empty = await http.post("/feedback/batch", json={"items": []}, headers=SYSTEM)
        assert anonymous.status_code == 401
        assert editor.status_code == 403
        assert too_many.status_code == 422
        assert too_many.headers["content-type"] == "application/problem+json"
        assert [e["field"] for e in too_many.json()["errors"]] == ["items"]
        assert "at most 3" in too_many.json()["detail"]
        assert empty.status_code == 422
        assert await store(app).items.count_documents({}) == 0


async def test_batch_reports_each_item_and_audits_the_call(namespace: str, mongo_url: str) -> None:
    clock = ShiftedClock()
    now = clock.now()
    async with replicas(feedback_settings(namespace, mongo_url), clock) as [app]:
        batch = [
            _message("a", now, "请问怎么开票？"),
            _message("a", now, "请问怎么开票？"),  # the same item twice in one batch
            {**_message("b", now, "x"), "kind": "reply"},  # a reply must name its enquiry
            {**_message("c", now, "好" * 5001)},
            "not an object",
        ]
        async with client(app) as http:
            answer = await http.post("/feedback/batch", json={"items": batch}, headers=SYSTEM)
        assert answer.status_code == 200, answer.text
        result = answer.json()
        assert [i["status"] for i in result["items"]] == [
            "stored",
            "duplicate",
            "invalid",
            "invalid",
            "invalid",
        ]
        assert result["items"][0]["key"] == "crm:a"
        too_long = result["items"][3]["errors"]
        assert too_long[0]["field"] == "items.3.text"
        assert "5000" in too_long[0]["message"]
        raw = store(app)
        assert await raw.items.count_documents({}) == 1
        audit = await raw.db["audit"].find_one({"action": "feedback.batch_ingested"})
        assert audit is not None
        assert audit["actor"] == "crm"
        assert audit["details"] == {
            "account": "default",
            "offered": 5,
            "stored": 1,
            "duplicates": 1,
            "invalid": 3,
        }
        # the stored item is announced for reporting, through the outbox
        outbox = raw.outbox
        assert await outbox.count_documents({"event_type": "feedback.received"}) == 1


async def test_a_reply_through_the_api_answers_the_enquiry_and_is_announced_and_audited(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    now = clock.now()
    async with replicas(feedback_settings(namespace, mongo_url), clock) as [app]:
        async with client(app) as http:
            await http.post(
                "/feedback/batch",
                json={"items": [_message("q1", now, "社保基数什么时候调整？", "p-9")]},
                headers=SYSTEM,
            )
            clock.advance(timedelta(hours=2))
            forbidden = await http.post(
                "/enquiries/crm:q1/reply", json={"text": "每年7月。"}, headers=DIRECTOR
            )
            blank = await http.post("/enquiries/crm:q1/reply", json={"text": "   "}, headers=EDITOR)
            unknown = await http.post(
                "/enquiries/crm:nope/reply", json={"text": "每年7月。"}, headers=EDITOR
            )
            answered = await http.post(
                "/enquiries/crm:q1/reply", json={"text": "每年7月调整。"}, headers=REVIEWER
            )
            shown = await http.get("/enquiries/crm:q1", headers=DIRECTOR)
        assert forbidden.status_code == 403
        assert blank.status_code == 422
        assert blank.json()["errors"][0]["field"] == "text"
        assert unknown.status_code == 404
        assert answered.status_code == 200, answered.text
        enquiry = shown.json()
        assert enquiry["state"] == "answered"
        assert enquiry["breached"] is False
        assert enquiry["answered_by"] == "rita"
        assert enquiry["reply_text"] == "每年7月调整。"
        assert enquiry["asked_by"] == "customer-q1"
        assert enquiry["time_to_reply_seconds"] == pytest.approx(7200, abs=5)

        db = store(app).db
        announced = [
            json.loads(d["body"])["payload"]
            async for d in db["outbox"].find({"event_type": "feedback.received"})
        ]
        replies = [p for p in announced if p["kind"] == "reply"]
        assert len(replies) == 1
        assert replies[0]["in_reply_to"] == "crm:q1"
        assert replies[0]["author"] == "rita"
        assert replies[0]["post_id"] == "p-9"
        audit = await db["audit"].find_one({"action": "enquiry.replied"})
        assert audit is not None
        assert (audit["actor"], audit["target"]) == ("rita", "crm:q1")


async def test_unanswered_enquiries_breach_after_twelve_hours_and_the_log_filters_them(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    now = clock.now()
    async with replicas(feedback_settings(namespace, mongo_url), clock) as [app]:
        batch = [
            _message(f"e{i}", now + timedelta(minutes=i), f"请问第{i}个问题怎么办？", "p-1")
            for i in range(5)
        ]
        batch.append(_message("other", now, "请问在哪里办理？", "p-2"))
        batch.append({**_message("praise", now, "写得很清楚，谢谢"), "kind": "comment"})
        async with client(app) as http:
            stored = await http.post("/feedback/batch", json={"items": batch}, headers=SYSTEM)
            assert stored.json()["stored"] == 7
            await http.post("/enquiries/crm:e0/reply", json={"text": "已回复"}, headers=EDITOR)
            clock.advance(timedelta(hours=13))

            async def breached() -> bool:
                page = await http.get("/enquiries?breached=true", headers=EDITOR)
                return bool(page.json()["total"] == 5)

            await wait_for(breached)
            late = await http.post("/enquiries/crm:e1/reply", json={"text": "抱歉"}, headers=EDITOR)
            first_page = await http.get(
                "/enquiries", params={"post_id": "p-1", "limit": 2}, headers=DIRECTOR
            )
            second_page = await http.get(
                "/enquiries", params={"post_id": "p-1", "limit": 2, "offset": 2}, headers=DIRECTOR
            )
            still_open = await http.get("/enquiries", params={"state": "open"}, headers=EDITOR)
            answered = await http.get("/enquiries", params={"state": "answered"}, headers=EDITOR)
            metrics = await http.get("/metrics")
        assert late.json()["state"] == "answered"
        assert late.json()["breached"] is True  # answered, but after the deadline
        first, second = first_page.json(), second_page.json()
        assert (first["total"], first["offset"], first["limit"]) == (5, 0, 2)
        assert [e["id"] for e in first["items"]] == ["crm:e4", "crm:e3"]  # newest first
        assert [e["id"] for e in second["items"]] == ["crm:e2", "crm:e1"]
        assert {e["id"] for e in still_open.json()["items"]} == {
            "crm:e2",
            "crm:e3",
            "crm:e4",
            "crm:other",
        }
        assert {e["id"] for e in answered.json()["items"]} == {"crm:e0", "crm:e1"}
        text = metrics.text
        assert "feedback_reply_breaches_total 5.0" in text
        assert "feedback_enquiries_overdue" in text


async def test_documents_are_for_reviewers_and_the_director_once_the_window_closes(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    post_id = f"p-{uuid.uuid4().hex[:6]}"
    async with replicas(feedback_settings(namespace, mongo_url), clock) as [app]:
        await publish(namespace, post_published(post_id, at=clock.now(), channel="local"))
        repo = store(app)

        async def opened() -> bool:
            return await repo.get_window(post_id) is not None

        await wait_for(opened)
        async with client(app) as http:
            early = await http.get(f"/windows/{post_id}/document.md", headers=DIRECTOR)
            listed = await http.get("/windows", params={"state": "open"}, headers=EDITOR)
            clock.advance(timedelta(hours=25))

            async def closed() -> bool:
                window = await http.get(f"/windows/{post_id}", headers=EDITOR)
                return bool(window.json()["state"] == "closed")

            await wait_for(closed)
            editor = await http.get(f"/windows/{post_id}/document.md", headers=EDITOR)
            reviewer = await http.get(f"/windows/{post_id}/document.html", headers=REVIEWER)
            admin = await http.get(
                f"/windows/{post_id}/document.docx", headers=auth("admin-token-0000000000001")
            )
            pdf = await http.get(f"/windows/{post_id}/document.pdf", headers=DIRECTOR)
            window = await http.get(f"/windows/{post_id}", headers=EDITOR)
        assert early.status_code == 404
        assert "closes at" in early.json()["detail"]
        assert [w["post_id"] for w in listed.json()["items"]] == [post_id]
        assert editor.status_code == 403
        assert reviewer.status_code == 200
        assert admin.status_code == 200
        assert "attachment" in admin.headers["content-disposition"]
        assert pdf.status_code == 404
        summary = window.json()
        assert summary["summary"]["comments"] == 0
        assert summary["documents"]["docx"] == f"/windows/{post_id}/document.docx"
