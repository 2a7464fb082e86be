"""Review with two official accounts (#12) on the real broker and store: each account's
calendar and deadline, lists that never show another account's reviews, decisions only
by a reviewer of the review's account, events carrying the account, version-1 events and
reviews from before accounts belonging to the default account."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from review_harness import RITA, Harness, content, harness, submitted

from shared.events import DraftSubmitted
from tests.support.accounts import DIRECTOR_A, REVIEWER_A, REVIEWER_B, TWO_ACCOUNTS
from tests.support.backbone import emit, publish_raw, wait_for
from tests.support.services import TOKENS, auth

pytestmark = pytest.mark.integration

RAO = auth(REVIEWER_A)  # reviewer of default only
TOM = auth(REVIEWER_B)  # reviewer of talent only
DAI = auth(DIRECTOR_A)  # director of default only

TUESDAY_0600 = datetime(2026, 11, 23, 22, 0, tzinfo=UTC)  # 06:00 Tuesday in Shanghai
WEDNESDAY_1200 = datetime(2026, 11, 25, 4, 0, tzinfo=UTC)  # past both cut-offs


@pytest.fixture
async def h(namespace: str, mongo_url: str) -> AsyncIterator[Harness]:
    """The review service in a deployment of two accounts: default (Mon/Wed/Fri 11:30,
    deadline 10:00) and talent (Tue/Thu 08:00, deadline 07:00)."""
    async with harness(namespace, mongo_url, accounts_json=TWO_ACCOUNTS) as running:
        running.clock.set(TUESDAY_0600)
        yield running


def of(draft_id: str, account: str, *, revision: int = 1) -> DraftSubmitted:
    """``draft.submitted`` on Tuesday 06:00 for the first open slot, of ``account``."""
    event = submitted(draft_id, revision=revision, at=TUESDAY_0600, wished=None)
    return event.model_copy(update={"account": account})


async def both(h: Harness) -> tuple[dict[str, Any], dict[str, Any]]:
    """A pending review of each account: (default's, talent's)."""
    return await h.submit(of("d-default", "default")), await h.submit(of("d-talent", "talent"))


def ids(answer: Any) -> set[str]:
    assert answer.status_code == 200, answer.text
    return {item["review_id"] for item in answer.json()["items"]}


async def test_each_account_reviews_for_its_own_slot_and_deadline(h: Harness) -> None:
    default, talent = await both(h)

    assert talent["account"] == "talent"
    assert talent["slot"] == "2026-11-24T08:00+08:00"  # the talent slot, Tuesday 08:00
    assert talent["deadline_at"] == "2026-11-23T23:00:00Z"  # 07:00 in Shanghai
    assert talent["cutoff_at"] == "2026-11-23T23:30:00Z"  # 07:30
    assert default["account"] == "default"
    assert default["slot"] == "2026-11-25T11:30+08:00"  # Mon/Wed/Fri 11:30: Wednesday
    assert default["deadline_at"] == "2026-11-25T02:00:00Z"  # 10:00
    assert (default["late"], talent["late"]) == (False, False)
    h.clock.set(WEDNESDAY_1200)  # talent's review is past its 07:30 cut-off, default's too

    async def gauges() -> bool:
        values = [
            h.review.registry.get_sample_value(name, {"account": account})
            for name in ("review_account_pending", "review_account_overdue_pending")
            for account in ("default", "talent")
        ]
        return values == [1, 1, 1, 1]

    await wait_for(gauges, timeout=30)


@pytest.mark.parametrize("path", ["/reviews", "/reviews/overdue"])
async def test_lists_never_show_another_accounts_reviews(h: Harness, path: str) -> None:
    default, talent = await both(h)
    h.clock.set(WEDNESDAY_1200)  # both past their cut-off: both on the overdue list
    mine, theirs = {default["review_id"]}, {talent["review_id"]}

    assert ids(await h.client.get(path, headers=RAO)) == mine
    assert ids(await h.client.get(path, headers=DAI)) == mine
    assert ids(await h.client.get(path, headers=TOM)) == theirs
    assert ids(await h.client.get(path, params={"account": "talent"}, headers=RITA)) == theirs
    assert ids(await h.client.get(path, params={"account": "default"}, headers=RITA)) == mine
    assert ids(await h.client.get(path, headers=RITA)) == mine | theirs
    page = (await h.client.get(path, params={"account": "talent"}, headers=RITA)).json()
    assert page["total"] == 1
    assert [item["account"] for item in page["items"]] == ["talent"]
    forbidden = await h.client.get(path, params={"account": "talent"}, headers=RAO)
    assert forbidden.status_code == 403
    assert forbidden.headers["content-type"] == "application/problem+json"
    assert (await h.client.get(path, params={"account": "talent"}, headers=DAI)).status_code == 403
    unknown = await h.client.get(path, params={"account": "nope"}, headers=RITA)
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["field"] == "account"


async def test_one_review_of_another_account_is_not_shown(h: Harness) -> None:
    _, talent = await both(h)
    path = f"/reviews/{talent['review_id']}"

    assert (await h.client.get(path, headers=RAO)).status_code == 404
    assert (await h.client.get(path, headers=DAI)).status_code == 404
    shown = await h.client.get(path, headers=TOM)
    assert shown.status_code == 200
    assert shown.json()["account"] == "talent"


@pytest.mark.parametrize(
    ("verb", "body"),
    [("approve", {"comments": "可以"}), ("reject", {"comments": "请补充来源"})],
)
async def test_a_reviewer_of_default_cannot_decide_a_talent_review(
    h: Harness, verb: str, body: dict[str, str]
) -> None:
    _, talent = await both(h)
    path = f"/reviews/{talent['review_id']}"

    refused = await h.client.post(f"{path}/{verb}", json=body, headers=RAO)

    assert refused.status_code == 403, refused.text
    assert refused.json()["type"] == "urn:contentops:problem:forbidden-account"
    after = (await h.client.get(path, headers=RITA)).json()
    assert (after["state"], after["decision"]) == ("pending", None)
    assert [step["action"] for step in after["history"]] == ["submitted"]
    assert await h.review.db["audit"].count_documents({}) == 0
    assert await h.review.db["outbox"].count_documents({}) == 0


async def test_a_reviewer_of_talent_approves_and_draft_approved_carries_the_account(
    h: Harness,
) -> None:
    _, talent = await both(h)

    answer = await h.client.post(
        f"/reviews/{talent['review_id']}/approve", json={"comments": "可以"}, headers=TOM
    )

    assert answer.status_code == 200, answer.text
    assert (answer.json()["state"], answer.json()["account"]) == ("approved", "talent")
    [approved] = await h.wait_consumed(h.publisher, "draft.approved")
    assert approved["payload"]["slot"] == "2026-11-24T00:00:00Z"
    [sent] = await h.review.db["outbox"].find({"event_type": "draft.approved"}).to_list(None)
    body = json.loads(sent["body"])
    assert (body["account"], body["schema_version"]) == ("talent", 2)
    [entry] = await h.audit("review.approve")
    assert (entry["actor"], entry["details"]["account"]) == ("tom", "talent")


async def test_a_rejection_carries_the_account(h: Harness) -> None:
    _, talent = await both(h)

    answer = await h.client.post(
        f"/reviews/{talent['review_id']}/reject", json={"comments": "请补充来源"}, headers=TOM
    )

    assert answer.status_code == 200, answer.text
    await h.wait_consumed(h.drafting, "draft.rejected")
    [sent] = await h.review.db["outbox"].find({"event_type": "draft.rejected"}).to_list(None)
    assert json.loads(sent["body"])["account"] == "talent"


async def test_an_admin_of_one_account_cannot_change_the_one_lexicon(
    namespace: str, mongo_url: str
) -> None:
    tokens = {
        **TOKENS,
        "admin-b-token-00000000001": {"subject": "ada", "roles": ["admin"], "accounts": ["talent"]},
    }
    ada, root = auth("admin-b-token-00000000001"), auth("admin-token-0000000000001")
    term = {"text": "蓝鲸计划", "category": "confidential"}
    async with harness(namespace, mongo_url, accounts_json=TWO_ACCOUNTS, api_tokens=tokens) as h:
        before = (await h.client.get("/lexicon", headers=ada)).json()

        added = await h.client.post("/lexicon/terms", json=term, headers=ada)
        removed = await h.client.delete("/lexicon/terms", params={"text": "网赌"}, headers=ada)

        assert (added.status_code, removed.status_code) == (403, 403)
        assert added.json()["type"] == "urn:contentops:problem:forbidden-account"
        after = (await h.client.get("/lexicon", headers=ada)).json()
        assert (after["revision"], after["version"]) == (before["revision"], before["version"])
        assert await h.review.db["audit"].count_documents({}) == 0
        assert (await h.client.post("/lexicon/terms", json=term, headers=root)).status_code == 201
        # One lexicon: a reviewer of either account reads the same terms, the new one too.
        params = {"q": "蓝鲸计划"}
        of_default = (await h.client.get("/lexicon/terms", params=params, headers=RAO)).json()
        of_talent = (await h.client.get("/lexicon/terms", params=params, headers=TOM)).json()
        assert of_default == of_talent
        assert [t["text"] for t in of_talent["items"]] == ["蓝鲸计划"]


async def test_a_version_1_submission_is_consumed_into_the_default_account(h: Harness) -> None:
    event = of("d-v1", "default")
    wire = {**event.model_dump(mode="json"), "schema_version": 1, "account": "talent"}

    await publish_raw(
        h.review.settings.namespace,
        json.dumps(wire).encode(),
        "draft.submitted",
        str(event.event_id),
    )

    review = await h.review_of("d-v1")
    assert review["account"] == "default"
    assert review["slot"] == "2026-11-25T11:30+08:00"
    assert ids(await h.client.get("/reviews", params={"account": "talent"}, headers=RITA)) == set()


async def test_a_revision_naming_another_account_is_dead_lettered(h: Harness) -> None:
    first = await h.submit(of("d-mixed", "talent"))

    await emit(h.drafting, of("d-mixed", "default", revision=2))

    queue = f"{h.review.settings.namespace}review.draft.submitted"

    async def dead_lettered() -> bool:
        labels = {"queue": queue, "reason": "account_mismatch"}
        return h.review.registry.get_sample_value("contentops_dead_lettered_total", labels) == 1

    await wait_for(dead_lettered, timeout=30)
    assert await h.review.db["reviews"].count_documents({"draft_id": "d-mixed"}) == 1
    still = (await h.client.get(f"/reviews/{first['review_id']}", headers=TOM)).json()
    assert (still["state"], still["account"]) == ("pending", "talent")


async def test_reviews_from_before_accounts_become_the_default_accounts(
    namespace: str, mongo_url: str
) -> None:
    async with harness(namespace, mongo_url) as before:
        old = await before.submit(submitted("d-old", content()))
        await before.review.db["reviews"].update_many({}, {"$unset": {"account": ""}})
        await before.review.db["_migrations"].delete_many({})

    async with harness(namespace, mongo_url, accounts_json=TWO_ACCOUNTS) as after:

        async def adopted() -> bool:
            doc = await after.review.db["reviews"].find_one({"_id": old["review_id"]})
            return doc is not None and doc.get("account") == "default"

        await wait_for(adopted, timeout=30)
        assert ids(await after.client.get("/reviews", headers=RAO)) == {old["review_id"]}
        assert ids(await after.client.get("/reviews", headers=TOM)) == set()
