"""Accounts (#12) in the feedback service, on the real broker and store.

Two official accounts (``TWO_ACCOUNTS``: default, and talent with a 6-hour reply limit):
no list shows one account's windows, items or enquiries to a caller limited to the other
(and ``?account=`` of an account not held is 403), a single window, document or enquiry of
another account is 404, a reply or batch for another account is 403 and changes nothing,
each account has its push URL (its own token) and its enquiries are due after its own
limit, replies go out with the account's own WeChat app, version-1 events still land in
the default account, a version-2 event naming another account than its post's is
dead-lettered, and documents from before accounts become the default account's.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from feedback_support import (
    APP_ID,
    APP_SECRET,
    TOKEN,
    ShiftedClock,
    client,
    drain,
    feedback_event,
    feedback_settings,
    post_published,
    probe,
    publish,
    publish_raw,
    push_query,
    replicas,
    service,
    store,
    text_push,
)

from shared.events import PostPublished
from shared.mongo import MongoDoc
from shared.wechat import MessageCrypto
from tests.fakes.wechat_server import running_fake_wechat
from tests.fakes.wechat_state import FakeWeChatState
from tests.support.accounts import (
    EDITOR_A,
    EDITOR_B,
    REVIEWER_A,
    REVIEWER_B,
    SYSTEM_B,
    TWO_ACCOUNTS,
)
from tests.support.backbone import wait_for
from tests.support.services import auth

pytestmark = pytest.mark.integration

SYSTEM = auth("system-token-000000000001")  # systems of every account
DIRECTOR = auth("director-token-0000000001")  # the director reads every account
ANN, TINA = auth(EDITOR_A), auth(EDITOR_B)  # editors of default / of talent
RAO, TOM = auth(REVIEWER_A), auth(REVIEWER_B)  # reviewers of default / of talent
HR = auth(SYSTEM_B)  # a system of talent only
QUESTION = "请问社保基数怎么调整？"
TALENT_TOKEN = "talent-push-token-5e2b"
WAIT = 60.0  # generous: the machine is shared


def _of(event: PostPublished, account: str) -> PostPublished:
    return event.model_copy(update={"account": account})


def _message(source_id: str, at: datetime, post_id: str) -> dict[str, Any]:
    return {
        "source": "crm",
        "source_id": source_id,
        "kind": "message",
        "post_id": post_id,
        "author": f"c-{source_id}",
        "text": QUESTION,
        "received_at": at.isoformat(),
    }


async def _windows_open(app: FastAPI, *post_ids: str) -> None:
    raw = store(app)

    async def opened() -> bool:
        return await raw.windows.count_documents({"_id": {"$in": list(post_ids)}}) == len(post_ids)

    await wait_for(opened, timeout=WAIT)


async def _seeded(app: FastAPI, clock: ShiftedClock, namespace: str) -> tuple[str, str]:
    """A window of each account with one enquiry each; returns the two post ids."""
    suffix = uuid.uuid4().hex[:6]
    p_def, p_tal = f"p-def-{suffix}", f"p-tal-{suffix}"
    now = clock.now()
    await publish(
        namespace,
        _of(post_published(p_def, at=now, channel="local"), "default"),
        _of(post_published(p_tal, at=now, channel="local"), "talent"),
    )
    await _windows_open(app, p_def, p_tal)
    async with client(app) as http:
        mine = await http.post(
            "/feedback/batch",
            json={"account": "default", "items": [_message("def-1", now, p_def)]},
            headers=SYSTEM,
        )
        theirs = await http.post(
            "/feedback/batch",
            json={"account": "talent", "items": [_message("tal-1", now, p_tal)]},
            headers=HR,
        )
    assert (mine.json()["stored"], theirs.json()["stored"]) == (1, 1), (mine.text, theirs.text)
    return p_def, p_tal


def _accounts(answer: httpx.Response) -> set[str]:
    assert answer.status_code == 200, answer.text
    return {item["account"] for item in answer.json()["items"]}


async def test_no_list_shows_one_accounts_data_to_a_caller_of_the_other(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    settings = feedback_settings(namespace, mongo_url, accounts_json=TWO_ACCOUNTS)
    async with replicas(settings, clock) as [app]:
        await _seeded(app, clock, namespace)
        async with client(app) as http:
            for path in ("/windows", "/feedback", "/enquiries"):
                assert _accounts(await http.get(path, headers=ANN)) == {"default"}, path
                assert _accounts(await http.get(path, headers=TINA)) == {"talent"}, path
                assert _accounts(await http.get(path, headers=DIRECTOR)) == {"default", "talent"}
                only_talent = await http.get(path, params={"account": "talent"}, headers=DIRECTOR)
                assert _accounts(only_talent) == {"talent"}, path
                only_default = await http.get(path, params={"account": "default"}, headers=ANN)
                assert _accounts(only_default) == {"default"}, path
                refused = await http.get(path, params={"account": "talent"}, headers=ANN)
                assert refused.status_code == 403, (path, refused.text)
                unknown = await http.get(path, params={"account": "nope"}, headers=DIRECTOR)
                assert unknown.status_code == 404, (path, unknown.text)
                assert unknown.json()["errors"][0]["field"] == "account"
            # the analysis preview belongs to no account: any reader's role will do
            texts = {"texts": [QUESTION, "写得很清楚，收藏了"]}
            preview = await http.post("/analysis/preview", json=texts, headers=TINA)
            assert preview.status_code == 200, preview.text
            assert len(preview.json()["items"]) == 2
            assert (await http.post("/analysis/preview", json=texts, headers=HR)).status_code == 403


async def test_a_single_window_document_or_enquiry_of_another_account_is_not_found(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    settings = feedback_settings(namespace, mongo_url, accounts_json=TWO_ACCOUNTS)
    async with replicas(settings, clock) as [app], probe(namespace, "feedback.digest.ready") as q:
        p_def, p_tal = await _seeded(app, clock, namespace)
        async with client(app) as http:
            assert (await http.get(f"/windows/{p_tal}", headers=ANN)).status_code == 404
            theirs = await http.get(f"/windows/{p_tal}", headers=TINA)
            assert (theirs.status_code, theirs.json()["account"]) == (200, "talent")
            assert (await http.get("/enquiries/crm:tal-1", headers=ANN)).status_code == 404
            enquiry = await http.get("/enquiries/crm:tal-1", headers=TINA)
            assert (enquiry.status_code, enquiry.json()["account"]) == (200, "talent")

            clock.advance(timedelta(hours=25))
            raw = store(app)

            async def both_closed() -> bool:
                query = {"_id": {"$in": [p_def, p_tal]}, "state": "closed"}
                return await raw.windows.count_documents(query) == 2

            await wait_for(both_closed, timeout=WAIT)
            assert (await http.get(f"/windows/{p_tal}/document.md", headers=RAO)).status_code == 404
            assert (await http.get(f"/windows/{p_tal}/document.md", headers=TOM)).status_code == 200
            assert (await http.get(f"/windows/{p_def}/document.md", headers=RAO)).status_code == 200
            assert (await http.get(f"/windows/{p_def}/document.md", headers=TOM)).status_code == 404
        documents = {d["post_id"]: d["account"] async for d in raw.documents.find({})}

        ready: list[dict[str, Any]] = []

        async def collect() -> bool:
            ready.extend(json.loads(m.body) for m in await drain(q))
            return len(ready) >= 2

        await wait_for(collect, timeout=WAIT)
    assert documents == {p_def: "default", p_tal: "talent"}
    assert {e["payload"]["post_id"]: e["account"] for e in ready} == {
        p_def: "default",
        p_tal: "talent",
    }
    assert {e["schema_version"] for e in ready} == {2}


async def test_a_reply_or_a_batch_for_another_account_is_refused_and_changes_nothing(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    settings = feedback_settings(namespace, mongo_url, accounts_json=TWO_ACCOUNTS)
    async with replicas(settings, clock) as [app]:
        p_def, p_tal = await _seeded(app, clock, namespace)
        raw = store(app)
        now = clock.now()
        async with client(app) as http:
            refused = await http.post(
                "/enquiries/crm:tal-1/reply", json={"text": "您好"}, headers=ANN
            )
            enquiry = await raw.get_enquiry("crm:tal-1")
            replies = await raw.items.count_documents({"kind": "reply"})
            audits = await raw.db["audit"].count_documents({"action": "enquiry.replied"})

            wrong_account = await http.post(
                "/feedback/batch",
                json={"account": "default", "items": [_message("x-1", now, p_def)]},
                headers=HR,
            )
            unknown = await http.post(
                "/feedback/batch",
                json={"account": "nope", "items": [_message("x-2", now, p_def)]},
                headers=SYSTEM,
            )
            wrong_post = await http.post(
                "/feedback/batch",
                json={"account": "talent", "items": [_message("x-3", now, p_def)]},
                headers=HR,
            )
            tried = {"source_id": {"$in": ["x-1", "x-2", "x-3"]}}
            stored_x = await raw.items.count_documents(tried)

            answered = await http.post(
                "/enquiries/crm:tal-1/reply", json={"text": "您好"}, headers=TINA
            )

    assert refused.status_code == 403, refused.text
    assert enquiry is not None
    assert enquiry["enquiry"]["state"] == "open"
    assert (replies, audits) == (0, 0)
    assert wrong_account.status_code == 403, wrong_account.text
    assert unknown.status_code == 404, unknown.text
    assert [e["field"] for e in unknown.json()["errors"]] == ["account"]
    assert wrong_post.status_code == 200, wrong_post.text
    [item] = wrong_post.json()["items"]
    assert (item["status"], item["errors"][0]["field"]) == ("invalid", "items.0.post_id")
    assert stored_x == 0
    assert answered.status_code == 200, answered.text
    assert (answered.json()["state"], answered.json()["account"]) == ("answered", "talent")


async def test_version_1_events_land_in_default_and_a_version_2_naming_another_is_dead_lettered(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    settings = feedback_settings(namespace, mongo_url, accounts_json=TWO_ACCOUNTS)
    async with replicas(settings, clock) as [app]:
        raw = store(app)
        suffix = uuid.uuid4().hex[:6]
        p_old, p_tal = f"p-old-{suffix}", f"p-tal-{suffix}"
        now = clock.now()
        old_post = post_published(p_old, at=now, channel="local")
        wire = {**old_post.model_dump(mode="json"), "schema_version": 1}
        wire.pop("account")
        await publish_raw(
            namespace, (json.dumps(wire).encode(), "post.published", str(old_post.event_id))
        )
        await publish(namespace, _of(post_published(p_tal, at=now, channel="local"), "talent"))
        await _windows_open(app, p_old, p_tal)

        old_item = feedback_event("v1-item", at=now, post_id=p_tal)  # says nothing of accounts
        v1 = {**old_item.model_dump(mode="json"), "schema_version": 1}
        v1.pop("account")
        await publish_raw(namespace, (json.dumps(v1).encode(), "feedback.received", "v1-item"))
        mismatched = feedback_event("v2-wrong", at=now, post_id=p_tal)  # v2, "default"
        await publish(namespace, mismatched)

        queue = f"{namespace}feedback.feedback.received"
        registry = service(app).runtime.registry

        async def dead_lettered() -> bool:
            labels = {"queue": queue, "reason": "account_mismatch"}
            return registry.get_sample_value("contentops_dead_lettered_total", labels) == 1

        async def v1_stored() -> bool:
            return await raw.items.count_documents({"source_id": "v1-item"}) == 1

        await wait_for(dead_lettered, timeout=WAIT)
        await wait_for(v1_stored, timeout=WAIT)

        # a post of an account this deployment does not have opens no window
        p_ghost = f"p-ghost-{suffix}"
        await publish(namespace, _of(post_published(p_ghost, at=now, channel="local"), "ghost"))

        async def ghost_dead_lettered() -> bool:
            labels = {"queue": f"{namespace}feedback.post.published", "reason": "unknown_account"}
            return registry.get_sample_value("contentops_dead_lettered_total", labels) == 1

        await wait_for(ghost_dead_lettered, timeout=WAIT)
        ghost_window = await raw.get_window(p_ghost)
        old_window = await raw.get_window(p_old)
        v1_doc = await raw.items.find_one({"source_id": "v1-item"})
        wrong = await raw.items.count_documents({"source_id": "v2-wrong"})

    assert old_window is not None
    assert old_window["account"] == "default"
    assert v1_doc is not None
    assert v1_doc["account"] == "talent"  # a version-1 item takes its post's account
    assert wrong == 0
    assert ghost_window is None


async def test_each_account_has_its_push_url_and_its_enquiries_its_reply_limit(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_TOKEN", TALENT_TOKEN)
    clock = ShiftedClock()
    settings = feedback_settings(
        namespace, mongo_url, accounts_json=TWO_ACCOUNTS, wechat_token=TOKEN
    )
    async with replicas(settings, clock) as [app]:
        async with client(app) as http:
            to_talent = await http.post(
                "/wechat/push/talent",
                params=push_query(TALENT_TOKEN),
                content=text_push(7001, "请问招聘会什么时候？", sender="o-t"),
            )
            to_default = await http.post(
                "/wechat/push",
                params=push_query(TOKEN),
                content=text_push(7002, "请问发票怎么开？", sender="o-d"),
            )
            forged = await http.post(
                "/wechat/push/talent",
                params=push_query(TOKEN),  # the default account's token
                content=text_push(7003, "请问？", sender="o-x"),
            )
            unknown = await http.post(
                "/wechat/push/nope",
                params=push_query(TOKEN),
                content=text_push(7004, "请问？", sender="o-x"),
            )
            echo = await http.get(
                "/wechat/push/talent", params={**push_query(TALENT_TOKEN), "echostr": "e-1"}
            )
            talent = await http.get("/enquiries/wechat_message:7001", headers=TINA)
            default = await http.get("/enquiries/wechat_message:7002", headers=ANN)
            hidden = await http.get("/enquiries/wechat_message:7001", headers=ANN)
        stored_forged = await store(app).items.count_documents({"source_id": "7003"})
        registry = service(app).runtime.registry

        async def gauged() -> bool:  # the sweep counts each account's open enquiries
            return all(
                registry.get_sample_value("feedback_account_enquiries_open", {"account": a}) == 1
                for a in ("default", "talent")
            )

        await wait_for(gauged, timeout=WAIT)

    assert (to_talent.status_code, to_default.status_code) == (200, 200)
    assert forged.status_code == 403
    assert stored_forged == 0
    assert unknown.status_code == 404
    assert (echo.status_code, echo.text) == (200, "e-1")
    assert talent.json()["account"] == "talent"
    assert default.json()["account"] == "default"
    assert hidden.status_code == 404

    def due_after(enquiry: dict[str, Any]) -> timedelta:
        return datetime.fromisoformat(enquiry["deadline"]) - datetime.fromisoformat(
            enquiry["asked_at"]
        )

    assert due_after(talent.json()) == timedelta(hours=6)
    assert due_after(default.json()) == timedelta(hours=12)


async def test_a_reply_goes_out_with_its_accounts_own_wechat_app(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fake WeChat knows talent's app only: talent's reply is sent; the default
    account's app is refused there, its reply fails, and that does not hold talent's up."""
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_TOKEN", TALENT_TOKEN)
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_APP_SECRET", "talent-app-secret")
    accounts = json.dumps([{"id": "default"}, {"id": "talent", "wechat_app_id": "wx-talent-app"}])
    wechat = FakeWeChatState(appid="wx-talent-app", secret="talent-app-secret")
    async with running_fake_wechat(wechat) as fake:
        settings = feedback_settings(
            namespace,
            mongo_url,
            accounts_json=accounts,
            wechat_token=TOKEN,
            wechat_app_id=APP_ID,
            wechat_app_secret="not-the-default-apps-secret",
            wechat_base_url=fake.base_url,
            job_retry_seconds=0.2,
            reply_send_max_attempts=2,
        )
        async with replicas(settings, ShiftedClock()) as [app]:
            raw = store(app)
            async with client(app) as http:
                for path, token, msg_id, sender in (
                    ("/wechat/push/talent", TALENT_TOKEN, 8001, "o-talent"),
                    ("/wechat/push", TOKEN, 8002, "o-default"),
                ):
                    pushed = await http.post(
                        path,
                        params=push_query(token),
                        content=text_push(msg_id, "请问周末可以咨询吗？", sender=sender),
                    )
                    assert pushed.status_code == 200, pushed.text
                for enquiry_id, headers in (
                    ("wechat_message:8002", ANN),
                    ("wechat_message:8001", TINA),
                ):
                    answered = await http.post(
                        f"/enquiries/{enquiry_id}/reply",
                        json={"text": "您好，可以。"},
                        headers=headers,
                    )
                    assert answered.status_code == 200, answered.text

            settled: dict[str, MongoDoc] = {}

            async def both_settled() -> bool:
                for key in ("wechat_message:8001", "wechat_message:8002"):
                    doc = await raw.get_enquiry(key)
                    delivery = doc["enquiry"].get("delivery") if doc else None
                    if delivery is None or delivery["state"] == "pending":
                        return False
                    settled[key] = delivery
                return True

            await wait_for(both_settled, timeout=WAIT)
            sent_to_talent = fake.state.messages_to("o-talent")
            sent_to_default = fake.state.messages_to("o-default")

    assert settled["wechat_message:8001"]["state"] == "sent"
    assert sent_to_talent == ["您好，可以。"]
    assert settled["wechat_message:8002"]["state"] == "failed"
    assert sent_to_default == []


async def test_documents_from_before_accounts_become_the_default_accounts(
    namespace: str, mongo_url: str
) -> None:
    clock = ShiftedClock()
    suffix = uuid.uuid4().hex[:6]
    p_old = f"p-old-{suffix}"
    settings = feedback_settings(namespace, mongo_url)
    async with replicas(settings, clock) as [app]:
        await publish(namespace, post_published(p_old, at=clock.now(), channel="local"))
        await _windows_open(app, p_old)
        async with client(app) as http:
            batch = await http.post(
                "/feedback/batch",
                json={"items": [_message("old-1", clock.now(), p_old)]},
                headers=SYSTEM,
            )
            assert batch.json()["stored"] == 1
        raw = store(app)
        for collection in (raw.windows, raw.items):  # as written before accounts
            await collection.update_many({}, {"$unset": {"account": ""}})
        await raw.db["_migrations"].delete_many({})

    two = feedback_settings(namespace, mongo_url, accounts_json=TWO_ACCOUNTS)
    async with replicas(two, clock) as [app]:
        raw = store(app)

        async def adopted() -> bool:
            missing = {"account": {"$exists": False}}
            return (
                await raw.windows.count_documents(missing) == 0
                and await raw.items.count_documents(missing) == 0
            )

        await wait_for(adopted, timeout=WAIT)
        async with client(app) as http:
            windows = await http.get("/windows", params={"account": "default"}, headers=ANN)
            talent = await http.get("/enquiries", headers=TINA)

    assert [w["post_id"] for w in windows.json()["items"]] == [p_old]
    assert talent.json()["items"] == []


async def test_one_accounts_slow_wechat_does_not_hold_up_anothers_replies(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default account's WeChat answers nothing: its reply waits, talent's goes out.
    The client's timeout is longer than the test waits, so a loop shared by the accounts
    (busy with the default's send, claimed first) would not have sent talent's in time."""
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_TOKEN", TALENT_TOKEN)
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_APP_SECRET", "talent-app-secret")
    accounts = json.dumps([{"id": "default"}, {"id": "talent", "wechat_app_id": "wx-talent-app"}])
    wechat = FakeWeChatState(appid="wx-talent-app", secret="talent-app-secret")
    wechat.add_app(APP_ID, APP_SECRET)
    async with running_fake_wechat(wechat) as fake:
        settings = feedback_settings(
            namespace,
            mongo_url,
            accounts_json=accounts,
            wechat_token=TOKEN,
            wechat_app_id=APP_ID,
            wechat_app_secret=APP_SECRET,
            wechat_base_url=fake.base_url,
            wechat_timeout_seconds=WAIT * 3,
        )
        async with replicas(settings, ShiftedClock()) as [app]:
            raw = store(app)

            async def delivery(key: str) -> MongoDoc | None:
                doc = await raw.get_enquiry(key)
                found: MongoDoc | None = doc["enquiry"].get("delivery") if doc else None
                return found

            fake.state.hold_app(APP_ID)
            async with client(app) as http:
                for path, token, msg_id, sender in (
                    ("/wechat/push", TOKEN, 8102, "o-default"),
                    ("/wechat/push/talent", TALENT_TOKEN, 8101, "o-talent"),
                ):
                    pushed = await http.post(
                        path,
                        params=push_query(token),
                        content=text_push(msg_id, "请问周末可以咨询吗？", sender=sender),
                    )
                    assert pushed.status_code == 200, pushed.text
                answered = await http.post(
                    "/enquiries/wechat_message:8102/reply", json={"text": "默认"}, headers=ANN
                )
                assert answered.status_code == 200, answered.text

                async def default_in_flight() -> bool:
                    found = await delivery("wechat_message:8102")
                    return found is not None and found["in_flight_since"] is not None

                await wait_for(default_in_flight, timeout=WAIT)
                answered = await http.post(
                    "/enquiries/wechat_message:8101/reply", json={"text": "人才"}, headers=TINA
                )
                assert answered.status_code == 200, answered.text

            async def talent_sent() -> bool:
                found = await delivery("wechat_message:8101")
                return found is not None and found["state"] == "sent"

            await wait_for(talent_sent, timeout=WAIT)
            held = await delivery("wechat_message:8102")
            fake.state.heal_app(APP_ID)

            async def default_sent() -> bool:
                found = await delivery("wechat_message:8102")
                return found is not None and found["state"] == "sent"

            await wait_for(default_sent, timeout=WAIT)

    assert held is not None
    assert held["state"] == "pending"  # still waiting for its WeChat
    assert fake.state.messages_to("o-talent") == ["人才"]
    assert fake.state.messages_to("o-default") == ["默认"]


async def test_an_accounts_encrypted_push_url_keeps_every_check_with_its_own_key_and_app(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Talent pushes in the encrypted mode with its own token, message key and app id; the
    default account takes no pushes here (no FEEDBACK_WECHAT_TOKEN): its URL is 404."""
    aes_key = base64.b64encode(bytes(range(1, 33))).decode().rstrip("=")
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_TOKEN", TALENT_TOKEN)
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_AES_KEY", aes_key)
    accounts = json.dumps([{"id": "default"}, {"id": "talent", "wechat_app_id": "wx-talent-app"}])
    talent = MessageCrypto(TALENT_TOKEN, aes_key, "wx-talent-app")
    another_app = MessageCrypto(TALENT_TOKEN, aes_key, APP_ID)

    def encrypted(sealer: MessageCrypto, body: bytes) -> tuple[dict[str, str], bytes]:
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:8]
        sealed = sealer.encrypt(body)
        query = {
            "timestamp": timestamp,
            "nonce": nonce,
            "encrypt_type": "aes",
            "msg_signature": sealer.signature(timestamp, nonce, sealed),
        }
        return query, f"<xml><Encrypt><![CDATA[{sealed}]]></Encrypt></xml>".encode()

    settings = feedback_settings(namespace, mongo_url, accounts_json=accounts)
    async with replicas(settings, ShiftedClock()) as [app], client(app) as http:
        query, body = encrypted(talent, text_push(9001, "请问怎么报名？", sender="o-t"))
        good = await http.post("/wechat/push/talent", params=query, content=body)
        tampered = await http.post(
            "/wechat/push/talent", params={**query, "msg_signature": "0" * 40}, content=body
        )
        query, body = encrypted(another_app, text_push(9002, "别的公众号"))
        foreign = await http.post("/wechat/push/talent", params=query, content=body)
        plain = await http.post(
            "/wechat/push/talent",
            params=push_query(TALENT_TOKEN),
            content=text_push(9003, "明文消息"),
        )
        default = await http.post(
            "/wechat/push", params=push_query(TOKEN), content=text_push(9004, "请问？")
        )
        stored = [(d["source_id"], d["account"]) async for d in store(app).items.find({})]
    assert (good.status_code, good.content) == (200, b"success")
    assert tampered.status_code == 403
    assert foreign.status_code == 403
    assert plain.status_code == 403
    assert default.status_code == 404
    assert stored == [("9001", "talent")]


async def test_a_talent_posts_comments_are_polled_with_talents_app_into_talent(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fake WeChat knows talent's app only (the default account has none here)."""
    monkeypatch.setenv("ACCOUNT_TALENT_WECHAT_APP_SECRET", "talent-app-secret")
    accounts = json.dumps([{"id": "default"}, {"id": "talent", "wechat_app_id": "wx-talent-app"}])
    wechat = FakeWeChatState(appid="wx-talent-app", secret="talent-app-secret")
    msg_data_id = "2247481201"
    comment_id = wechat.add_comment(msg_data_id, 0, "请问人才补贴怎么申请？", openid="o-c1")
    clock = ShiftedClock()
    async with running_fake_wechat(wechat) as fake:
        settings = feedback_settings(
            namespace,
            mongo_url,
            accounts_json=accounts,
            wechat_base_url=fake.base_url,
            comment_poll_seconds=0.2,
        )
        async with replicas(settings, clock) as [app]:
            post_id = f"p-tal-{uuid.uuid4().hex[:6]}"
            event = post_published(
                post_id, at=clock.now() - timedelta(seconds=5), msg_data_id=msg_data_id
            )
            await publish(namespace, _of(event, "talent"))
            raw = store(app)
            enquiry_id = f"wechat_comment:{msg_data_id}:0:{comment_id}"

            async def polled() -> bool:
                return await raw.get_enquiry(enquiry_id) is not None

            await wait_for(polled, timeout=WAIT)
            comment = await raw.get_enquiry(enquiry_id)
            poll = await raw.jobs.find_one({"_id": f"comment-poll:{post_id}"})
            async with client(app) as http:
                hidden = await http.get(f"/enquiries/{enquiry_id}", headers=ANN)
                shown = await http.get(f"/enquiries/{enquiry_id}", headers=TINA)

    assert comment is not None
    assert (comment["account"], comment["post_id"]) == ("talent", post_id)
    assert poll is not None
    assert poll["kind"] == "comment-poll:talent"
    assert hidden.status_code == 404
    assert (shown.status_code, shown.json()["account"]) == (200, "talent")
