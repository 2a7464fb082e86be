"""Editors create, edit and submit drafts over HTTP; review receives exactly one
``draft.submitted`` per revision, through the outbox and the real broker."""

from __future__ import annotations

import asyncio

import pytest
from drafting_live import DIRECTOR, ED, ERIN, RITA, draft_body, drafting

from shared.events import ContentSnapshot
from tests.support.backbone import recording_runtime, wait_for
from tests.support.recording import CONSUMED
from tests.support.services import running

pytestmark = pytest.mark.integration


async def test_create_edit_submit_emits_one_draft_submitted_and_a_second_submit_is_idempotent(
    namespace: str, mongo_url: str
) -> None:
    review = recording_runtime("review", namespace, mongo_url)
    async with drafting(namespace, mongo_url) as svc, running(review):
        material = await svc.create_material()
        draft = await svc.create_draft(pictures=[{"material_id": material["id"], "is_cover": True}])
        assert (draft["state"], draft["revision"]) == ("editing", 1)
        edited = await svc.client.patch(
            f"/drafts/{draft['id']}", json={"title": "个税汇算清缴：五个要点"}, headers=ED
        )
        assert edited.status_code == 200, edited.text
        assert edited.json()["revision"] == 2

        first = await svc.submit(draft["id"])
        second = await svc.submit(draft["id"])

        assert first.status_code == 201, first.text
        assert second.status_code == 200, second.text
        assert second.json() == first.json()

        async def delivered_and_drained() -> bool:
            delivered = await review.db[CONSUMED].count_documents({})
            pending = await svc.runtime.db["outbox"].count_documents({"status": "pending"})
            return delivered == 1 and pending == 0

        await wait_for(delivered_and_drained)
        assert await svc.runtime.db["outbox"].count_documents({}) == 1
        received = await review.db[CONSUMED].find_one({})
        assert received is not None
        assert received["event_type"] == "draft.submitted"
        payload = received["payload"]
        assert payload["draft_id"] == draft["id"]
        assert payload["revision"] == 2
        assert payload["content_hash"] == first.json()["content_hash"]
        assert payload["content"]["title"] == "个税汇算清缴：五个要点"
        assert payload["content"]["pictures"][0]["origin"]["credit"] == "张三"
        snapshot = ContentSnapshot.model_validate(payload["content"])
        assert snapshot.content_hash() == payload["content_hash"]

        detail = await svc.draft(draft["id"])
        assert detail["state"] == "submitted"
        assert detail["submission"]["revision"] == 2
        assert [(h["action"], h["to_state"]) for h in detail["history"]] == [
            ("edit", "editing"),
            ("edit", "editing"),
            ("submit", "submitted"),
        ]
        actions = await svc.runtime.db["audit"].distinct("action")
        assert sorted(actions) == [
            "draft.create",
            "draft.submit",
            "draft.update",
            "material.create",
        ]
        assert await svc.runtime.db["audit"].count_documents({"action": "draft.submit"}) == 1


async def test_two_simultaneous_submits_store_one_submission_and_one_event(
    namespace: str, mongo_url: str
) -> None:
    async with drafting(namespace, mongo_url) as svc:
        draft = await svc.create_draft()

        answers = await asyncio.gather(svc.submit(draft["id"]), svc.submit(draft["id"], ED))

        assert sorted(a.status_code for a in answers) == [200, 201]
        assert answers[0].json() == answers[1].json()
        assert await svc.runtime.db["outbox"].count_documents({}) == 1
        assert await svc.runtime.db["submissions"].count_documents({}) == 1


async def test_bad_input_is_refused_with_422_naming_the_field_and_nothing_is_stored(
    namespace: str, mongo_url: str
) -> None:
    async with drafting(namespace, mongo_url) as svc:
        unknown_origin = await svc.create_material(origin=False)
        draft = await svc.create_draft(pictures=[{"material_id": unknown_origin["id"]}])
        url = f"/drafts/{draft['id']}"
        before = await svc.counts()
        cases = [
            ("POST", "/drafts", draft_body(category="gossip"), "category"),
            (
                "POST",
                "/drafts",
                draft_body(body_html="<p>通知</p><script>x()</script>"),
                "body_html",
            ),
            ("POST", "/drafts", draft_body(body_html=f"<p>{'字' * 20_000}</p>"), "body_html"),
            (
                "POST",
                "/drafts",
                draft_body(pictures=[{"material_id": "m-404"}]),
                "pictures.0.material_id",
            ),
            ("PATCH", url, {"body_html": '<img src="x" onerror="alert(1)">'}, "body_html"),
            ("PATCH", url, {"wished_slot": "2026-11-01T11:30:00+08:00"}, "wished_slot"),
            ("POST", f"{url}/submit", None, "pictures.0.origin"),
        ]

        for method, path, body, field in cases:
            response = await svc.client.request(method, path, json=body, headers=ERIN)

            assert response.status_code == 422, (path, field, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            problem = response.json()
            assert field in [e["field"] for e in problem["errors"]], problem
            assert field in problem["detail"]

        assert await svc.counts() == before
        assert (await svc.draft(draft["id"]))["state"] == "editing"

        # Recording the picture's origin is what lets the draft go out.
        origin = {
            "library": "新华社图片",
            "url": "https://www.news.cn/photo/1",
            "credit": "新华社记者",
            "licence": "合作媒体授权",
        }
        fixed = await svc.client.patch(
            f"/materials/{unknown_origin['id']}", json={"origin": origin}, headers=ERIN
        )
        assert fixed.json()["has_origin"] is True
        assert (await svc.submit(draft["id"])).status_code == 201


async def test_the_api_needs_a_token_and_the_right_role(namespace: str, mongo_url: str) -> None:
    async with drafting(namespace, mongo_url) as svc:
        anonymous = await svc.client.post("/drafts", json=draft_body())
        assert anonymous.status_code == 401
        assert anonymous.headers["www-authenticate"] == "Bearer"
        assert anonymous.headers["content-type"] == "application/problem+json"
        wrong = await svc.client.post(
            "/drafts", json=draft_body(), headers={"Authorization": "Bearer nope-nope-nope-nope"}
        )
        assert wrong.status_code == 401

        by_director = await svc.client.post("/drafts", json=draft_body(), headers=DIRECTOR)
        assert by_director.status_code == 403
        assert await svc.runtime.db["drafts"].count_documents({}) == 0

        draft = await svc.create_draft()
        url = f"/drafts/{draft['id']}"
        assert (await svc.client.get("/drafts", headers=DIRECTOR)).status_code == 200
        assert (await svc.client.patch(url, json={"digest": "改"}, headers=RITA)).status_code == 403
        assert (await svc.submit(draft["id"], RITA)).status_code == 403
        assert (await svc.client.post("/materials", json={}, headers=RITA)).status_code == 403
        assert (await svc.client.patch(url, json={"digest": "改"}, headers=ED)).status_code == 200
        assert (await svc.draft(draft["id"]))["revision"] == 2
