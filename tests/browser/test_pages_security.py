"""Who may use the calendar, posts, feedback, documents and reports pages (#13), through
HTTP on the real gateway and store: no page or change works without a session, a change
without the session's CSRF token is refused, and a person's roles decide what the console
shows and does (before any service is asked: none runs here, so a page that reached a
service would answer 502, not 403)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from services.gateway import usecases
from shared.settings import Principal, Role
from tests.integration.gateway.gateway_support import (
    browser,
    csrf_of,
    gateway_settings,
    new_keypair,
    running_gateway,
    sign_in,
)

pytestmark = pytest.mark.integration

CLOSED = "http://127.0.0.1:9"
PEOPLE = {
    "erin": ("Erin 编辑", ["editor"], "Editor-secret-0001"),
    "rita": ("Rita 审核", ["reviewer"], "Review-secret-0001"),
    "liu": ("刘总监", ["director"], "Direct-secret-0001"),
}
PAGES = [
    "/calendar",
    "/calendar?view=month&day=2026-10-01",
    "/posts",
    "/posts/p-1",
    "/feedback",
    "/feedback/windows/p-1",
    "/feedback/windows/p-1/live",
    "/feedback/enquiries",
    "/documents",
    "/documents/p-1",
    "/documents/p-1/download.docx",
    "/reports",
    "/reports/r-1",
    "/reports/r-1/download.xlsx",
]
CHANGES = [
    ("/calendar/posts/p-1/pause", {}),
    ("/calendar/posts/p-1/reschedule", {"slot": "2026-11-25T03:30:00Z"}),
    ("/posts/p-1/resolve", {"outcome": "published", "note": "checked"}),
    ("/feedback/enquiries/reply", {"enquiry_id": "crm:1", "text": "您好"}),
]


@pytest.fixture(scope="module")
async def gateway(mongo_url: str) -> AsyncIterator[Any]:
    from tests.support.services import delete_namespace, new_namespace

    namespace = new_namespace()
    private, _ = new_keypair()
    urls = dict.fromkeys(("drafting", "review", "publisher", "feedback", "reporting"), CLOSED)
    settings = gateway_settings(namespace, mongo_url, private, service_urls=urls)
    try:
        async with running_gateway(settings) as service:
            admin = Principal(subject="root", roles=frozenset({Role.ADMIN}), person=True)
            for username, (name, roles, password) in PEOPLE.items():
                command = usecases.PersonCreate(username, name, roles, password)
                await usecases.create_person(command, deps=service.deps, actor=admin)
            yield service
    finally:
        await delete_namespace(namespace)


@contextlib.asynccontextmanager
async def _as(gateway: Any, who: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    async with browser(gateway.app(), f"10.0.1.{len(who)}") as client:
        await sign_in(client, who, PEOPLE[who][2])
        yield client, csrf_of((await client.get("/account")).text)


async def test_no_page_or_change_works_without_a_session(gateway: Any) -> None:
    async with browser(gateway.app(), "10.0.2.1") as anonymous:
        for path in PAGES:
            answer = await anonymous.get(path)
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/signin?next="), path
        for path, form in CHANGES:
            answer = await anonymous.post(path, data={"csrf": "guess", **form})
            assert answer.status_code == 401, path


async def test_a_change_without_the_sessions_csrf_token_is_refused(gateway: Any) -> None:
    async with _as(gateway, "rita") as (rita, _):
        for path, form in CHANGES:
            missing = await rita.post(path, data=form)
            assert missing.status_code == 403, path
            forged = await rita.post(path, data={"csrf": "forged-token", **form})
            assert forged.status_code == 403, path


async def test_roles_decide_what_the_console_shows_and_does(gateway: Any) -> None:
    async with _as(gateway, "erin") as (erin, erin_csrf), _as(gateway, "liu") as (liu, liu_csrf):
        # an editor reads the calendar (the closed publisher answers 502) but changes nothing
        assert (await erin.get("/calendar")).status_code == 502
        for path, form in CHANGES[:3]:
            refused = await erin.post(path, data={"csrf": erin_csrf, **form})
            assert refused.status_code == 403, path
        # core-issues documents are the reviewers' and the director's
        for path in ("/documents", "/documents/p-1", "/documents/p-1/download.md"):
            assert (await erin.get(path)).status_code == 403, path
            assert (await liu.get(path)).status_code == 502, path
        # the director settles unknown outcomes but does not answer enquiries
        reply = await liu.post(
            "/feedback/enquiries/reply", data={"csrf": liu_csrf, **CHANGES[3][1]}
        )
        assert reply.status_code == 403
        settle = await liu.post("/posts/p-1/resolve", data={"csrf": liu_csrf, **CHANGES[2][1]})
        assert settle.status_code == 502  # allowed: it went on to the (closed) publisher
        # the navigation shows each person only their pages
        nav = (await erin.get("/account")).text
        assert 'href="/calendar"' in nav
        assert 'href="/documents"' not in nav
        assert 'href="/documents"' in (await liu.get("/account")).text


async def test_bad_input_is_named(gateway: Any) -> None:
    async with _as(gateway, "rita") as (rita, token):
        assert (await rita.get("/calendar?day=2026-13-40")).status_code == 422
        assert (await rita.get("/calendar?view=year")).status_code == 422
        assert (await rita.get("/posts?state=gone")).status_code == 422
        assert (await rita.get("/reports?kind=daily")).status_code == 422
        no_slot = await rita.post("/calendar/posts/p-1/reschedule", data={"csrf": token})
        assert no_slot.status_code == 422
        assert "slot" in no_slot.text
