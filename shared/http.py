"""HTTP plumbing every service shares: problem+json errors and auth by role.

Errors follow RFC 9457 (``application/problem+json``). Validation errors list every
offending field in ``errors`` and name them in ``detail``. Every mutating route depends
on :func:`require` with the roles allowed; ``/health`` needs no token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Generic, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.problems import ProblemMap, ProblemSpec
from shared.settings import Principal, Role

__all__ = [
    "Page",
    "Problem",
    "ProblemError",
    "install_problem_handlers",
    "require",
]

PROBLEM_JSON = "application/problem+json"
T = TypeVar("T")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[dict[str, Any]] = Field(default_factory=list)


class ProblemError(Exception):
    """Raise from a route or use case to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str = "",
        *,
        type_: str = "about:blank",
        errors: list[dict[str, Any]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.problem = Problem(
            type=type_, title=title, status=status, detail=detail, errors=errors or []
        )
        self.headers = dict(headers or {})


class Page(BaseModel, Generic[T]):
    """A page of a list: ``items`` plus where the next page starts."""

    items: list[T]
    total: int
    offset: int
    limit: int


def _spec_for(problems: ProblemMap, exc: Exception) -> ProblemSpec | None:
    for kind in type(exc).__mro__:
        spec = problems.get(kind)
        if spec is not None:
            return spec
    return None


def _problem_response(problem: Problem, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        problem.model_dump(exclude_defaults=False),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=dict(headers or {}),
    )


def install_problem_handlers(app: FastAPI, problems: ProblemMap | None = None) -> None:
    """Answer every error as problem+json; ``problems`` maps the service's domain errors."""

    async def on_problem(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return _problem_response(exc.problem, exc.headers)

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        errors = [
            {
                "field": ".".join(str(p) for p in err["loc"] if p not in ("body",)) or "body",
                "message": err["msg"],
                "type": err["type"],
            }
            for err in exc.errors()
        ]
        fields = ", ".join(sorted({e["field"] for e in errors}))
        return _problem_response(
            Problem(
                type="urn:contentops:problem:validation",
                title="Invalid request",
                status=422,
                detail=f"Invalid value for: {fields}",
                errors=errors,
            )
        )

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return _problem_response(
            Problem(title=str(exc.detail), status=exc.status_code, detail=str(exc.detail)),
            exc.headers,
        )

    table = dict(problems or {})

    async def on_domain(_: Request, exc: Exception) -> JSONResponse:
        spec = _spec_for(table, exc)
        assert spec is not None
        detail = getattr(exc, "detail", None)
        errors = getattr(exc, "errors", None)
        return _problem_response(
            Problem(
                type=spec.type,
                title=spec.title,
                status=spec.status,
                detail=str(detail) if detail is not None else str(exc),
                errors=list(errors) if isinstance(errors, list | tuple) else [],
            )
        )

    for kind in table:
        app.add_exception_handler(kind, on_domain)
    app.add_exception_handler(ProblemError, on_problem)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)


def require(
    tokens: Callable[[], Mapping[str, Principal]], *roles: Role
) -> Callable[[Request], Awaitable[Principal]]:
    """A FastAPI dependency: the bearer token's principal, holding one of ``roles``.

    ``admin`` passes every check. 401 without a valid token, 403 without the role.
    """
    allowed = frozenset(roles) | {Role.ADMIN}

    async def dependency(request: Request) -> Principal:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        principal = tokens().get(token.strip()) if scheme.lower() == "bearer" else None
        if principal is None:
            raise ProblemError(
                401,
                "Unauthenticated",
                "Send 'Authorization: Bearer <token>' with a valid API token.",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not principal.roles & allowed:
            raise ProblemError(
                403,
                "Forbidden",
                f"This action needs one of the roles: {', '.join(sorted(allowed))}.",
            )
        request.state.principal = principal
        return principal

    return dependency
