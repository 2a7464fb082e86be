"""How the drafting API answers each refusal (``errors.PROBLEMS``): the statuses, titles and
problem types editors' tools rely on, and a 422 that names every offending field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.drafting.errors import (
    PROBLEMS,
    ConcurrentUpdate,
    DraftingError,
    EditForbidden,
    InvalidContent,
    NotFound,
    RevisionConflict,
    TransitionRefused,
)
from shared.http import install_problem_handlers


async def answer(error: Exception) -> httpx.Response:
    app = FastAPI()
    install_problem_handlers(app, PROBLEMS)

    @app.get("/refuse")
    async def refuse() -> None:
        raise error

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get("/refuse")


async def test_invalid_content_is_a_422_validation_problem_naming_every_field() -> None:
    response = await answer(
        InvalidContent(
            [
                ("body_html", "a <script> is not allowed"),
                ("pictures.0.origin", "material m-1 has no recorded origin"),
                ("body_html", "over 20,000 characters"),
            ]
        )
    )

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert (body["type"], body["title"]) == ("urn:contentops:problem:validation", "Invalid request")
    assert body["detail"] == "Invalid value for: body_html, pictures.0.origin"
    assert body["errors"] == [
        {"field": "body_html", "message": "a <script> is not allowed"},
        {"field": "pictures.0.origin", "message": "material m-1 has no recorded origin"},
        {"field": "body_html", "message": "over 20,000 characters"},
    ]


@pytest.mark.parametrize(
    ("error", "status", "title"),
    [
        (TransitionRefused("published", "edit", "it is live"), 409, "Not allowed in this state"),
        (RevisionConflict(1, 2), 409, "The draft changed"),
        (ConcurrentUpdate("draft d-1 changed meanwhile"), 409, "The draft changed"),
        (EditForbidden("only editors and the draft's creator may change it"), 403, "Forbidden"),
        (NotFound("no draft d-1"), 404, "Not found"),
        (DraftingError("something else"), 400, "Bad request"),
    ],
)
async def test_each_refusal_has_its_status_and_title_and_says_why(
    error: Exception, status: int, title: str
) -> None:
    response = await answer(error)

    assert response.status_code == status
    body: dict[str, Any] = response.json()
    assert (body["type"], body["title"], body["errors"]) == ("about:blank", title, [])
    assert body["detail"] == str(error)
