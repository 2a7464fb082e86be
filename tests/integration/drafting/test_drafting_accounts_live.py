"""Accounts (#12) on the real broker and store: two accounts' drafts, materials and topic
ideas never meet in a list; a principal limited to one account reads only it and changes
nothing of the other; events of schema_version 1 still land in the default account, and
one naming another account than its draft's is dead-lettered; documents from before
accounts are the default account's after start-up."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from drafting_live import (
    DIRECTOR,
    ERIN,
    NOW,
    SLOT,
    Drafting,
    draft_body,
    drafting,
    publish_raw,
)
from pymongo import AsyncMongoClient

from services.drafting.settings import DraftingSettings
from shared.events import (
    Category,
    ContentSnapshot,
    DraftApproved,
    DraftApprovedPayload,
    EventEnvelope,
    ReportKind,
    ReportReady,
    ReportReadyPayload,
    TopicIdea,
)
from shared.mongo import MongoDoc
from tests.support.accounts import EDITOR_A, EDITOR_B, TWO_ACCOUNTS
from tests.support.backbone import wait_for
from tests.support.metrics import metric_value
from tests.support.services import auth, make_settings

pytestmark = pytest.mark.integration

ANN = auth(EDITOR_A)  # editor of default only
TINA = auth(EDITOR_B)  # editor of talent only
ORIGIN = {
    "library": "视觉中国",
    "url": "https://www.vcg.com/creative/1",
    "credit": "张三",
    "licence": "编辑用途授权",
}


async def create(svc: Drafting, path: str, body: dict[str, Any], who: dict[str, str]) -> Any:
    response = await svc.client.post(path, json=body, headers=who)
    assert response.status_code == 201, response.text
    return response.json()


def material_body(account: str, name: str) -> dict[str, Any]:
    return {
        "account": account,
        "title": "配图",
        "url": f"https://img.example.cn/{name}.jpg",
        "origin": ORIGIN,
    }


def report(account: str, report_id: str, topic: str) -> ReportReady:
    return ReportReady(
        producer="reporting",
        account=account,
        occurred_at=NOW,
        correlation_id=report_id,
        payload=ReportReadyPayload(
            report_id=report_id,
            kind=ReportKind.BIWEEKLY,
            period_start=NOW - timedelta(days=14),
            period_end=NOW,
            topic_ideas=(TopicIdea(topic=topic, category=Category.HR, score=1.0),),
        ),
    )


def version_1(event: EventEnvelope) -> Any:
    """The same event as written before accounts: schema_version 1, no account."""
    body = event.model_dump(mode="json")
    body.pop("account")
    return type(event).model_validate({**body, "schema_version": 1})


def approval(submission: dict[str, Any], *, account: str) -> DraftApproved:
    return DraftApproved(
        producer="review",
        account=account,
        occurred_at=NOW,
        correlation_id=submission["draft_id"],
        payload=DraftApprovedPayload(
            draft_id=submission["draft_id"],
            revision=submission["revision"],
            review_id=f"r-{submission['draft_id']}",
            reviewer="rao",
            approved_at=NOW,
            content=ContentSnapshot.model_validate(submission["content"]),
            content_hash=submission["content_hash"],
            slot=NOW + timedelta(days=3),
        ),
    )


async def listed(svc: Drafting, path: str, who: dict[str, str]) -> tuple[int, Any]:
    response = await svc.client.get(path, headers=who)
    return response.status_code, response.json()


async def test_no_list_shows_another_accounts_drafts_materials_or_topic_ideas(
    namespace: str, mongo_url: str
) -> None:
    async with drafting(namespace, mongo_url, accounts_json=TWO_ACCOUNTS) as svc:
        mine = await create(svc, "/drafts", draft_body(title="个税"), ANN)
        theirs = await create(svc, "/drafts", draft_body(title="校招", account="talent"), TINA)
        my_material = await create(svc, "/materials", material_body("default", "a"), ANN)
        their_material = await create(svc, "/materials", material_body("talent", "b"), TINA)
        await publish_raw(namespace, report("default", "rep-d", "个税汇算"))
        await publish_raw(namespace, report("talent", "rep-t", "校园招聘"))

        async def both_ideas() -> bool:
            _, page = await listed(svc, "/topic-ideas", DIRECTOR)
            return bool(page["total"] == 2)

        await wait_for(both_ideas, timeout=30)
        assert (mine["account"], theirs["account"]) == ("default", "talent")
        assert (my_material["account"], their_material["account"]) == ("default", "talent")

        for path, key, a, b in (
            ("/drafts", "id", mine["id"], theirs["id"]),
            ("/materials", "id", my_material["id"], their_material["id"]),
            ("/topic-ideas", "topic", "个税汇算", "校园招聘"),
        ):
            sep = "&" if "?" in path else "?"
            # limited to default: only default, with or without asking for it
            for query in ("", f"{sep}account=default"):
                status, page = await listed(svc, path + query, ANN)
                assert status == 200, (path, page)
                assert [i[key] for i in page["items"]] == [a], (path, query)
                assert {i["account"] for i in page["items"]} == {"default"}
            status, _ = await listed(svc, f"{path}{sep}account=talent", ANN)
            assert status == 403, path
            status, page = await listed(svc, path, TINA)
            assert [i[key] for i in page["items"]] == [b], path
            unknown_status, unknown = await listed(svc, f"{path}{sep}account=nobody", ERIN)
            assert unknown_status == 404, path
            assert unknown["errors"][0]["field"] == "account"
            # all together for one who holds roles on both (erin); one account when asked
            status, page = await listed(svc, path, ERIN)
            assert sorted(i[key] for i in page["items"]) == sorted([a, b]), path
            status, page = await listed(svc, f"{path}{sep}account=talent", ERIN)
            assert [i[key] for i in page["items"]] == [b], path

        # a draft's revisions and a single draft or material of another account: not found
        for path in (
            f"/drafts/{theirs['id']}",
            f"/drafts/{theirs['id']}/revisions",
            f"/drafts/{theirs['id']}/revisions/1",
            f"/drafts/{theirs['id']}/revisions/1/diff/1",
            f"/materials/{their_material['id']}",
        ):
            status, _ = await listed(svc, path, ANN)
            assert status == 404, path
            status, body = await listed(svc, path, TINA)
            assert status == 200, (path, body)
        status, revisions = await listed(svc, f"/drafts/{theirs['id']}/revisions", TINA)
        assert [r["account"] for r in revisions["items"]] == ["talent"]


async def test_a_principal_of_one_account_changes_nothing_of_another(
    namespace: str, mongo_url: str
) -> None:
    async with drafting(namespace, mongo_url, accounts_json=TWO_ACCOUNTS) as svc:
        theirs = await create(svc, "/drafts", draft_body(title="校招", account="talent"), TINA)
        their_material = await create(svc, "/materials", material_body("talent", "b"), TINA)
        before = await svc.counts()
        stored_draft = await svc.runtime.db["drafts"].find_one({"_id": theirs["id"]})
        stored_material = await svc.runtime.db["materials"].find_one({"_id": their_material["id"]})

        refusals = [
            await svc.client.post(
                "/drafts", json=draft_body(title="越权", account="talent"), headers=ANN
            ),
            await svc.client.patch(f"/drafts/{theirs['id']}", json={"title": "改"}, headers=ANN),
            await svc.client.post(f"/drafts/{theirs['id']}/submit", headers=ANN),
            await svc.client.post("/materials", json=material_body("talent", "c"), headers=ANN),
            await svc.client.patch(
                f"/materials/{their_material['id']}", json={"title": "改"}, headers=ANN
            ),
        ]

        assert [r.status_code for r in refusals] == [403] * 5, [r.text for r in refusals]
        assert all("talent" in r.json()["detail"] for r in refusals)
        assert await svc.counts() == before
        assert await svc.runtime.db["drafts"].find_one({"_id": theirs["id"]}) == stored_draft
        assert (
            await svc.runtime.db["materials"].find_one({"_id": their_material["id"]})
            == stored_material
        )
        unknown = await svc.client.post("/drafts", json=draft_body(account="nobody"), headers=ERIN)
        assert unknown.status_code == 404
        assert unknown.json()["errors"][0]["field"] == "account"
        # a picture of talent's material in a default draft: 422 naming the field
        mixed = await svc.client.post(
            "/drafts",
            json=draft_body(pictures=[{"material_id": their_material["id"]}]),
            headers=ANN,
        )
        assert mixed.status_code == 422
        assert [e["field"] for e in mixed.json()["errors"]] == ["pictures.0.material_id"]
        assert await svc.counts() == before
        # the account's own editor may
        submitted = await svc.submit(theirs["id"], TINA)
        assert submitted.status_code == 201, submitted.text
        assert submitted.json()["account"] == "talent"
        outbox = await svc.runtime.db["outbox"].find_one({"event_type": "draft.submitted"})
        assert outbox is not None
        assert '"account":"talent"' in outbox["body"]


async def test_version_1_events_land_in_default_and_a_mismatch_is_dead_lettered(
    namespace: str, mongo_url: str
) -> None:
    async with drafting(namespace, mongo_url, accounts_json=TWO_ACCOUNTS) as svc:
        mine = await create(svc, "/drafts", draft_body(title="个税"), ANN)
        theirs = await create(svc, "/drafts", draft_body(title="校招", account="talent"), TINA)
        mine_sent = (await svc.submit(mine["id"], ANN)).json()
        theirs_sent = (await svc.submit(theirs["id"], TINA)).json()

        await publish_raw(namespace, version_1(approval(mine_sent, account="default")))
        await publish_raw(namespace, approval(theirs_sent, account="default"))  # not talent's
        await publish_raw(namespace, version_1(report("talent", "rep-old", "旧报告")))

        async def scheduled() -> bool:
            _, draft = await listed(svc, f"/drafts/{mine['id']}", ANN)
            return bool(draft["state"] == "scheduled")

        await wait_for(scheduled, timeout=30)
        queue = f"{namespace}drafting.draft.approved"

        async def dead_lettered() -> bool:
            labels = {"queue": queue, "reason": "account_mismatch"}
            registry = svc.runtime.registry
            return metric_value(registry, "contentops_dead_lettered_total", **labels) == 1

        await wait_for(dead_lettered, timeout=30)

        async def old_idea() -> bool:
            _, page = await listed(svc, "/topic-ideas?account=default", DIRECTOR)
            return bool(page["total"] == 1)

        await wait_for(old_idea, timeout=30)
        _, ideas = await listed(svc, "/topic-ideas", ANN)
        assert [(i["topic"], i["account"]) for i in ideas["items"]] == [("旧报告", "default")]
        _, talent_ideas = await listed(svc, "/topic-ideas?account=talent", TINA)
        assert talent_ideas["total"] == 0
        _, draft = await listed(svc, f"/drafts/{theirs['id']}", TINA)
        assert draft["state"] == "submitted"


async def test_documents_from_before_accounts_are_the_default_accounts(
    namespace: str, mongo_url: str
) -> None:
    settings = make_settings(DraftingSettings, namespace, mongo_url)
    client: AsyncMongoClient[MongoDoc] = AsyncMongoClient(mongo_url, tz_aware=True)
    legacy = {
        "_id": "m-legacy",
        "title": "旧图",
        "url": "https://img.example.cn/old.jpg",
        "origin": None,
        "has_origin": False,
        "created_by": "erin",
        "created_at": NOW,
        "updated_at": NOW,
    }
    try:
        await client[settings.database]["materials"].insert_one(legacy)
    finally:
        await client.close()

    async with drafting(namespace, mongo_url, accounts_json=TWO_ACCOUNTS) as svc:
        stored = await svc.runtime.db["materials"].find_one({"_id": "m-legacy"})
        assert stored is not None
        assert stored["account"] == "default"
        _, mine = await listed(svc, "/materials", ANN)
        assert [m["id"] for m in mine["items"]] == ["m-legacy"]
        _, theirs = await listed(svc, "/materials", TINA)
        assert theirs["total"] == 0
        # a body without account is the default account's
        draft = await create(svc, "/drafts", draft_body(wished_slot=SLOT), ANN)
        assert draft["account"] == "default"
