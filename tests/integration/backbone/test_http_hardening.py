"""Hostile and careless HTTP input, through the real apps (issue #11 items 3, 4, 5).

Unbounded offsets and calendar-edge dates are 422 naming the field (they were 500);
an anonymous huge body is 401 without being read; an authenticated one over the route's
limit is 413 without being read whole; anything unexpected is a 500 problem with a
correlation id; every answer is problem+json, and the OpenAPI says so.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from structlog.testing import capture_logs

from shared.wechat.push import sha1_signature
from tests.support.services import auth, make_settings, running

pytestmark = pytest.mark.integration

SETTINGS = {
    "drafting": "DraftingSettings",
    "review": "ReviewSettings",
    "publisher": "PublisherSettings",
    "feedback": "FeedbackSettings",
    "reporting": "ReportingSettings",
}
EDITOR = auth("editor-token-000000000001")
REVIEWER = auth("reviewer-token-0000000001")
DIRECTOR = auth("director-token-0000000001")
SYSTEM = auth("system-token-000000000001")
PUSH_TOKEN = "push-token-for-tests"
MB = 1024 * 1024


def build_app(
    service: str, namespace: str, mongo_url: str, tmp_path: Path, **extra: Any
) -> FastAPI:
    settings_cls = getattr(
        importlib.import_module(f"services.{service}.settings"), SETTINGS[service]
    )
    if service == "publisher":
        extra.setdefault("local_dir", tmp_path / "published")
    settings = make_settings(settings_cls, namespace, mongo_url, **extra)
    app: FastAPI = importlib.import_module(f"services.{service}.bootstrap").create_app(settings)
    return app


@asynccontextmanager
async def client_of(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    # The app is not started: every request here is answered before any store or broker
    # call (the 500 test replaces the repository it would call).
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


class CountedBody:
    """A request body sent in chunks, counting how many the server pulled."""

    def __init__(self, total: int, chunk: int = 64 * 1024, fill: bytes = b"x") -> None:
        self.total, self.chunk, self.fill = total, chunk, fill
        self.pulled = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        sent = 0
        while sent < self.total:
            size = min(self.chunk, self.total - sent)
            self.pulled += size
            sent += size
            yield self.fill * size


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert "Traceback" not in response.text
    return problem


def fields_of(problem: dict[str, Any]) -> set[str]:
    return {e["field"] for e in problem["errors"]}


# -- bounded inputs -----------------------------------------------------------------------
LIST_ROUTES = [
    ("drafting", "/drafts", EDITOR),
    ("drafting", "/materials", EDITOR),
    ("drafting", "/topic-ideas", EDITOR),
    ("drafting", "/drafts/d-1/revisions", EDITOR),
    ("review", "/reviews", REVIEWER),
    ("review", "/reviews/overdue", REVIEWER),
    ("review", "/lexicon/terms", REVIEWER),
    ("publisher", "/slots", REVIEWER),
    ("publisher", "/posts", REVIEWER),
    ("feedback", "/feedback", REVIEWER),
    ("feedback", "/windows", REVIEWER),
    ("feedback", "/enquiries", REVIEWER),
    ("reporting", "/reports", REVIEWER),
]


@pytest.mark.parametrize(("service", "path", "who"), LIST_ROUTES)
@pytest.mark.parametrize("offset", [2**63, 1_000_001, -1])
async def test_offsets_out_of_bounds_are_422_naming_offset(
    service: str,
    path: str,
    who: dict[str, str],
    offset: int,
    namespace: str,
    mongo_url: str,
    tmp_path: Path,
) -> None:
    async with client_of(build_app(service, namespace, mongo_url, tmp_path)) as client:
        response = await client.get(path, params={"offset": offset}, headers=who)
        problem = assert_problem(response, 422)
        assert fields_of(problem) == {"query.offset"}
        assert "offset" in problem["detail"]


@pytest.mark.parametrize(
    ("service", "method", "path", "body", "who", "field"),
    [
        ("drafting", "GET", f"/drafts/d-1/revisions/{2**63}", None, EDITOR, "path.number"),
        ("drafting", "GET", f"/drafts/d-1/submissions/{2**63}", None, EDITOR, "path.revision"),
        ("drafting", "GET", f"/drafts/d-1/revisions/1/diff/{2**63}", None, EDITOR, "path.new"),
        (
            "drafting",
            "PATCH",
            "/drafts/d-1",
            {"title": "t", "expected_revision": 2**63},
            EDITOR,
            "expected_revision",
        ),
        (
            "review",
            "POST",
            "/reviews/r-1/approve",
            {"revision": 2**63},
            REVIEWER,
            "revision",
        ),
    ],
)
async def test_huge_revision_numbers_are_422_naming_the_field(
    service: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    who: dict[str, str],
    field: str,
    namespace: str,
    mongo_url: str,
    tmp_path: Path,
) -> None:
    async with client_of(build_app(service, namespace, mongo_url, tmp_path)) as client:
        response = await client.request(method, path, json=body, headers=who)
        assert fields_of(assert_problem(response, 422)) == {field}


EDGE_INSTANTS = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1999-12-31T12:00:00Z"]
EDGE_DAYS = ["9999-12-31", "0001-01-01"]


@pytest.mark.parametrize("instant", EDGE_INSTANTS)
async def test_edge_instants_are_422_naming_the_field(
    instant: str, namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    cases: list[tuple[str, str, str, dict[str, Any], dict[str, str], str]] = [
        ("drafting", "GET", "/drafts", {"params": {"slot": instant}}, EDITOR, "query.slot"),
        (
            "drafting",
            "POST",
            "/drafts",
            {
                "json": {
                    "title": "t",
                    "category": "finance",
                    "body_html": "<p>x</p>",
                    "wished_slot": instant,
                }
            },
            EDITOR,
            "wished_slot",
        ),
        (
            "drafting",
            "PATCH",
            "/drafts/d-1",
            {"json": {"wished_slot": instant}},
            EDITOR,
            "wished_slot",
        ),
        ("publisher", "GET", "/slots", {"params": {"start": instant}}, REVIEWER, "query.start"),
        (
            "publisher",
            "POST",
            "/posts/p-1/reschedule",
            {"json": {"slot": instant}},
            REVIEWER,
            "slot",
        ),
        (
            "publisher",
            "POST",
            "/posts/p-1/resolve",
            {"json": {"outcome": "published", "note": "n", "published_at": instant}},
            REVIEWER,
            "published_at",
        ),
        (
            "feedback",
            "GET",
            "/enquiries",
            {"params": {"asked_from": instant, "asked_to": instant}},
            REVIEWER,
            "query.asked_from",
        ),
        (
            "reporting",
            "POST",
            "/reports",
            {"json": {"start": instant, "end": "2026-11-15"}},
            DIRECTOR,
            "start",
        ),
    ]
    apps: dict[str, FastAPI] = {}
    for service, method, path, kwargs, who, field in cases:
        app = apps.get(service) or build_app(service, namespace, mongo_url, tmp_path)
        apps[service] = app
        async with client_of(app) as client:
            response = await client.request(method, path, headers=who, **kwargs)
            problem = assert_problem(response, 422)
            assert field in fields_of(problem), (service, path, problem)
            assert "2000" in str(problem["errors"]) or "offset" in str(problem["errors"])


@pytest.mark.parametrize("day", EDGE_DAYS)
async def test_edge_days_are_422_naming_the_field(
    day: str, namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    review = build_app("review", namespace, mongo_url, tmp_path)
    async with client_of(review) as client:
        problem = assert_problem(
            await client.get("/reviews", params={"slot_date": day}, headers=REVIEWER), 422
        )
        assert fields_of(problem) == {"query.slot_date"}
    reporting = build_app("reporting", namespace, mongo_url, tmp_path)
    async with client_of(reporting) as client:
        response = await client.post(
            "/reports", json={"start": "2026-11-01", "end": day}, headers=DIRECTOR
        )
        assert fields_of(assert_problem(response, 422)) == {"end"}


async def test_broken_json_is_400_not_a_character_position(
    namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    async with client_of(build_app("drafting", namespace, mongo_url, tmp_path)) as client:
        response = await client.post(
            "/drafts",
            content=b'{"title": "t", "category": ',
            headers={**EDITOR, "content-type": "application/json"},
        )
        problem = assert_problem(response, 400)
        assert problem["detail"] == "body is not valid JSON"
        assert fields_of(problem) == {"body"}


# -- size limits, after authentication ----------------------------------------------------
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
async def test_anonymous_10_mb_is_401_without_reading_it(
    declared: bool, namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    body = CountedBody(10 * MB, fill=b"{")  # malformed JSON, too
    headers = {"content-type": "application/json"}
    if declared:
        headers["content-length"] = str(10 * MB)
    async with client_of(build_app("drafting", namespace, mongo_url, tmp_path)) as client:
        started = time.monotonic()
        response = await client.post("/drafts", content=body, headers=headers)
        elapsed = time.monotonic() - started
    problem = assert_problem(response, 401)
    assert problem["title"] == "Unauthenticated"
    assert response.headers["www-authenticate"] == "Bearer"
    assert body.pulled == 0, f"{body.pulled} bytes of an anonymous body were read"
    assert elapsed < 1.0


async def test_bad_token_huge_body_on_every_service_is_401_unread(
    namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    routes = {
        "drafting": "/materials",
        "review": "/reviews/r-1/approve",
        "publisher": "/calendar/hold",
        "feedback": "/feedback/batch",
        "reporting": "/reports",
    }
    for service, path in routes.items():
        body = CountedBody(10 * MB)
        async with client_of(build_app(service, namespace, mongo_url, tmp_path)) as client:
            response = await client.post(
                path, content=body, headers={"authorization": "Bearer not-a-token-at-all-xx"}
            )
        assert_problem(response, 401)
        assert body.pulled == 0, service


async def test_authenticated_body_over_the_default_limit_is_413_read_no_further(
    namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    app = build_app("drafting", namespace, mongo_url, tmp_path)
    async with client_of(app) as client:
        chunked = CountedBody(10 * MB)
        response = await client.post(
            "/drafts", content=chunked, headers={**EDITOR, "content-type": "application/json"}
        )
        problem = assert_problem(response, 413)
        assert "1048576" in problem["detail"]
        # Stopped at the first chunk past 1 MB, not after 10 MB.
        assert MB < chunked.pulled <= MB + chunked.chunk

        declared = CountedBody(2 * MB)
        response = await client.post(
            "/drafts",
            content=declared,
            headers={**EDITOR, "content-type": "application/json", "content-length": str(2 * MB)},
        )
        assert_problem(response, 413)
        assert declared.pulled == 0


async def test_a_service_limit_is_configurable_and_documented(
    namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    app = build_app("review", namespace, mongo_url, tmp_path, http_max_body_bytes=4096)
    async with client_of(app) as client:
        body = {"comments": "x" * 5000}
        response = await client.post("/reviews/r-1/reject", json=body, headers=REVIEWER)
        assert_problem(response, 413)
        small = await client.post("/reviews/r-1/reject", json={"comments": ""}, headers=REVIEWER)
        assert small.status_code == 422  # read and validated: under the limit
        spec = (await client.get("/openapi.json")).json()
        assert spec["paths"]["/reviews/{review_id}/reject"]["post"]["x-max-body-bytes"] == 4096


async def test_the_batch_route_has_its_own_limit(
    namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    app = build_app("feedback", namespace, mongo_url, tmp_path, http_batch_max_bytes=64 * 1024)
    async with client_of(app) as client:
        spec = (await client.get("/openapi.json")).json()
        assert spec["paths"]["/feedback/batch"]["post"]["x-max-body-bytes"] == 64 * 1024
        assert spec["paths"]["/feedback"]["get"].get("x-max-body-bytes") is None
        body = CountedBody(5 * MB, chunk=16 * 1024)
        response = await client.post(
            "/feedback/batch",
            content=body,
            headers={**SYSTEM, "content-type": "application/json"},
        )
        assert_problem(response, 413)
        assert body.pulled <= 64 * 1024 + 16 * 1024


def _signed(timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = "n0nce"
    return {"signature": sha1_signature(PUSH_TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}


async def test_push_unsigned_is_refused_unread_and_oversized_is_413(
    namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    app = build_app(
        "feedback", namespace, mongo_url, tmp_path, wechat_token=PUSH_TOKEN, push_max_bytes=8192
    )
    async with client_of(app) as client:
        unsigned = CountedBody(10 * MB)
        response = await client.post("/wechat/push", content=unsigned)
        assert_problem(response, 403)
        assert unsigned.pulled == 0

        oversized = CountedBody(10 * MB, chunk=4096)
        response = await client.post("/wechat/push", params=_signed(), content=oversized)
        assert_problem(response, 413)
        assert oversized.pulled <= 8192 + 4096


@pytest.mark.parametrize("create_time", [99_999_999_999, 946_684_799, 2**63])
async def test_signed_push_with_an_absurd_create_time_is_400(
    create_time: int, namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    app = build_app("feedback", namespace, mongo_url, tmp_path, wechat_token=PUSH_TOKEN)
    xml = (
        "<xml><ToUserName>gh_1</ToUserName><FromUserName>o-user</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime><MsgType>text</MsgType>"
        "<Content>请问社保基数怎么调整？</Content><MsgId>1234567890</MsgId></xml>"
    )
    async with client_of(app) as client:
        response = await client.post("/wechat/push", params=_signed(), content=xml.encode())
        problem = assert_problem(response, 400)
        assert "CreateTime" in problem["detail"] or "unreadable" in problem["detail"]


# -- unexpected errors and unknown routes -------------------------------------------------
async def test_an_unexpected_error_is_a_500_problem_with_a_correlation_id(
    namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    app = build_app("drafting", namespace, mongo_url, tmp_path)

    async def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret internals: mongodb://user:pw@db")

    app.state.service.deps.drafts.find = broken
    async with client_of(app) as client:
        with capture_logs() as logs:
            given = await client.get("/drafts", headers={**EDITOR, "X-Correlation-ID": "c-42"})
            fresh = await client.get("/drafts", headers=EDITOR)
    problem = assert_problem(given, 500)
    assert problem["correlation_id"] == "c-42" == given.headers["x-correlation-id"]
    assert "secret internals" not in given.text
    assert "RuntimeError" not in given.text
    new_id = assert_problem(fresh, 500)["correlation_id"]
    assert new_id
    assert new_id != "c-42"
    assert fresh.headers["x-correlation-id"] == new_id
    logged = [e for e in logs if e["event"] == "unhandled_error"]
    assert [e["correlation_id"] for e in logged] == ["c-42", new_id]
    assert all(e.get("exc_info") for e in logged)  # the trace goes to the log only


@pytest.mark.parametrize("service", sorted(SETTINGS))
async def test_unknown_routes_and_methods_are_problems(
    service: str, namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    async with client_of(build_app(service, namespace, mongo_url, tmp_path)) as client:
        assert_problem(await client.get("/no-such-route"), 404)
        assert_problem(await client.post("/no-such-route", content=b"x" * 1000), 404)
        assert_problem(await client.delete("/health"), 405)


# -- OpenAPI --------------------------------------------------------------------------------
def _operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, op in item.items():
            yield path, method, op


OPS_ROUTES = {"/health", "/ready", "/metrics", "/asyncapi.json", "/docs", "/asyncapi"}


@pytest.mark.parametrize("service", sorted(SETTINGS))
async def test_openapi_lists_bearer_and_every_problem_answer(
    service: str, namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    extra = {"wechat_token": PUSH_TOKEN} if service == "feedback" else {}
    async with client_of(build_app(service, namespace, mongo_url, tmp_path, **extra)) as client:
        spec = (await client.get("/openapi.json")).json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["bearer"]["description"],
    }
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "errors"} <= set(problem["properties"])
    protected = 0
    for path, method, op in _operations(spec):
        answers = op["responses"]
        assert "500" in answers, (path, method)
        for code, answer in answers.items():
            if int(code) >= 400:
                content = answer["content"]
                assert list(content) == ["application/problem+json"], (path, method, code)
                assert content["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"
                }
        if path in OPS_ROUTES or path in ("/wechat/push", "/wechat/push/{account}"):
            assert "security" not in op, (path, method)
            continue
        protected += 1
        assert op["security"] == [{"bearer": []}], (path, method)
        assert {"401", "403"} <= set(answers), (path, method)
        assert "admin" in op["x-roles"]
        if op.get("parameters") or "requestBody" in op:
            assert "422" in answers, (path, method)
        if "requestBody" in op:
            assert {"400", "413"} <= set(answers), (path, method)
            assert op["x-max-body-bytes"] >= 1024
        if "{" in path:
            assert "404" in answers, (path, method)
    assert protected >= 3
    if service == "feedback":
        push = spec["paths"]["/wechat/push"]["post"]
        assert {"400", "403", "413", "500", "503"} <= set(push["responses"])
        assert push["x-max-body-bytes"] == 64 * 1024


async def test_batch_items_with_edge_dates_are_refused_per_item(
    namespace: str, mongo_url: str, tmp_path: Path
) -> None:
    app = build_app("feedback", namespace, mongo_url, tmp_path)
    items = [
        {"source": "crm", "source_id": f"edge-{i}", "kind": "message", "text": "请问？"}
        | {"received_at": at}
        for i, at in enumerate(EDGE_INSTANTS)
    ]
    async with running(app.state.service.runtime), client_of(app) as client:
        response = await client.post("/feedback/batch", json={"items": items}, headers=SYSTEM)
    assert response.status_code == 200, response.text
    outcome = response.json()
    assert outcome["stored"] == 0
    assert [item["status"] for item in outcome["items"]] == ["invalid"] * len(items)
    for i, item in enumerate(outcome["items"]):  # named as every batch item's field is
        assert f"items.{i}.received_at" in {e.get("field") for e in item["errors"]}, item
