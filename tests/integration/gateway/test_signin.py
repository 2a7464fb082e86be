"""People and sign-in on the real store: sessions, CSRF, back-off, sign-out everywhere,
the first admin from settings, and admins managing people (#13)."""

from __future__ import annotations

import pytest

from tests.integration.gateway.gateway_support import (
    ADMIN,
    browser,
    csrf_of,
    gateway_settings,
    new_keypair,
    running_gateway,
    sign_in,
)

pytestmark = pytest.mark.integration


async def test_first_admin_signs_in_with_an_httponly_lax_cookie(
    namespace: str, mongo_url: str
) -> None:
    private, _ = new_keypair()
    async with running_gateway(gateway_settings(namespace, mongo_url, private)) as service:
        app = service.app()
        async with browser(app) as client:
            assert (await client.get("/account")).status_code == 303  # to the sign-in page
            answer = await sign_in(client, *ADMIN)
            assert answer.status_code == 303
            assert answer.headers["location"] == "/account"
            cookie = answer.headers["set-cookie"].lower()
            assert "httponly" in cookie
            assert "samesite=lax" in cookie
            assert "secure" not in cookie  # not behind TLS in this test
            page = await client.get("/account")
            assert page.status_code == 200
            assert "root" in page.text
            assert "default-src 'self'" in page.headers["content-security-policy"]
        stored = await service.runtime.db["sessions"].find_one({})
        assert stored is not None
        session_cookie = client.cookies.get("contentops_session")
        assert session_cookie is not None
        assert session_cookie not in str(stored)  # only its hash


async def test_wrong_passwords_back_off_then_lock_out_even_the_right_one(
    namespace: str, mongo_url: str
) -> None:
    private, _ = new_keypair()
    settings = gateway_settings(namespace, mongo_url, private, signin_free_failures=3)
    async with running_gateway(settings) as service, browser(service.app()) as client:
        for _ in range(3):
            assert (await sign_in(client, ADMIN[0], "wrong-password-123")).status_code == 401
        locked = await sign_in(client, ADMIN[0], "wrong-password-123")  # the 4th: locks
        assert locked.status_code == 401
        refused = await sign_in(client, ADMIN[0], ADMIN[1])
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        audit = await service.runtime.db["audit"].count_documents({"action": "signed_in"})
        assert audit == 0


async def test_a_change_without_the_csrf_token_is_refused(namespace: str, mongo_url: str) -> None:
    private, _ = new_keypair()
    settings = gateway_settings(namespace, mongo_url, private)
    async with running_gateway(settings) as service, browser(service.app()) as client:
        await sign_in(client, *ADMIN)
        no_token = await client.post("/signout", data={})
        assert no_token.status_code == 403
        wrong = await client.post("/signout", data={"csrf": "forged"})
        assert wrong.status_code == 403
        assert (await client.get("/account")).status_code == 200  # still signed in
        token = csrf_of((await client.get("/account")).text)
        assert (await client.post("/signout", data={"csrf": token})).status_code == 303
        assert (await client.get("/account")).status_code == 303


async def test_sign_out_everywhere_ends_every_browser(namespace: str, mongo_url: str) -> None:
    private, _ = new_keypair()
    async with running_gateway(gateway_settings(namespace, mongo_url, private)) as service:
        app = service.app()
        async with browser(app, "10.0.0.1") as laptop, browser(app, "10.0.0.2") as phone:
            await sign_in(laptop, *ADMIN)
            await sign_in(phone, *ADMIN)
            token = csrf_of((await laptop.get("/account")).text)
            await laptop.post("/signout", data={"csrf": token, "everywhere": "1"})
            assert (await phone.get("/account")).status_code == 303
            assert (await laptop.get("/account")).status_code == 303
        assert await service.runtime.db["sessions"].count_documents({}) == 0


async def test_an_admin_adds_a_person_and_taking_a_role_away_ends_their_sessions(
    namespace: str, mongo_url: str
) -> None:
    private, _ = new_keypair()
    async with running_gateway(gateway_settings(namespace, mongo_url, private)) as service:
        app = service.app()
        async with browser(app, "10.0.0.1") as admin, browser(app, "10.0.0.2") as erin:
            await sign_in(admin, *ADMIN)
            token = csrf_of((await admin.get("/admin/users")).text)
            bad = await admin.post(
                "/admin/users",
                data={"csrf": token, "username": "Erin!", "display_name": "", "password": "x"},
            )
            assert bad.status_code == 422
            for field in ("username", "display_name", "roles", "password"):
                assert f"{field}:" in bad.text
            added = await admin.post(
                "/admin/users",
                data={
                    "csrf": token,
                    "username": "erin",
                    "display_name": "Erin 编辑",
                    "roles": ["editor", "reviewer"],
                    "password": "Editor-secret-0001",
                },
            )
            assert added.status_code == 303
            assert (await sign_in(erin, "erin", "Editor-secret-0001")).status_code == 303
            assert (await erin.get("/admin/users")).status_code == 403  # not an admin
            await admin.post(
                "/admin/users/erin",
                data={"csrf": token, "set_roles": "1", "roles": ["editor"], "active": "1"},
            )
            assert (await erin.get("/account")).status_code == 303  # signed out
            last = await admin.post(
                "/admin/users/root",
                data={"csrf": token, "set_roles": "1", "roles": ["editor"], "active": "1"},
            )
            assert last.status_code == 409  # the last administrator keeps the role
        person = await service.deps.people.get("erin")
        assert person is not None
        assert sorted(person.roles) == ["editor"]
        assert person.password_hash.startswith("$argon2id$")
        entry = await service.runtime.db["audit"].find_one(
            {"action": "person_created", "target": "user:erin"}
        )
        assert entry is not None
        assert entry["actor"] == "root"


async def test_behind_tls_the_session_cookie_is_secure(namespace: str, mongo_url: str) -> None:
    private, _ = new_keypair()
    settings = gateway_settings(namespace, mongo_url, private, cookie_secure=True)
    async with running_gateway(settings) as service, browser(service.app()) as client:
        answer = await sign_in(client, *ADMIN)
        assert answer.status_code == 303
        assert "; secure" in answer.headers["set-cookie"].lower()
