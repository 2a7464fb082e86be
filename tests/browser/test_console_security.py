"""The console's door (#13), against the real gateway, drafting and review: no page, form
or forwarded call works without a session; a change without the CSRF token is refused;
an editor's session cannot approve (the review service refuses the person's token); pages
carry a strict CSP and the session cookie is HttpOnly, SameSite=Lax."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi.routing import APIRoute

from tests.browser.console_stack import Stack, console_stack
from tests.integration.gateway.gateway_support import ADMIN, csrf_of

pytestmark = pytest.mark.integration

OPEN = {"/", "/signin", "/lang/{code}", "/static/{name:path}", "/health", "/ready", "/metrics"}


@pytest.fixture(scope="module")
async def stack(mongo_url: str) -> AsyncIterator[Stack]:
    async with console_stack(mongo_url) as running:
        yield running


def client(stack: Stack) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=stack.base, timeout=20)


@contextlib.asynccontextmanager
async def signed_in(stack: Stack, username: str, password: str) -> AsyncIterator[httpx.AsyncClient]:
    async with client(stack) as browser:
        answer = await browser.post("/signin", data={"username": username, "password": password})
        assert answer.status_code == 303, answer.text
        yield browser


async def add_person(admin: httpx.AsyncClient, username: str, role: str, password: str) -> None:
    token = csrf_of((await admin.get("/admin/users")).text)
    data = {"csrf": token, "username": username, "display_name": username, "roles": role}
    answer = await admin.post("/admin/users", data={**data, "password": password})
    assert answer.status_code == 303, answer.text


def console_routes(stack: Stack) -> list[tuple[str, str]]:
    found = []
    for route in (r for router in stack.gateway.routers for r in router.routes):
        if isinstance(route, APIRoute) and route.path not in OPEN:
            if route.path.startswith(("/docs", "/openapi", "/asyncapi")):
                continue
            path = re.sub(r"\{[^}]+\}", "x", route.path)
            found += [(method, path) for method in sorted((route.methods or set()) - {"HEAD"})]
    return found


async def test_no_page_form_or_call_works_without_a_session(stack: Stack) -> None:
    routes = console_routes(stack)
    assert ("GET", "/today") in routes
    assert ("POST", "/reviews/x/decide") in routes
    async with client(stack) as anonymous:
        for method, path in routes:
            answer = await anonymous.request(method, path, data={"csrf": "x"})
            seen = (method, path, answer.status_code)
            if answer.status_code == 422:  # a malformed path parameter: refused before all
                continue
            if method == "GET" and not path.startswith("/api/"):
                assert answer.status_code == 303, seen
                assert answer.headers["location"].startswith("/signin?next="), seen
            else:
                assert answer.status_code == 401, seen


async def test_changes_without_the_sessions_csrf_token_are_refused(stack: Stack) -> None:
    async with signed_in(stack, *ADMIN) as admin:
        bare = await admin.post("/admin/users", data={"username": "mallory", "roles": "admin"})
        assert bare.status_code == 403
        assert (await admin.post("/api/drafting/drafts", json={})).status_code == 403
        assert await stack.gateway.deps.people.get("mallory") is None
        page = await admin.get("/today")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        cookie = admin.cookies.jar
        assert any(c.name == "contentops_session" for c in cookie)


async def test_an_editors_session_cannot_approve(stack: Stack) -> None:
    async with signed_in(stack, *ADMIN) as admin:
        await add_person(admin, "ed", "editor", "Editor-secret-0002")
    async with signed_in(stack, "ed", "Editor-secret-0002") as editor:
        token = csrf_of((await editor.get("/drafts/new")).text)
        form = {"csrf": token, "title": "审批测试", "category": "hr", "body_text": "正文。"}
        created = await editor.post("/drafts/new", data={**form, "action": "submit"})
        assert created.status_code == 303, created.text
        review_id = ""
        for _ in range(100):  # draft.submitted travels through the broker to review
            doc = await stack.review.runtime.db["reviews"].find_one({"title": "审批测试"})
            if doc is not None:
                review_id = str(doc["_id"])
                break
            await asyncio.sleep(0.1)
        assert review_id
        assert (await editor.get(f"/reviews/{review_id}")).status_code == 403
        decided = await editor.post(
            f"/reviews/{review_id}/decide", data={"csrf": token, "decision": "approve"}
        )
        assert decided.status_code == 403
        forwarded = await editor.post(
            f"/api/review/reviews/{review_id}/approve",
            json={"comments": ""},
            headers={"X-CSRF-Token": token},
        )
        assert forwarded.status_code == 403
        assert forwarded.headers["content-type"].startswith("application/problem+json")
    doc = await stack.review.runtime.db["reviews"].find_one({"_id": review_id})
    assert doc is not None
    assert doc["state"] == "pending"
