"""The account switcher on the real store (#12): the console of a deployment with two
official accounts keeps the account a person works in in their server-side session,
changes it only by a POST carrying the CSRF token, refuses an account the person cannot
read (and "all accounts" to a person who reads one), reads every list with
``?account=<current>`` (none for all accounts) and creates a draft in the current account.
The services are stood in for by one recording HTTP app, so what the console sends is seen
exactly; with one account nothing about accounts shows."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from services.gateway import usecases
from shared.settings import Principal, Role
from tests.integration.gateway.gateway_support import (
    ADMIN,
    browser,
    csrf_of,
    gateway_settings,
    new_keypair,
    running_gateway,
    sign_in,
)
from tests.support.accounts import TWO_ACCOUNTS
from tests.support.servers import serve_asgi

pytestmark = pytest.mark.integration

ROOT = Principal(subject="root", roles=frozenset({Role.ADMIN}))
SERVICES = ("drafting", "review", "publisher", "feedback", "reporting")
PEOPLE = {
    # liu directs both accounts and edits talent; tina edits talent only.
    "liu": ("刘总监", ["director"], [], ["talent:editor"]),
    "tina": ("Tina", ["editor"], ["talent"], []),
}
PASSWORD = "Console-secret-01"


@dataclass
class Upstream:
    """Every call the console made, as the services saw it."""

    calls: list[dict[str, Any]] = field(default_factory=list)

    def reads(self, path: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["method"] == "GET" and c["path"] == path]

    def clear(self) -> None:
        self.calls.clear()


def _resource(path: str) -> dict[str, Any]:
    """A pending review or a draft being edited, of the account its id names."""
    kind, ident = path.strip("/").split("/")
    account = ident.split("-", 1)[1]
    title = f"{account} 的稿件"
    if kind == "reviews":
        return {
            "review_id": ident,
            "account": account,
            "title": title,
            "state": "pending",
            "slot_at": "2026-11-24T00:00:00+00:00",
            "deadline_at": "2026-11-23T23:00:00+00:00",
            "time_left_seconds": 3600,
            "overdue": False,
            "findings": [],
            "content": {"title": title, "digest": ""},
            "body_text": "正文。",
            "content_hash": "h",
            "revision": 1,
            "blocking": False,
        }
    return {
        "id": ident,
        "account": account,
        "title": title,
        "category": "finance",
        "digest": "",
        "body_html": "<p>正文。</p>",
        "sources": [],
        "state": "editing",
        "revision": 1,
    }


def recording_app(upstream: Upstream) -> Starlette:
    async def answer(request: Request) -> JSONResponse:
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        body = await request.body()
        call = {
            "method": request.method,
            "path": "/" + request.path_params["path"],
            "params": dict(request.query_params),
            "body": json.loads(body) if body else None,
            "claims": jwt.decode(token, options={"verify_signature": False}),
        }
        upstream.calls.append(call)
        if request.method == "POST" and call["path"] == "/drafts":
            return JSONResponse({"id": "d-new", **call["body"]}, status_code=201)
        if call["path"] == "/calendar":
            return JSONResponse({"held": False})
        if call["path"].startswith(("/reviews/", "/drafts/")):  # r-<account>, d-<account>
            return JSONResponse(_resource(call["path"]))
        if call["path"] == "/drafts":  # one draft per account read
            accounts = [call["params"]["account"]] if "account" in call["params"] else []
            accounts = accounts or ["default", "talent"]
            items = [
                {
                    "id": f"d-{a}",
                    "title": f"{a} 的稿件",
                    "category": "finance",
                    "state": "editing",
                    "author": "liu",
                    "created_by": "liu",
                    "account": a,
                    "updated_at": "2026-11-23T00:00:00+00:00",
                }
                for a in accounts
            ]
            return JSONResponse({"items": items, "total": len(items)})
        return JSONResponse({"items": [], "total": 0})

    return Starlette(
        routes=[Route("/{path:path}", answer, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])]
    )


@contextlib.asynccontextmanager
async def console(
    namespace: str, mongo_url: str, people: dict[str, Any] = PEOPLE, **extra: Any
) -> AsyncIterator[tuple[Any, Upstream]]:
    upstream = Upstream()
    private, _ = new_keypair()
    served = serve_asgi(
        recording_app(upstream), lifespan="off", name="upstream", start_within=30, stop_within=30
    )
    async with served as url:
        settings = gateway_settings(
            namespace, mongo_url, private, service_urls=dict.fromkeys(SERVICES, url), **extra
        )
        async with running_gateway(settings) as gateway:
            for username, (name, roles, accounts, account_roles) in people.items():
                command = usecases.PersonCreate(
                    username, name, roles, PASSWORD, accounts, account_roles
                )
                await usecases.create_person(command, deps=gateway.deps, actor=ROOT)
            yield gateway, upstream


async def stored_choice(gateway: Any, username: str) -> Any:
    doc = await gateway.runtime.db["sessions"].find_one({"username": username})
    assert doc is not None
    return doc.get("account")


async def switch(client: httpx.AsyncClient, account: str, **form: str) -> httpx.Response:
    return await client.post("/account/switch", data={"account": account, **form})


async def test_the_choice_lives_in_the_session_and_changes_only_with_the_csrf_token(
    namespace: str, mongo_url: str
) -> None:
    async with (
        console(namespace, mongo_url, accounts_json=TWO_ACCOUNTS) as (gateway, upstream),
        browser(gateway.app()) as liu,
    ):
        assert (await sign_in(liu, "liu", PASSWORD)).status_code == 303
        page = (await liu.get("/drafts")).text
        assert 'action="/account/switch"' in page
        assert '<option value="default" selected>融智财税</option>' in page
        assert '<option value="talent">融智人才</option>' in page
        assert "全部账号" in page
        assert upstream.reads("/drafts")[-1]["params"]["account"] == "default"

        # No token, a forged one, a GET: nothing changes.
        assert (await switch(liu, "talent")).status_code == 403
        assert (await switch(liu, "talent", csrf="forged")).status_code == 403
        assert (await liu.get("/account/switch?account=talent")).status_code == 405
        assert await stored_choice(gateway, "liu") is None

        token = csrf_of(page)
        moved = await switch(liu, "talent", csrf=token, next="/drafts?state=editing")
        assert moved.status_code == 303
        assert moved.headers["location"] == "/drafts?state=editing"
        assert await stored_choice(gateway, "liu") == "talent"
        far = await switch(liu, "talent", csrf=token, next="https://evil.example/")
        assert far.headers["location"] == "/today"  # never an open redirect

        # It survives navigation: every page reads the chosen account.
        upstream.clear()
        drafts = (await liu.get("/drafts")).text
        assert '<option value="talent" selected>融智人才</option>' in drafts
        assert "talent 的稿件" in drafts
        assert "default 的稿件" not in drafts
        await liu.get("/today")
        await liu.get("/reviews")
        await liu.get("/posts")
        await liu.get("/calendar")
        await liu.get("/feedback")
        await liu.get("/documents")
        await liu.get("/reports")
        lists = [c for c in upstream.calls if c["method"] == "GET"]
        assert {c["path"] for c in lists} >= {
            "/drafts",
            "/reviews",
            "/posts",
            "/slots",
            "/windows",
            "/enquiries",
            "/reports",
        }
        assert all(c["params"].get("account") == "talent" for c in lists), lists
        enquiries = (await liu.get("/feedback/enquiries")).text
        assert "本公众号的每条咨询须在 6 小时内回复。" in enquiries  # talent's limit
        # The services enforce what the person holds: the token says it.
        assert lists[0]["claims"]["roles"] == ["director"]
        assert lists[0]["claims"]["account_roles"] == {"talent": ["editor"]}
        assert "accounts" not in lists[0]["claims"]

        # A new draft goes to the current account.
        upstream.clear()
        created = await liu.post(
            "/drafts/new",
            data={"csrf": token, "title": "招聘季", "category": "hr", "body_text": "正文。"},
        )
        assert created.status_code == 303
        posted = [c for c in upstream.calls if c["method"] == "POST"]
        assert posted[0]["body"]["account"] == "talent"

        # All accounts: lists read without ?account and show the account column;
        # creating needs one account chosen.
        assert (await switch(liu, "*", csrf=token)).status_code == 303
        assert await stored_choice(gateway, "liu") == "*"
        upstream.clear()
        together = (await liu.get("/drafts")).text
        assert "account" not in upstream.reads("/drafts")[0]["params"]
        assert '<option value="*" selected>全部账号</option>' in together
        assert "default 的稿件" in together
        assert "talent 的稿件" in together
        assert "<td>融智人才</td>" in together
        assert (await liu.get("/drafts/new")).status_code == 422
        refused = await liu.post(
            "/drafts/new",
            data={"csrf": token, "title": "x", "category": "hr", "body_text": "正文。"},
        )
        assert refused.status_code == 422
        assert not [c for c in upstream.calls if c["method"] == "POST"]

        # An account the deployment lacks: 404, and the choice stays.
        assert (await switch(liu, "nope", csrf=token)).status_code == 404
        assert await stored_choice(gateway, "liu") == "*"


async def test_an_account_the_person_cannot_read_is_refused(namespace: str, mongo_url: str) -> None:
    async with (
        console(namespace, mongo_url, accounts_json=TWO_ACCOUNTS) as (gateway, upstream),
        browser(gateway.app()) as tina,
    ):
        await sign_in(tina, "tina", PASSWORD)
        page = (await tina.get("/drafts")).text
        # One readable account: its name, no switcher, no "all accounts".
        assert 'action="/account/switch"' not in page
        assert "融智人才" in page
        assert "全部账号" not in page
        assert upstream.reads("/drafts")[-1]["params"]["account"] == "talent"
        assert upstream.reads("/drafts")[-1]["claims"]["accounts"] == ["talent"]
        token = csrf_of(page)
        assert (await switch(tina, "default", csrf=token)).status_code == 403
        assert (await switch(tina, "*", csrf=token)).status_code == 403
        assert await stored_choice(gateway, "tina") is None
        assert (await switch(tina, "talent", csrf=token)).status_code == 303
        assert await stored_choice(gateway, "tina") == "talent"
        mine = (await tina.get("/account")).text
        assert '公众号: <span class="tag">融智人才</span>' in mine


async def test_with_one_account_nothing_about_accounts_shows_or_is_sent(
    namespace: str, mongo_url: str
) -> None:
    one: dict[str, Any] = {"liu": ("刘总监", ["director", "editor"], [], [])}
    async with (
        console(namespace, mongo_url, one) as (gateway, upstream),
        browser(gateway.app()) as liu,
    ):
        await sign_in(liu, "liu", PASSWORD)
        page = (await liu.get("/drafts")).text
        assert "/account/switch" not in page
        assert "公众号" not in page  # no switcher, no account column or name
        assert "全部账号" not in page
        assert "account" not in upstream.reads("/drafts")[-1]["params"]
        token = csrf_of(page)
        await liu.post(
            "/drafts/new",
            data={"csrf": token, "title": "个税", "category": "finance", "body_text": "正文。"},
        )
        posted = [c for c in upstream.calls if c["method"] == "POST"]
        assert "account" not in posted[0]["body"]


async def test_the_admin_gives_people_accounts_of_this_deployment_only(
    namespace: str, mongo_url: str
) -> None:
    async with (
        console(namespace, mongo_url, accounts_json=TWO_ACCOUNTS) as (gateway, _),
        browser(gateway.app(), "10.0.0.1") as admin,
        browser(gateway.app(), "10.0.0.2") as tina,
    ):
        await sign_in(admin, *ADMIN)
        page = (await admin.get("/admin/users")).text
        for value in ("talent", "default", "talent:reviewer", "default:director"):
            assert f'value="{value}"' in page
        assert 'value="talent:admin"' not in page  # admin is never per account
        token = csrf_of(page)
        await sign_in(tina, "tina", PASSWORD)
        change = {"csrf": token, "set_roles": "1", "roles": "editor", "active": "1"}
        refused = await admin.post(
            "/admin/users/tina",
            data={**change, "set_accounts": "1", "accounts": "elsewhere"},
        )
        assert refused.status_code == 422
        moved = await admin.post(
            "/admin/users/tina",
            data={
                **change,
                "set_accounts": "1",
                "accounts": "default",
                "account_roles": "talent:reviewer",
            },
        )
        assert moved.status_code == 303
        person = await gateway.deps.people.get("tina")
        assert person is not None
        assert person.accounts == frozenset({"default"})
        assert person.account_roles == {"talent": frozenset({Role.REVIEWER})}
        assert (await tina.get("/today")).status_code == 303  # lost editor on talent
        listed = (await admin.get("/admin/users")).text
        assert '融智人才:</span> <span class="tag">审核人</span>' in listed
        added = await admin.post(
            "/admin/users",
            data={
                "csrf": token,
                "username": "tom",
                "display_name": "Tom",
                "account_roles": ["talent:reviewer"],
                "password": "Review-secret-0001",
            },
        )
        assert added.status_code == 303
        tom = await gateway.deps.people.get("tom")
        assert tom is not None
        assert (tom.roles, tom.account_roles) == (
            frozenset(),
            {"talent": frozenset({Role.REVIEWER})},
        )


async def test_actions_show_only_where_the_persons_roles_on_that_account_allow(
    namespace: str, mongo_url: str
) -> None:
    # rao reviews for default and edits for talent; nothing on every account.
    people: dict[str, Any] = {"rao": ("Rao", [], [], ["default:reviewer", "talent:editor"])}
    async with (
        console(namespace, mongo_url, people, accounts_json=TWO_ACCOUNTS) as (gateway, upstream),
        browser(gateway.app()) as rao,
    ):
        await sign_in(rao, "rao", PASSWORD)
        decide = 'action="/reviews/r-default/decide"'
        assert decide in (await rao.get("/reviews/r-default")).text
        assert "/decide" not in (await rao.get("/reviews/r-talent")).text
        assert 'value="submit"' in (await rao.get("/drafts/d-talent")).text
        read_only = (await rao.get("/drafts/d-default")).text
        assert 'value="submit"' not in read_only
        assert " readonly" in read_only
        # Today asks only what the roles on the current account (default) call for.
        upstream.clear()
        await rao.get("/today")
        assert {c["path"] for c in upstream.calls} == {
            "/reviews",
            "/posts",
            "/enquiries",
            "/windows",  # closing soon, and the closed ones' documents (a reviewer's)
            "/reports",
        }
        assert {c["params"]["state"] for c in upstream.reads("/windows")} == {"open", "closed"}
        token = csrf_of(read_only)
        await switch(rao, "talent", csrf=token)
        upstream.clear()
        await rao.get("/today")
        assert {c["path"] for c in upstream.calls} == {
            "/drafts",
            "/enquiries",
            "/windows",
            "/reports",
        }
        # an editor is not given documents: only the open windows are asked for
        assert [c["params"]["state"] for c in upstream.reads("/windows")] == ["open"]
        assert all(c["params"]["account"] == "talent" for c in upstream.calls)
        drafts = (await rao.get("/drafts")).text
        assert 'href="/drafts/new"' in drafts  # an editor here
        # The calendar is the current account's: talent's Tue/Thu 08:00.
        calendar = (await rao.get("/calendar")).text
        assert "本公众号的推送时段：周二、周四 08:00" in calendar
        await switch(rao, "default", csrf=token)
        assert 'href="/drafts/new"' not in (await rao.get("/drafts")).text
        calendar = (await rao.get("/calendar")).text
        assert "本公众号的推送时段：周一、周三、周五 11:30" in calendar
