"""Review decisions and draft filters through the console's forms (#13), over HTTP against
the real gateway, drafting and review: approving a draft with a blocking finding needs
an override reason (the review service's 409 is shown as a page), the override is
recorded with the reviewer's name; the drafts list filters by state and category."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from services.gateway import usecases
from shared.settings import Principal, Role
from tests.browser.console_stack import Stack, console_stack
from tests.integration.gateway.gateway_support import csrf_of

pytestmark = pytest.mark.integration

ROOT = Principal(subject="root", roles=frozenset({Role.ADMIN}))


@pytest.fixture(scope="module")
async def stack(mongo_url: str) -> AsyncIterator[Stack]:
    async with console_stack(mongo_url) as running:
        for username, role in (("erin", "editor"), ("rita", "reviewer")):
            command = usecases.PersonCreate(username, username, [role], "Console-secret-01")
            await usecases.create_person(command, deps=running.gateway.deps, actor=ROOT)
        yield running


@contextlib.asynccontextmanager
async def as_person(stack: Stack, username: str) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    async with httpx.AsyncClient(base_url=stack.base, timeout=30) as client:
        signed = await client.post(
            "/signin", data={"username": username, "password": "Console-secret-01"}
        )
        assert signed.status_code == 303
        yield client, csrf_of((await client.get("/account")).text)


async def review_of(stack: Stack, title: str) -> str:
    for _ in range(150):
        doc = await stack.review.runtime.db["reviews"].find_one({"title": title})
        if doc is not None:
            return str(doc["_id"])
        await asyncio.sleep(0.1)
    raise AssertionError(f"no review of {title!r}")


async def test_blocking_findings_are_approved_only_with_an_override_reason(stack: Stack) -> None:
    async with as_person(stack, "erin") as (erin, token):
        draft = {"csrf": token, "title": "博彩新闻解读", "category": "industry"}
        body = "本文解读政府发布的博彩监管新闻。"
        sent = await erin.post("/drafts/new", data={**draft, "body_text": body, "action": "submit"})
        assert sent.status_code == 303
    review_id = await review_of(stack, "博彩新闻解读")
    async with as_person(stack, "rita") as (rita, token):
        page = await rita.get(f"/reviews/{review_id}")
        assert '<mark class="finding block"' in page.text
        assert "放行并通过" in page.text  # the override form, with its reason box
        no_reason = await rita.post(
            f"/reviews/{review_id}/decide",
            data={"csrf": token, "decision": "override", "override_reason": " "},
        )
        assert no_reason.status_code == 422
        plain = await rita.post(
            f"/reviews/{review_id}/decide", data={"csrf": token, "decision": "approve"}
        )
        assert plain.status_code == 409  # the review service refuses: blocking findings
        reason = "政府监管新闻，已与法务确认。"
        overridden = await rita.post(
            f"/reviews/{review_id}/decide",
            data={"csrf": token, "decision": "override", "override_reason": reason},
        )
        assert overridden.status_code == 303
        shown = await rita.get(f"/reviews/{review_id}")
        assert reason in shown.text
    doc = await stack.review.runtime.db["reviews"].find_one({"_id": review_id})
    assert doc is not None
    assert doc["state"] == "approved"
    entry = await stack.review.runtime.db["audit"].find_one({"target": review_id})
    assert entry is not None
    assert entry["actor"] == "rita"


async def test_the_drafts_list_filters_by_state_and_category(stack: Stack) -> None:
    async with as_person(stack, "erin") as (erin, token):
        for title, category in (("人事稿", "hr"), ("财务稿", "finance")):
            data = {"csrf": token, "title": title, "category": category, "body_text": "正文。"}
            assert (await erin.post("/drafts/new", data=data)).status_code == 303
        hr = (await erin.get("/drafts", params={"category": "hr", "state": "editing"})).text
        assert "人事稿" in hr
        assert "财务稿" not in hr
        submitted = (await erin.get("/drafts", params={"state": "submitted"})).text
        assert "人事稿" not in submitted
