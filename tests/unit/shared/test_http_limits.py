"""shared.limits and shared.http on a small app: bounds, the body guard, the catch-all,
and the OpenAPI they document (the services' own are in tests/integration/backbone)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Query
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError

from shared.bounds import MAX_OFFSET, Day, Instant, check_day
from shared.http import CatchAll, install_problem_handlers, problem_response_of
from shared.http import require as require_roles
from shared.limits import BODY_LIMIT_KEY, BodyGuard
from shared.openapi import document_problems
from shared.problems import ProblemSpec
from shared.settings import Principal, Role

TOKENS = {"editor-token-0000000001": Principal(subject="erin", roles=frozenset({Role.EDITOR}))}
EDITOR = {"Authorization": "Bearer editor-token-0000000001"}


class Conflict(Exception):
    pass


class Note(BaseModel):
    text: str
    at: Instant | None = None


def small_app(limit: int = 1000) -> FastAPI:
    router = APIRouter()
    editor = Depends(require_roles(lambda: TOKENS, Role.EDITOR))

    @router.post("/notes")
    async def post_note(body: Note, _: Principal = editor) -> dict[str, str]:
        return {"text": body.text}

    @router.post("/big", openapi_extra={BODY_LIMIT_KEY: 5000})
    async def post_big(body: Note, _: Principal = editor) -> dict[str, int]:
        return {"length": len(body.text)}

    @router.get("/notes")
    async def list_notes(
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0, _: Principal = editor
    ) -> dict[str, int]:
        return {"offset": offset}

    @router.get("/boom/{thing}")
    async def boom(thing: str) -> None:
        raise ZeroDivisionError(thing)

    app = FastAPI()
    problems = {Conflict: ProblemSpec(409, "Conflict")}
    install_problem_handlers(app, problems)

    def routes() -> list[APIRoute]:
        return [r for r in router.routes if isinstance(r, APIRoute)]

    document_problems(app, routes, problems, body_limit=limit)
    app.add_middleware(BodyGuard, routes=routes, default_limit=limit, respond=problem_response_of)
    app.add_middleware(CatchAll, service="test")
    app.include_router(router)
    return app


class Chunks:
    def __init__(self, total: int, chunk: int = 100) -> None:
        self.total, self.chunk, self.pulled = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.pulled < self.total:
            self.pulled += self.chunk
            yield b" " * self.chunk


async def call(app: FastAPI, method: str, path: str, **kwargs: Any) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.request(method, path, **kwargs)


def test_days_and_instants_are_bounded_to_2000_2100() -> None:
    instant = TypeAdapter(Instant)
    day = TypeAdapter(Day)
    assert instant.validate_python("2026-11-23T11:30:00+08:00").year == 2026
    assert instant.validate_python("2100-12-31T23:59:59-14:00").year == 2100
    assert day.validate_python("2000-01-01") == date(2000, 1, 1)
    for bad in ("9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "1999-12-31T23:59Z"):
        with pytest.raises(ValidationError, match="between the years 2000 and 2100"):
            instant.validate_python(bad)
    with pytest.raises(ValidationError):
        instant.validate_python("2026-11-23T11:30:00")  # naive
    with pytest.raises(ValidationError):
        day.validate_python("9999-12-31")
    with pytest.raises(ValueError, match="between the years"):
        check_day(datetime(2101, 1, 1, tzinfo=timezone(timedelta(hours=14))))
    assert check_day(datetime(2100, 12, 31, tzinfo=UTC)).year == 2100


async def test_anonymous_body_is_401_before_a_byte_is_read() -> None:
    body = Chunks(10_000_000)
    response = await call(small_app(), "POST", "/notes", content=body)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert body.pulled == 0


async def test_over_the_limit_is_413_declared_or_while_reading() -> None:
    app = small_app(limit=1000)
    declared = Chunks(2000)
    response = await call(
        app, "POST", "/notes", content=declared, headers={**EDITOR, "content-length": "2000"}
    )
    assert response.status_code == 413
    assert declared.pulled == 0
    chunked = Chunks(1_000_000)
    response = await call(app, "POST", "/notes", content=chunked, headers=EDITOR)
    assert response.status_code == 413
    assert response.json()["detail"] == "The request body is larger than this route's 1000 bytes."
    assert chunked.pulled == 1100  # the first chunk past 1000 bytes, then no more
    ok = await call(app, "POST", "/notes", json={"text": "x" * 900}, headers=EDITOR)
    assert ok.status_code == 200


async def test_a_route_declares_its_own_limit() -> None:
    app = small_app(limit=1000)
    fits = await call(app, "POST", "/big", json={"text": "x" * 4000}, headers=EDITOR)
    assert fits.json() == {"length": 4000}
    too_big = await call(app, "POST", "/big", json={"text": "x" * 6000}, headers=EDITOR)
    assert too_big.status_code == 413


async def test_validation_names_fields_and_broken_json_is_400() -> None:
    app = small_app()
    offset = await call(app, "GET", "/notes", params={"offset": 2**63}, headers=EDITOR)
    assert offset.status_code == 422
    assert [e["field"] for e in offset.json()["errors"]] == ["query.offset"]
    broken = await call(
        app,
        "POST",
        "/notes",
        content=b'{"text": ',
        headers={**EDITOR, "content-type": "application/json"},
    )
    assert broken.status_code == 400
    assert broken.json()["detail"] == "body is not valid JSON"
    assert broken.json()["errors"][0]["field"] == "body"
    at = await call(
        app, "POST", "/notes", json={"text": "t", "at": "9999-12-31T23:59:59-14:00"}, headers=EDITOR
    )
    assert at.status_code == 422
    assert at.json()["errors"][0]["field"] == "at"


async def test_unexpected_error_is_500_problem_with_correlation_id() -> None:
    response = await call(small_app(), "GET", "/boom/secret", headers={"X-Correlation-ID": "c-1"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["correlation_id"] == "c-1"
    assert "ZeroDivisionError" not in response.text
    assert "secret" not in response.text
    weird = await call(small_app(), "GET", "/boom/x", headers={"X-Correlation-ID": "a\tb"})
    assert weird.json()["correlation_id"] != "a\tb"  # not echoed: a fresh id


async def test_openapi_documents_bearer_roles_limits_and_problems() -> None:
    spec = (await call(small_app(limit=1000), "GET", "/openapi.json")).json()
    post = spec["paths"]["/notes"]["post"]
    assert post["security"] == [{"bearer": []}]
    assert post["x-roles"] == ["admin", "editor"]
    assert post["x-max-body-bytes"] == 1000
    assert spec["paths"]["/big"]["post"]["x-max-body-bytes"] == 5000
    assert set(post["responses"]) == {"200", "400", "401", "403", "409", "413", "422", "500"}
    listing = spec["paths"]["/notes"]["get"]
    assert set(listing["responses"]) == {"200", "401", "403", "422", "500"}
    boom = spec["paths"]["/boom/{thing}"]["get"]
    assert "security" not in boom
    assert set(boom["responses"]) == {"200", "404", "409", "422", "500"}
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for answer in post["responses"].values():
        if "content" in answer and "application/problem+json" in answer["content"]:
            assert answer["content"]["application/problem+json"]["schema"] == problem_ref
    assert post["responses"]["422"]["content"] == {
        "application/problem+json": {"schema": problem_ref}
    }
    assert "HTTPValidationError" not in spec["components"]["schemas"]
