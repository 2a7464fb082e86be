"""The OpenAPI of every service describes its answers as they are sent.

:func:`document_problems` (called by :meth:`shared.runtime.ServiceRuntime.asgi`): the
bearer scheme (and the roles) on protected routes, every problem answer a route can give
with the :class:`shared.http.Problem` schema as ``application/problem+json``, and the body
limit of each route taking a body.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from shared.http import PROBLEM_JSON, Problem
from shared.limits import BODY_LIMIT_KEY, body_limit_of, guard_of
from shared.problems import ProblemMap

__all__ = ["document_problems"]

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_DESCRIPTIONS = {
    400: "The body is not valid JSON, or the request is malformed.",
    401: "No valid bearer token.",
    403: "The token's principal lacks the role (see x-roles).",
    404: "Not found (or an account this deployment does not have).",
    409: "Conflicts with the resource's state (the problem says which).",
    413: "The body is larger than the route's limit (x-max-body-bytes).",
    422: "Invalid input; the problem's errors name every field.",
    500: "Unexpected error; the problem carries a correlation_id.",
}


def _problem_answer(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_JSON: {"schema": _PROBLEM_REF}}}


def _statuses(route: APIRoute, method: str, problems: ProblemMap) -> set[int]:
    statuses = {500}
    if guard_of(route) is not None:
        statuses |= {401, 403}
    has_params = bool(
        route.dependant.path_params
        or route.dependant.query_params
        or route.dependant.header_params
        or route.body_field is not None
    )
    if has_params:
        statuses.add(422)
    if route.body_field is not None:
        statuses |= {400, 413}
    # The domain errors the route can meet: a route naming a resource, or changing one.
    if "{" in route.path_format:
        statuses.add(404)
    if _names_account(route):  # #12: an unknown account is 404, one not held 403
        statuses |= {403, 404}
    if "{" in route.path_format or method != "GET":
        statuses |= {spec.status for spec in problems.values()}
    return statuses


def _names_account(route: APIRoute) -> bool:
    """The route takes an official account (#12): a query ``account`` or a body field."""
    if any(p.alias == "account" for p in route.dependant.query_params):
        return True
    body = route.body_field
    fields = getattr(getattr(body, "type_", None), "model_fields", None) if body else None
    return isinstance(fields, dict) and "account" in fields


def document_problems(
    app: FastAPI,
    routes: Callable[[], Sequence[APIRoute]],
    problems: ProblemMap | None = None,
    *,
    body_limit: int,
) -> None:
    """Make ``app``'s OpenAPI describe its answers as they are sent.

    The ``bearer`` security scheme (and ``x-roles``) on every protected route; every
    problem answer the route can give (400/401/403/404/409/413/422/500 as they apply, and
    whatever the route declares) as ``application/problem+json`` with the ``Problem``
    schema; the body limit (``x-max-body-bytes``) of each route taking a body.
    """
    table = dict(problems or {})
    original = app.openapi
    done = False

    def openapi() -> dict[str, Any]:
        nonlocal done
        schema = original()
        if done:
            return schema
        done = True
        components = schema.setdefault("components", {})
        components.setdefault("securitySchemes", {})["bearer"] = {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token from API_TOKENS (see SECURITY.md).",
        }
        schemas = components.setdefault("schemas", {})
        schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        for route in routes():
            if not route.include_in_schema:
                continue
            for method in route.methods or ():
                op = schema["paths"].get(route.path_format, {}).get(method.lower())
                if op is None:
                    continue
                guard = guard_of(route)
                if guard is not None:
                    op["security"] = [{"bearer": []}]
                    op["x-roles"] = sorted(str(r) for r in guard.roles)
                if route.body_field is not None or BODY_LIMIT_KEY in (route.openapi_extra or {}):
                    op[BODY_LIMIT_KEY] = body_limit_of(route, body_limit)
                answers = op.setdefault("responses", {})
                for status in _statuses(route, method, table):
                    answers.setdefault(str(status), {})
                for code, answer in answers.items():
                    if code.isdigit() and int(code) >= 400:
                        default = _DESCRIPTIONS.get(int(code), HTTPStatus(int(code)).phrase)
                        description = answer.get("description") or default
                        if description == "Validation Error":
                            description = _DESCRIPTIONS[422]
                        answers[code] = _problem_answer(description)
        for unused in ("HTTPValidationError", "ValidationError"):
            if f"#/components/schemas/{unused}" not in json.dumps(schema):
                schemas.pop(unused, None)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
