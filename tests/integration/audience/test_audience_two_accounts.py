"""Accounts (#12) in the audience service, on the real broker and store.

Two accounts (``default`` and ``talent``, ``tests.support.accounts``): every list route
keeps to the accounts the caller reads, every change is refused (403, nothing changed)
to a caller holding the role on the other account only, a push to ``talent``'s URL is
``talent``'s (follower, greeting, events, the enquiry handed to feedback), the same branch
code in both accounts stays two branches, one account's WeChat failure leaves the other
alone, and documents from before accounts are the default account's.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from audience_support import (
    DIRECTOR,
    TALENT_TOKEN,
    TOKEN,
    audience_settings,
    client,
    delete_follower_queues,
    event_push,
    observing,
    push_query,
    running,
    service,
    text_push,
    two_accounts,
)

from services.audience.bootstrap import create_app
from services.audience.repository.indexes import BRANCHES, FOLLOWERS, RULES
from shared.accounts import secret_env_name
from shared.wechat import MessageCrypto, parse_message
from shared.wechat.crypto import safe_fromstring
from tests.fakes.wechat_server import running_fake_wechat
from tests.support.accounts import DIRECTOR_A, EDITOR_A, EDITOR_B
from tests.support.services import TOKENS, auth

pytestmark = pytest.mark.integration

ANN = auth(EDITOR_A)  # editor of default only
TINA = auth(EDITOR_B)  # editor of talent only
DAI = auth(DIRECTOR_A)  # director of default only
MIXED_TOKEN = "mixed-token-0000000000001"
MIA = auth(MIXED_TOKEN)  # editor of default, reviewer (no audience role) of talent
WITH_MIXED = {
    **TOKENS,
    MIXED_TOKEN: {
        "subject": "mia",
        "roles": ["editor"],
        "accounts": ["default"],
        "account_roles": {"talent": ["reviewer"]},
    },
}

# Every list route, and where its items are in the answer.
LIST_ROUTES = (
    "/branches",
    "/campaigns",
    "/followers",
    "/followers/summary",
    "/rules",
    "/menu/versions",
    "/menu/clicks",
    "/reconciliations",
)
# Routes showing one account's settings or state (unset: the first account read).
ONE_ACCOUNT_ROUTES = ("/followers-backfill", "/replies/defaults")


def items_of(route: str, body: Any) -> list[dict[str, Any]]:
    if route == "/followers/summary":
        rows: list[dict[str, Any]] = body["by_branch"]
        return rows
    if isinstance(body, dict) and "items" in body:
        page: list[dict[str, Any]] = body["items"]
        return page
    assert isinstance(body, list), body
    return body


def accounts_in(route: str, answer: httpx.Response) -> set[str]:
    assert answer.status_code == 200, (route, answer.text)
    return {item["account"] for item in items_of(route, answer.json())}


async def push(http: httpx.AsyncClient, account: str | None, body: bytes) -> httpx.Response:
    url, token = ("/wechat/push", TOKEN) if account is None else (f"/wechat/push/{account}", "")
    if account is not None:
        token = TALENT_TOKEN if account == "talent" else TOKEN
    return await http.post(url, params=push_query(token), content=body)


async def until_done(http: httpx.AsyncClient, account: str) -> dict[str, Any]:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state: dict[str, Any] = (
            await http.get(f"/followers-backfill?account={account}", headers=DIRECTOR)
        ).json()
        if state.get("status") in ("done", "stopped"):
            return state
        await asyncio.sleep(0.1)
    raise AssertionError(f"the back-fill of {account} did not end")


async def fill_both(http: httpx.AsyncClient) -> dict[str, str]:
    """One of everything in each account; returns the rule id of each."""
    now = int(time.time())
    rules: dict[str, str] = {}
    expires = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    for account in ("default", "talent"):
        branch = {"code": "sh", "name": f"上海 {account}", "administrator": "王", "target": 4}
        made = await http.post("/branches", headers=DIRECTOR, json={**branch, "account": account})
        assert made.status_code == 201, made.text
        campaign = {"code": f"fair-{account}", "name": "招聘会", "expires_at": expires}
        made = await http.post(
            "/campaigns", headers=DIRECTOR, json={**campaign, "account": account}
        )
        assert made.status_code == 201, made.text
        rule = {"keyword": f"kw-{account}", "reply": {"kind": "text", "text": account}}
        made = await http.post("/rules", headers=DIRECTOR, json={**rule, "account": account})
        assert made.status_code == 201, made.text
        rules[account] = made.json()["rule_id"]
        defaults = {"account": account, "default": {"kind": "text", "text": f"hi {account}"}}
        assert (await http.put("/replies/defaults", headers=DIRECTOR, json=defaults)).is_success
        menu = {"account": account, "buttons": [{"name": "最新", "type": "click", "key": "NEW"}]}
        assert (await http.post("/menu/versions", headers=DIRECTOR, json=menu)).status_code == 201
        backfill = await http.post(
            "/followers-backfill", headers=DIRECTOR, json={"account": account}
        )
        assert backfill.status_code == 202, backfill.text
        await until_done(http, account)
        checked = await http.post("/reconciliations", headers=DIRECTOR, json={"account": account})
        assert checked.status_code == 200, checked.text
        subscribe = event_push("subscribe", f"o-{account}", now, "qrscene_branch:sh")
        assert (await push(http, account, subscribe)).status_code == 200
        click = event_push("CLICK", f"o-{account}", now + 1, "NEW")
        assert (await push(http, account, click)).status_code == 200
    return rules


async def test_every_list_route_keeps_to_the_accounts_the_caller_reads(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_fake_wechat() as fake:
        settings = two_accounts(namespace, mongo_url, fake, monkeypatch, api_tokens=WITH_MIXED)
        async with (
            observing(namespace, "follower.subscribed", "branch.saved"),
            running(settings) as app,
            client(app) as http,
        ):
            await fill_both(http)
            for route in LIST_ROUTES:
                assert accounts_in(route, await http.get(route, headers=DIRECTOR)) == {
                    "default",
                    "talent",
                }, route  # the director reads all together
                for account in ("default", "talent"):
                    asked = await http.get(f"{route}?account={account}", headers=DIRECTOR)
                    assert accounts_in(route, asked) == {account}, route
                assert accounts_in(route, await http.get(route, headers=ANN)) == {"default"}
                assert accounts_in(route, await http.get(route, headers=TINA)) == {"talent"}
                refused = await http.get(f"{route}?account=talent", headers=ANN)
                assert refused.status_code == 403, (route, refused.text)
                # A reviewer of talent holds no audience role there: it reads default only.
                assert accounts_in(route, await http.get(route, headers=MIA)) == {"default"}
                refused = await http.get(f"{route}?account=talent", headers=MIA)
                assert refused.status_code == 403, (route, refused.text)
                unknown = await http.get(f"{route}?account=nobody", headers=DIRECTOR)
                assert unknown.status_code == 404, (route, unknown.text)
                assert unknown.json()["errors"][0]["field"] == "account"
            for route in ONE_ACCOUNT_ROUTES:
                ours = (await http.get(route, headers=ANN)).json()
                theirs = (await http.get(route, headers=TINA)).json()
                assert (ours["account"], theirs["account"]) == ("default", "talent"), route
                refused = await http.get(f"{route}?account=talent", headers=ANN)
                assert refused.status_code == 403, route
            defaults = (await http.get("/replies/defaults", headers=TINA)).json()
            assert defaults["default"]["text"] == "hi talent"
            # A single resource of an account one holds no role on is not revealed.
            hidden = (
                "/branches/sh?account=talent",
                "/branches/sh/poster.png?account=talent",
                "/campaigns/fair-talent/poster.pdf?account=talent",
                "/followers/o-talent?account=talent",
            )
            for path in hidden:
                assert (await http.get(path, headers=ANN)).status_code == 404, path
                assert (await http.get(path, headers=MIA)).status_code == 404, path
                assert (await http.get(path, headers=TINA)).status_code == 200, path
            mine = (await http.get("/branches/sh?account=talent", headers=TINA)).json()
            assert (mine["account"], mine["name"]) == ("talent", "上海 talent")
            summary = (await http.get("/followers/summary", headers=DIRECTOR)).json()
    by_branch = {(b["account"], b["code"]): b["followers"] for b in summary["by_branch"]}
    assert by_branch == {("default", "sh"): 1, ("talent", "sh"): 1}


async def test_every_change_to_the_other_account_is_refused_and_changes_nothing(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_fake_wechat() as fake:
        settings = two_accounts(namespace, mongo_url, fake, monkeypatch)
        async with (
            observing(namespace, "follower.subscribed", "branch.saved"),
            running(settings) as app,
            client(app) as http,
        ):
            rules = await fill_both(http)

            async def talent_state() -> dict[str, Any]:
                q = "?account=talent"
                return {
                    route: (await http.get(route + q, headers=DIRECTOR)).json()
                    for route in (*LIST_ROUTES, *ONE_ACCOUNT_ROUTES)
                }

            before = await talent_state()
            menus_sent = len(fake.state.menu_history)
            expires = (datetime.now(UTC) + timedelta(days=3)).isoformat()
            rule = {"keyword": "新", "reply": {"kind": "text", "text": "x"}}
            refused = [
                await http.post(
                    "/branches",
                    headers=DAI,
                    json={
                        "account": "talent",
                        "code": "bj",
                        "name": "北京",
                        "administrator": "x",
                        "target": 1,
                    },
                ),
                await http.post(
                    "/campaigns",
                    headers=DAI,
                    json={"account": "talent", "code": "c2", "name": "c", "expires_at": expires},
                ),
                await http.post("/rules", headers=ANN, json={**rule, "account": "talent"}),
                await http.put(f"/rules/{rules['talent']}", headers=ANN, json=rule),
                await http.delete(f"/rules/{rules['talent']}", headers=ANN),
                await http.put(
                    "/replies/defaults",
                    headers=ANN,
                    json={"account": "talent", "default": {"kind": "text", "text": "x"}},
                ),
                await http.post(
                    "/menu/versions",
                    headers=ANN,
                    json={
                        "account": "talent",
                        "buttons": [{"name": "x", "type": "click", "key": "X"}],
                    },
                ),
                await http.post("/menu/versions/1/publish?account=talent", headers=DAI),
                await http.post("/followers-backfill", headers=DAI, json={"account": "talent"}),
                await http.post("/reconciliations", headers=DAI, json={"account": "talent"}),
            ]
            after = await talent_state()
            # The same callers may change their own account.
            own_rule = await http.put(f"/rules/{rules['default']}", headers=ANN, json=rule)
            own_publish = await http.post("/menu/versions/1/publish?account=default", headers=DAI)
            their_rule = await http.put(f"/rules/{rules['talent']}", headers=TINA, json=rule)
            unknown = await http.post(
                "/branches",
                headers=DIRECTOR,
                json={
                    "account": "nobody",
                    "code": "x",
                    "name": "x",
                    "administrator": "x",
                    "target": 1,
                },
            )
    assert [r.status_code for r in refused] == [403] * len(refused), [r.text for r in refused]
    assert after == before  # nothing of talent's changed
    assert len(fake.state.menu_history) == menus_sent + 1  # only the default's own publish
    assert own_rule.status_code == 200, own_rule.text
    assert own_publish.status_code == 200, own_publish.text
    assert (their_rule.status_code, their_rule.json()["account"]) == (200, "talent")
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["field"] == "account"


async def test_a_push_to_the_talent_url_is_talents_follower_greeting_and_enquiry(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = int(time.time())
    async with running_fake_wechat() as fake:
        settings = two_accounts(namespace, mongo_url, fake, monkeypatch)
        async with (
            observing(
                namespace, "follower.subscribed", "branch.saved", "feedback.received"
            ) as events,
            running(settings) as app,
            client(app) as http,
        ):
            for account, greeting in (("default", "欢迎财税同事"), ("talent", "欢迎人才同事")):
                made = await http.post(
                    "/branches",
                    headers=DIRECTOR,
                    json={
                        "account": account,
                        "code": "sh",
                        "name": "上海",
                        "administrator": "王",
                        "target": 2,
                        "greeting": greeting,
                    },
                )
                assert made.status_code == 201, made.text
            subscribe = event_push("subscribe", "o-tina", now, "qrscene_branch:sh")
            theirs = await push(http, "talent", subscribe)
            ours = await push(
                http, None, event_push("subscribe", "o-ann", now, "qrscene_branch:sh")
            )
            forged = await http.post(  # talent's URL checks talent's token
                "/wechat/push/talent", params=push_query(TOKEN), content=subscribe
            )
            nobody = await http.post(
                "/wechat/push/nobody", params=push_query(TOKEN), content=subscribe
            )
            verified = await http.get(
                "/wechat/push/talent", params={**push_query(TALENT_TOKEN), "echostr": "e-1"}
            )
            question = await push(http, "talent", text_push(777, "请问简历怎么投？", "o-tina"))
            await events.wait("branch.saved", 2)
            subscribed = await events.wait("follower.subscribed", 2)
            [talent_follower] = [e for e in subscribed if e["account"] == "talent"]
            [enquiry] = await events.wait("feedback.received", 1)
            tina = await http.get("/followers/o-tina?account=talent", headers=TINA)
            not_default = await http.get("/followers/o-tina", headers=DIRECTOR)
            talents = (await http.get("/followers?account=talent", headers=DIRECTOR)).json()
            metrics = (await http.get("/metrics")).text
    assert theirs.status_code == 200
    assert "欢迎人才同事" in theirs.text  # greeted by talent's branch sh, not default's
    assert "欢迎财税同事" in ours.text
    assert (forged.status_code, nobody.status_code) == (403, 404)
    assert (verified.status_code, verified.text) == (200, "e-1")
    assert question.status_code == 200
    assert talent_follower["payload"]["openid"] == "o-tina"
    assert talent_follower["payload"]["branch_code"] == "sh"
    assert talent_follower["schema_version"] == 2
    assert (enquiry["account"], enquiry["payload"]["source_id"]) == ("talent", "777")
    assert tina.status_code == 200
    assert (tina.json()["account"], tina.json()["branch_code"]) == ("talent", "sh")
    assert not_default.status_code == 404
    assert [f["openid"] for f in talents["items"]] == ["o-tina"]
    assert 'audience_account_pushes_total{account="talent",outcome="recorded"} 2.0' in metrics
    assert 'audience_account_pushes_total{account="default",outcome="recorded"} 1.0' in metrics


async def test_the_same_branch_code_in_two_accounts_stays_two_branches(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_fake_wechat() as fake:
        settings = two_accounts(namespace, mongo_url, fake, monkeypatch)
        async with (
            observing(namespace, "branch.saved") as events,
            running(settings) as app,
            client(app) as http,
        ):
            made = [
                await http.post(
                    "/branches",
                    headers=DIRECTOR,
                    json={
                        "account": account,
                        "code": "sh",
                        "name": name,
                        "administrator": "王",
                        "target": target,
                    },
                )
                for account, name, target in (
                    ("default", "上海财税", 10),
                    ("talent", "上海人才", 20),
                )
            ]
            again = await http.post(
                "/branches",
                headers=DIRECTOR,
                json={
                    "account": "talent",
                    "code": "sh",
                    "name": "x",
                    "administrator": "x",
                    "target": 1,
                },
            )
            listed = (await http.get("/branches", headers=DIRECTOR)).json()
            ours = (await http.get("/branches/sh", headers=DIRECTOR)).json()
            theirs = (await http.get("/branches/sh?account=talent", headers=DIRECTOR)).json()
            saved = await events.wait("branch.saved", 2)
            stored = await service(app).runtime.db[BRANCHES].count_documents({})
    assert [m.status_code for m in made] == [201, 201]
    assert again.status_code == 409
    assert stored == 2
    assert sorted((b["account"], b["code"], b["name"]) for b in listed) == [
        ("default", "sh", "上海财税"),
        ("talent", "sh", "上海人才"),
    ]
    assert (ours["name"], theirs["name"]) == ("上海财税", "上海人才")
    assert sorted((e["account"], e["payload"]["target"]) for e in saved) == [
        ("default", 10),
        ("talent", 20),
    ]


async def test_one_accounts_wechat_failure_leaves_the_other_account_alone(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_fake_wechat() as fake:
        settings = two_accounts(
            namespace, mongo_url, fake, monkeypatch, talent_secret="not-the-talent-secret"
        )
        async with (
            observing(namespace, "branch.saved"),
            running(settings) as app,
            client(app) as http,
        ):
            branch = {"code": "sh", "name": "上海", "administrator": "王", "target": 1}
            theirs = await http.post(
                "/branches", headers=DIRECTOR, json={**branch, "account": "talent"}
            )
            ours = await http.post("/branches", headers=DIRECTOR, json=branch)
            listed = (await http.get("/branches", headers=DIRECTOR)).json()
    assert theirs.status_code == 502, theirs.text  # talent's own (wrong) secret was used
    assert ours.status_code == 201, ours.text
    assert [(b["account"], b["code"]) for b in listed] == [("default", "sh")]


async def test_documents_from_before_accounts_are_the_default_accounts(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_fake_wechat() as fake:
        settings = two_accounts(namespace, mongo_url, fake, monkeypatch)
        app = create_app(settings)
        runtime = service(app).runtime
        at = datetime.now(UTC)
        old_rule = uuid.uuid4().hex
        await runtime.db[BRANCHES].insert_one(
            {"_id": "old", "name": "老网点", "administrator": "王", "target": 3, "created_at": at}
        )
        await runtime.db[FOLLOWERS].insert_one(
            {"_id": "o-old", "subscribed": True, "source": "other", "subscribed_at": at}
        )
        await runtime.db[RULES].insert_one(
            {
                "_id": old_rule,
                "keyword": "老规则",
                "mode": "contains",
                "reply": {"kind": "text", "text": "老回复"},
                "seq": 1,
            }
        )
        await asyncio.wait_for(runtime.start(), timeout=30)
        try:
            await asyncio.wait_for(service(app).deps.adopted.wait(), timeout=30)
            async with client(app) as http:
                ours = (await http.get("/branches?account=default", headers=DIRECTOR)).json()
                theirs = (await http.get("/branches?account=talent", headers=DIRECTOR)).json()
                follower = await http.get("/followers/o-old", headers=DIRECTOR)
                answer = await http.post(
                    "/wechat/push", params=push_query(), content=text_push(9, "老规则", "o-old")
                )
                elsewhere = await push(http, "talent", text_push(10, "老规则", "o-old"))
        finally:
            await runtime.stop()
            await delete_follower_queues(namespace)
    assert [(b["account"], b["code"]) for b in ours] == [("default", "old")]
    assert theirs == []
    assert (follower.status_code, follower.json()["account"]) == (200, "default")
    assert "老回复" in answer.text  # the old rule answers the default account still
    assert "老回复" not in elsewhere.text


async def test_a_one_account_deployment_serves_its_push_url_as_before(
    namespace: str, mongo_url: str
) -> None:
    async with (
        running_fake_wechat() as fake,
        observing(namespace, "follower.subscribed") as events,
        running(audience_settings(namespace, mongo_url, fake)) as app,
        client(app) as http,
    ):
        now = int(time.time())
        answer = await http.post(
            "/wechat/push",
            params=push_query(),
            content=event_push("subscribe", "o-1", now, "qrscene_branch:x"),
        )
        other = await http.post(
            "/wechat/push/talent",
            params=push_query(),
            content=event_push("subscribe", "o-2", now, ""),
        )
        [subscribed] = await events.wait("follower.subscribed", 1)
        listed = (await http.get("/followers", headers=DIRECTOR)).json()
    assert answer.status_code == 200
    assert other.status_code == 404  # no such account here
    assert subscribed["account"] == "default"
    assert [(f["account"], f["openid"]) for f in listed["items"]] == [("default", "o-1")]


async def test_an_account_in_the_encrypted_mode_answers_sealed_with_its_own_key(
    namespace: str, mongo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "".join(chr(ord("a") + i % 26) for i in range(43))
    monkeypatch.setenv(secret_env_name("talent", "wechat_aes_key"), key)
    async with running_fake_wechat() as fake:
        # The default account takes no pushes here: only talent's URL is served.
        settings = two_accounts(namespace, mongo_url, fake, monkeypatch, wechat_token=None)
        crypto = MessageCrypto(TALENT_TOKEN, key, fake.state.appid)
        timestamp, nonce = str(int(time.time())), uuid.uuid4().hex[:8]
        sealed = crypto.encrypt(text_push(88, "简历", "o-enc"))
        query = {
            "timestamp": timestamp,
            "nonce": nonce,
            "encrypt_type": "aes",
            "msg_signature": crypto.signature(timestamp, nonce, sealed),
        }
        body = f"<xml><Encrypt><![CDATA[{sealed}]]></Encrypt></xml>".encode()
        async with running(settings) as app, client(app) as http:
            rule = {
                "account": "talent",
                "keyword": "简历",
                "reply": {"kind": "text", "text": "发邮箱"},
            }
            assert (await http.post("/rules", headers=TINA, json=rule)).status_code == 201
            answer = await http.post("/wechat/push/talent", params=query, content=body)
            plain = await http.post(
                "/wechat/push/talent",
                params=push_query(TALENT_TOKEN),
                content=text_push(89, "简历", "o-enc"),
            )
            default = await http.post(
                "/wechat/push", params=push_query(), content=text_push(90, "x", "o")
            )
    assert answer.status_code == 200, answer.text
    sealed_reply = safe_fromstring(answer.content).findtext("Encrypt") or ""
    reply = parse_message(crypto.decrypt(sealed_reply))
    assert (reply.to_user, reply.content) == ("o-enc", "发邮箱")
    assert plain.status_code == 403  # a plain push is refused in talent's encrypted mode
    assert default.status_code == 404  # no push token for the default account
