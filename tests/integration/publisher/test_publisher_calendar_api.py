"""The calendar API: slots and posts, reschedule, cancel, pause/resume, hold/release."""

from __future__ import annotations

from datetime import timedelta

import pytest
from publisher_support import FRIDAY, MONDAY, WEDNESDAY, approval, running_publisher

from services.publisher.domain import PostState
from tests.support.services import auth

pytestmark = pytest.mark.integration

REVIEWER = auth("reviewer-token-0000000001")
EDITOR = auth("editor-token-000000000001")
ADMIN = auth("admin-token-0000000000001")


async def test_upcoming_slots_list_their_posts_and_paginate(namespace: str, mongo_url: str) -> None:
    async with running_publisher(namespace, mongo_url, posts_per_slot=2) as pub:
        a, b, c = await pub.approve(approval("d-a"), approval("d-b"), approval("d-c"))

        r = await pub.http.get("/slots", params={"days": 7}, headers=EDITOR)
        assert r.status_code == 200
        page = r.json()
        assert page["total"] == 3  # Mon, Wed, Fri of the week ahead
        monday, wednesday, friday = page["items"]
        assert monday["key"] == "publish:2026-11-23T11:30+08:00"
        assert monday["local"].startswith("2026-11-23T11:30:00+08:00")
        assert (monday["capacity"], monday["free"]) == (2, 0)
        assert {p["post_id"] for p in monday["posts"]} == {a.post_id, b.post_id}
        assert [p["post_id"] for p in wednesday["posts"]] == [c.post_id]
        assert friday["posts"] == []

        r = await pub.http.get(
            "/slots", params={"days": 7, "offset": 1, "limit": 1}, headers=EDITOR
        )
        assert [s["key"] for s in r.json()["items"]] == ["publish:2026-11-25T11:30+08:00"]

        r = await pub.http.get("/posts", params={"state": "scheduled", "limit": 2}, headers=EDITOR)
        assert (r.json()["total"], len(r.json()["items"])) == (3, 2)


async def test_a_post_shows_its_publish_history(namespace: str, mongo_url: str) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        [post] = await pub.approve(approval("d-history"))
        pub.clock.set(MONDAY)
        await pub.wait_state(post.post_id, PostState.PUBLISHED)

        r = await pub.http.get(f"/posts/{post.post_id}", headers=EDITOR)
        assert r.status_code == 200
        detail = r.json()
        assert detail["state"] == "published"
        assert detail["url"] == f"https://example.test/{post.post_id}"
        steps = [(h["action"], h["from_state"], h["to_state"]) for h in detail["history"]]
        assert steps == [
            ("scheduled", None, "scheduled"),
            ("submitting", "scheduled", "submitting"),
            ("published", None, "published"),
        ]
        assert detail["history"][1]["details"]["fence"] >= 1

        r = await pub.http.get("/posts/p-nope", headers=EDITOR)
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"

        metrics = (await pub.http.get("/metrics")).text
        assert 'publisher_posts_published_total{channel="fake"} 1.0' in metrics
        assert "publisher_publish_lateness_seconds_bucket" in metrics
        paths = (await pub.http.get("/openapi.json")).json()["paths"]
        assert {"/slots", "/posts/{post_id}/reschedule", "/calendar/hold"} <= set(paths)


async def test_rescheduling_moves_the_post_and_its_job(namespace: str, mongo_url: str) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        [post] = await pub.approve(approval("d-move"))

        r = await pub.http.post(
            f"/posts/{post.post_id}/reschedule",
            json={"slot": WEDNESDAY.isoformat()},
            headers=REVIEWER,
        )
        assert r.status_code == 200, r.text
        assert r.json()["slot_key"] == "publish:2026-11-25T11:30+08:00"

        pub.clock.set(MONDAY + timedelta(minutes=5))
        [other] = await pub.approve(approval("d-takes-monday", slot=MONDAY + timedelta(days=7)))
        pub.clock.set(WEDNESDAY)
        done = await pub.wait_state(post.post_id, PostState.PUBLISHED)
        assert done.lateness_seconds == 0
        assert pub.channel.sent[post.post_id] == 1
        audit = await pub.runtime.db["audit"].find_one({"action": "post.reschedule"})
        assert audit is not None
        assert audit["actor"] == "rita"
        assert audit["details"] == {
            "from": "publish:2026-11-23T11:30+08:00",
            "to": "publish:2026-11-25T11:30+08:00",
        }
        assert other.state is PostState.SCHEDULED


async def test_rescheduling_refuses_non_slots_past_slots_full_slots_and_other_roles(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        post, other = await pub.approve(approval("d-x"), approval("d-y"))  # Mon and Wed
        url = f"/posts/{post.post_id}/reschedule"

        tuesday = MONDAY + timedelta(days=1)
        r = await pub.http.post(url, json={"slot": tuesday.isoformat()}, headers=REVIEWER)
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "slot"
        assert "slots are on Mon, Wed, Fri" in r.json()["errors"][0]["message"]

        r = await pub.http.post(url, json={"slot": "next tuesday"}, headers=REVIEWER)
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "slot"

        past = MONDAY - timedelta(days=7)
        r = await pub.http.post(url, json={"slot": past.isoformat()}, headers=REVIEWER)
        assert r.status_code == 422

        r = await pub.http.post(url, json={"slot": WEDNESDAY.isoformat()}, headers=REVIEWER)
        assert r.status_code == 409
        assert r.json()["title"] == "Slot full"

        r = await pub.http.post(url, json={"slot": FRIDAY.isoformat()}, headers=EDITOR)
        assert r.status_code == 403
        r = await pub.http.post(url, json={"slot": FRIDAY.isoformat()})
        assert r.status_code == 401
        assert (await pub.post(post.post_id)).slot_key == "publish:2026-11-23T11:30+08:00"
        assert await pub.runtime.db["audit"].count_documents({}) == 0
        assert other.slot_key == "publish:2026-11-25T11:30+08:00"


async def test_a_cancelled_post_never_goes_out_and_frees_its_seat(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        [post] = await pub.approve(approval("d-cancel"))
        url = f"/posts/{post.post_id}/cancel"

        r = await pub.http.post(url, json={}, headers=REVIEWER)
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == "reason"

        r = await pub.http.post(url, json={"reason": "topic dropped"}, headers=ADMIN)
        assert r.status_code == 200
        assert r.json()["state"] == "cancelled"
        r = await pub.http.post(url, json={"reason": "again"}, headers=REVIEWER)
        assert r.status_code == 409

        [replacement] = await pub.approve(approval("d-replacement"))
        assert replacement.slot_key == post.slot_key  # the seat was freed

        pub.clock.set(MONDAY)
        await pub.wait_state(replacement.post_id, PostState.PUBLISHED)
        assert pub.channel.calls[post.post_id] == 0
        [event] = await pub.events("post.failed")
        assert event["payload"]["code"] == "cancelled"
        assert event["payload"]["needs_person"] is False


async def test_a_paused_post_waits_and_resumes_into_the_next_free_slot(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url) as pub:
        [post] = await pub.approve(approval("d-pause"))
        r = await pub.http.post(f"/posts/{post.post_id}/pause", headers=REVIEWER)
        assert r.json()["state"] == "paused"

        pub.clock.set(MONDAY + timedelta(minutes=1))
        r = await pub.http.get(f"/posts/{post.post_id}", headers=EDITOR)
        assert r.json()["state"] == "paused"
        assert pub.channel.calls[post.post_id] == 0

        r = await pub.http.post(f"/posts/{post.post_id}/resume", headers=REVIEWER)
        assert r.status_code == 200
        assert r.json()["slot_key"] == "publish:2026-11-25T11:30+08:00"
        r = await pub.http.post(f"/posts/{post.post_id}/resume", headers=REVIEWER)
        assert r.status_code == 409

        pub.clock.set(WEDNESDAY)
        await pub.wait_state(post.post_id, PostState.PUBLISHED)
        actions = [a["action"] async for a in pub.runtime.db["audit"].find({}, {"action": 1})]
        assert actions == ["post.pause", "post.resume"]


async def test_a_held_calendar_publishes_nothing_until_released(
    namespace: str, mongo_url: str
) -> None:
    async with running_publisher(namespace, mongo_url, grace_seconds=3600) as pub:
        [post] = await pub.approve(approval("d-held"))
        r = await pub.http.post("/calendar/hold", json={"reason": "maintenance"}, headers=REVIEWER)
        assert r.status_code == 200
        assert r.json()["held"] is True
        assert r.json()["in_flight"] == []

        pub.clock.set(MONDAY + timedelta(minutes=10))
        r = await pub.http.get("/calendar", headers=EDITOR)
        assert (r.json()["held"], r.json()["reason"]) == (True, "maintenance")
        assert (await pub.post(post.post_id)).state is PostState.SCHEDULED
        assert pub.channel.calls[post.post_id] == 0

        r = await pub.http.post("/calendar/release", json={}, headers=REVIEWER)
        assert r.json()["held"] is False
        done = await pub.wait_state(post.post_id, PostState.PUBLISHED)
        assert done.lateness_seconds == 600
        actions = [a["action"] async for a in pub.runtime.db["audit"].find({}, {"action": 1})]
        assert actions == ["calendar.hold", "calendar.release"]
