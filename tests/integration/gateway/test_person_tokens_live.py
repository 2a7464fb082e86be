"""Person tokens through real services (#13): the gateway forwards a signed-in editor's
call to the drafting service with a person token; drafting accepts it beside its static
tokens, the draft and its audit entry name the person, and a forged or foreign token
is refused."""

from __future__ import annotations

import time

import httpx
import jwt
import pytest

from services.drafting.bootstrap import build_service as build_drafting
from services.drafting.settings import DraftingSettings
from services.gateway import usecases
from services.gateway.domain.people import Person
from services.gateway.person_tokens import PersonTokenSigner
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
from tests.support.services import auth, make_settings, running

pytestmark = pytest.mark.integration

DRAFT = {"title": "个税汇算要点", "category": "finance", "body_html": "<p>三月开始。</p>"}


async def test_the_audit_names_the_person_who_acted_through_the_console(
    namespace: str, mongo_url: str
) -> None:
    private, public = new_keypair()
    drafting_settings = make_settings(
        DraftingSettings, namespace, mongo_url, person_token_keys=[public]
    )
    drafting = build_drafting(drafting_settings)
    served = serve_asgi(
        drafting.app(), lifespan="on", name="drafting", start_within=30, stop_within=30
    )
    async with served as drafting_url:
        settings = gateway_settings(
            namespace, mongo_url, private, service_urls={"drafting": drafting_url}
        )
        async with running_gateway(settings) as gateway, browser(gateway.app()) as admin:
            await sign_in(admin, *ADMIN)
            token = csrf_of((await admin.get("/account")).text)
            await admin.post(
                "/admin/users",
                data={
                    "csrf": token,
                    "username": "erin",
                    "display_name": "Erin 编辑",
                    "roles": "editor",
                    "password": "Editor-secret-0001",
                },
            )
            async with browser(gateway.app(), "10.0.0.9") as erin:
                await sign_in(erin, "erin", "Editor-secret-0001")
                erin_csrf = csrf_of((await erin.get("/account")).text)
                refused = await erin.post("/api/drafting/drafts", json=DRAFT)
                assert refused.status_code == 403  # no CSRF header
                created = await erin.post(
                    "/api/drafting/drafts", json=DRAFT, headers={"X-CSRF-Token": erin_csrf}
                )
                assert created.status_code == 201, created.text
                draft = created.json()
                assert draft["created_by"] == "erin"
                listed = await erin.get("/api/drafting/drafts")
                assert listed.json()["total"] == 1
        entry = await drafting.runtime.db["audit"].find_one({"target": draft["id"]})
        assert entry is not None
        assert entry["actor"] == "erin"
        assert entry["roles"] == ["editor"]


async def test_the_service_refuses_foreign_forged_and_long_lived_person_tokens(
    namespace: str, mongo_url: str
) -> None:
    private, public = new_keypair()
    other_private, _ = new_keypair()
    drafting = build_drafting(
        make_settings(DraftingSettings, namespace, mongo_url, person_token_keys=[public])
    )
    now = drafting.runtime.clock.now()
    erin = Person("erin", "Erin", frozenset({Role.EDITOR}), "", True, now, "t", now)
    signer = PersonTokenSigner(private, issuer="contentops-gateway", seconds=120)
    stranger = PersonTokenSigner(other_private, issuer="contentops-gateway", seconds=120)
    async with (
        running(drafting.runtime),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=drafting.app()), base_url="http://d"
        ) as client,
    ):

        async def status(token: str) -> int:
            return (await client.post("/drafts", json=DRAFT, headers=auth(token))).status_code

        assert await status(signer.sign(erin, "drafting")) == 201
        assert await status(signer.sign(erin, "review")) == 401  # another service's token
        assert await status(stranger.sign(erin, "drafting")) == 401  # not the gateway's key
        issued = int(time.time())
        claims = {
            "sub": "erin",
            "roles": ["editor"],
            "iss": "contentops-gateway",
            "aud": "drafting",
            "iat": issued,
            "exp": issued + 3600,
        }
        long_lived = jwt.encode(claims, signer._key, algorithm="EdDSA")
        assert await status(long_lived) == 401
        director = Person("liu", "刘", frozenset({Role.DIRECTOR}), "", True, now, "t", now)
        assert await status(signer.sign(director, "drafting")) == 403  # drafting: editors
        assert await status("editor-token-000000000001") == 201  # static tokens still work


async def test_the_services_hold_a_person_to_the_accounts_their_token_names(
    namespace: str, mongo_url: str
) -> None:
    """#12: tina edits 融智人才 only; through the console, drafting lets her write there and
    refuses 融智财税 (403, nothing stored) because her person token says so."""
    private, public = new_keypair()
    drafting = build_drafting(
        make_settings(
            DraftingSettings,
            namespace,
            mongo_url,
            person_token_keys=[public],
            accounts_json=TWO_ACCOUNTS,
        )
    )
    served = serve_asgi(
        drafting.app(), lifespan="on", name="drafting", start_within=30, stop_within=30
    )
    async with served as drafting_url:
        settings = gateway_settings(
            namespace,
            mongo_url,
            private,
            service_urls={"drafting": drafting_url},
            accounts_json=TWO_ACCOUNTS,
        )
        async with running_gateway(settings) as gateway:
            command = usecases.PersonCreate(
                "tina", "Tina", ["editor"], "Editor-secret-0001", ["talent"]
            )
            root = Principal(subject="root", roles=frozenset({Role.ADMIN}))
            await usecases.create_person(command, deps=gateway.deps, actor=root)
            async with browser(gateway.app(), "10.0.0.9") as tina:
                await sign_in(tina, "tina", "Editor-secret-0001")
                token = {"X-CSRF-Token": csrf_of((await tina.get("/account")).text)}
                mine = await tina.post(
                    "/api/drafting/drafts", json={**DRAFT, "account": "talent"}, headers=token
                )
                assert mine.status_code == 201, mine.text
                assert mine.json()["account"] == "talent"
                other = await tina.post(
                    "/api/drafting/drafts", json={**DRAFT, "account": "default"}, headers=token
                )
                assert other.status_code == 403
                assert (await tina.get("/api/drafting/drafts?account=default")).status_code == 403
                listed = (await tina.get("/api/drafting/drafts")).json()
                assert [d["account"] for d in listed["items"]] == ["talent"]
        assert await drafting.runtime.db["drafts"].count_documents({"account": "default"}) == 0
