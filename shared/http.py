"""HTTP plumbing every service shares: problem+json errors and auth by role.

Errors follow RFC 9457 (``application/problem+json``). Validation errors list every
offending field in ``errors`` and name them in ``detail``; a body that is not JSON is 400
"body is not valid JSON". Every route of the API depends on :func:`require` with the roles
allowed; ``/health`` needs no token.

:class:`CatchAll` answers anything unexpected as a 500 problem with a ``correlation_id``
(the request's ``X-Correlation-ID`` or a new one), logged with the stack trace, never sent.
:func:`shared.openapi.document_problems` makes the OpenAPI say so.

A bearer token is either a static API token (``API_TOKENS``) or a **person token**: a
short-lived EdDSA JWT the console's gateway signs for one person and one service
(:class:`PersonTokens`). :class:`Credentials` looks both up, so :class:`RequireRoles`
and every service's ``require(runtime.tokens, ...)`` accept either.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from http import HTTPStatus
from typing import Any, Generic, TypeVar

import jwt
import structlog
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_public_key,
)
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.accounts import Accounts
from shared.problems import ProblemMap, ProblemSpec
from shared.settings import Principal, Role

__all__ = [
    "CORRELATION_HEADER",
    "PROBLEM_JSON",
    "PERSON_TOKEN_MAX_SECONDS",
    "CatchAll",
    "Credentials",
    "Page",
    "PersonTokens",
    "Problem",
    "ProblemError",
    "RequireRoles",
    "account_scope",
    "authorize",
    "install_problem_handlers",
    "key_id",
    "problem_response_of",
    "require",
]

PROBLEM_JSON = "application/problem+json"
CORRELATION_HEADER = "X-Correlation-ID"
T = TypeVar("T")
_log = structlog.get_logger("http")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[dict[str, Any]] = Field(default_factory=list)
    correlation_id: str | None = Field(
        default=None,
        description="Only on 500: quote it to the operators (it is in the logs with the trace).",
    )


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
    body = problem.model_dump(exclude_defaults=False)
    if body["correlation_id"] is None:
        del body["correlation_id"]
    return JSONResponse(
        body,
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=dict(headers or {}),
    )


def _http_problem(exc: StarletteHTTPException) -> JSONResponse:
    try:
        title = HTTPStatus(exc.status_code).phrase
    except ValueError:
        title = str(exc.detail)
    return _problem_response(
        Problem(title=title, status=exc.status_code, detail=str(exc.detail)), exc.headers
    )


def problem_response_of(exc: Exception) -> JSONResponse:
    """The problem answer to a :class:`ProblemError` or an HTTP exception (else a 500)."""
    if isinstance(exc, ProblemError):
        return _problem_response(exc.problem, exc.headers)
    if isinstance(exc, StarletteHTTPException):
        return _http_problem(exc)
    return _problem_response(Problem(title="Internal Server Error", status=500))


def install_problem_handlers(app: FastAPI, problems: ProblemMap | None = None) -> None:
    """Answer every error as problem+json; ``problems`` maps the service's domain errors."""

    async def on_problem(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ProblemError)
        return _problem_response(exc.problem, exc.headers)

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        broken = [err for err in exc.errors() if err["type"] == "json_invalid"]
        if broken:  # its "loc" is a character position, not a field
            error = broken[0].get("ctx", {}).get("error", "JSON decode error")
            return _problem_response(
                Problem(
                    type="urn:contentops:problem:bad-request",
                    title="Bad Request",
                    status=400,
                    detail="body is not valid JSON",
                    errors=[{"field": "body", "message": str(error), "type": "json_invalid"}],
                )
            )
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
        return _http_problem(exc)

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


PERSON_TOKEN_MAX_SECONDS = 300
"""The longest life (``exp - iat``) a person token may claim."""
_PERSON_CLAIMS = ("sub", "iss", "aud", "iat", "exp")
_PERSON_ROLES = frozenset(Role) - {Role.SYSTEM}


def key_id(public_key: Ed25519PublicKey) -> str:
    """A key's id (the JWT ``kid``): the first 16 hex digits of its raw bytes' SHA-256."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class PersonTokens:
    """Verifies person tokens: EdDSA JWTs signed by the gateway for one person.

    Accepted only if signed (``alg`` EdDSA, nothing else) by one of ``public_keys`` (a
    list, for rotation; the ``kid`` header picks one), naming ``issuer`` and ``audience``
    (the service), with ``sub``, ``iat`` and ``exp`` present, not expired (``leeway``
    seconds of clock skew), living at most :data:`PERSON_TOKEN_MAX_SECONDS`, and with
    person roles only (``system`` is never a person). Anything else is ``None``.
    """

    def __init__(
        self, public_keys: Sequence[str], *, issuer: str, audience: str, leeway: float = 10.0
    ) -> None:
        self.keys: dict[str, Ed25519PublicKey] = {}
        for pem in public_keys:
            key = load_pem_public_key(pem.encode())
            if not isinstance(key, Ed25519PublicKey):
                raise ValueError("person token keys must be Ed25519 public keys")
            self.keys[key_id(key)] = key
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway

    def _candidates(self, token: str) -> list[Ed25519PublicKey]:
        kid = jwt.get_unverified_header(token).get("kid")
        if kid is None:
            return list(self.keys.values())
        key = self.keys.get(str(kid))
        return [key] if key is not None else []

    def verify(self, token: str) -> Principal | None:
        """The person ``token`` names, or ``None`` if it is not a valid person token."""
        if not self.keys or token.count(".") != 2:
            return None
        try:
            for key in self._candidates(token):
                try:
                    claims = jwt.decode(
                        token,
                        key,
                        algorithms=["EdDSA"],
                        audience=self.audience,
                        issuer=self.issuer,
                        leeway=self.leeway,
                        options={"require": list(_PERSON_CLAIMS)},
                    )
                except jwt.InvalidSignatureError:
                    continue
                return self._principal(claims)
        except (jwt.PyJWTError, ValueError, TypeError):
            return None
        return None

    @staticmethod
    def _principal(claims: Mapping[str, Any]) -> Principal | None:
        life = claims["exp"] - claims["iat"]
        roles = claims.get("roles")
        if not isinstance(life, int | float) or life > PERSON_TOKEN_MAX_SECONDS:
            return None
        if not isinstance(roles, list) or not all(r in _PERSON_ROLES for r in roles):
            return None
        name = claims.get("name", "")
        accounts = claims.get("accounts")  # absent: the roles hold on every account
        if accounts is not None and not (
            isinstance(accounts, list) and all(isinstance(a, str) for a in accounts)
        ):
            return None
        account_roles = claims.get("account_roles", {})
        if not isinstance(account_roles, dict) or not all(
            isinstance(held, list) and all(r in _PERSON_ROLES for r in held)
            for held in account_roles.values()
        ):
            return None
        try:
            return Principal(
                subject=str(claims["sub"]),
                roles=frozenset(Role(r) for r in roles),
                name=name if isinstance(name, str) else "",
                person=True,
                accounts=frozenset(accounts) if accounts is not None else None,
                account_roles={
                    str(account): frozenset(Role(r) for r in held)
                    for account, held in account_roles.items()
                },
            )
        except ValueError:  # a malformed account id
            return None


class Credentials(Mapping[str, Principal]):
    """The bearer tokens a service accepts: its static ``API_TOKENS``, then person tokens.

    A mapping so that ``require(tokens, ...)`` keeps one shape: iterating and ``len`` see
    the static tokens only; looking a token up also verifies it as a person token.
    """

    def __init__(self, static: Mapping[str, Principal], persons: PersonTokens | None) -> None:
        self.static = static
        self.persons = persons

    def __getitem__(self, token: str) -> Principal:
        found = self.static.get(token)
        if found is None and self.persons is not None:
            found = self.persons.verify(token)
        if found is None:
            raise KeyError("unknown token")  # never echo a credential
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self.static)

    def __len__(self) -> int:
        return len(self.static)


class RequireRoles:
    """A FastAPI dependency: the bearer token's principal, holding one of ``roles``.

    The token is a static API token or a person token (:class:`Credentials`).
    ``admin`` passes every check. 401 without a valid token, 403 without the role.
    :class:`shared.limits.BodyGuard` finds it on a route (``is_bearer_guard``) to refuse
    an unauthenticated request before its body is read, and :func:`document_problems`
    to document the bearer scheme and the roles.
    """

    is_bearer_guard = True

    def __init__(self, tokens: Callable[[], Mapping[str, Principal]], roles: frozenset[Role]):
        self.tokens = tokens
        self.roles = roles | {Role.ADMIN}

    def principal_of(self, headers: Headers) -> Principal | None:
        """The principal of the request's bearer token, or ``None``."""
        scheme, _, token = headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        return self.tokens().get(token)

    def unauthenticated(self) -> ProblemError:
        return ProblemError(
            401,
            "Unauthenticated",
            "Send 'Authorization: Bearer <token>' with a valid API token or person token.",
            headers={"WWW-Authenticate": "Bearer"},
        )

    async def __call__(self, request: Request) -> Principal:
        principal = self.principal_of(request.headers)
        if principal is None:
            raise self.unauthenticated()
        if not principal.all_roles & self.roles:
            raise ProblemError(
                403,
                "Forbidden",
                f"This action needs one of the roles: {', '.join(sorted(self.roles))}.",
            )
        request.state.principal = principal
        return principal


def require(tokens: Callable[[], Mapping[str, Principal]], *roles: Role) -> RequireRoles:
    """A FastAPI dependency: the bearer token's principal, holding one of ``roles``.

    ``admin`` passes every check. 401 without a valid token, 403 without the role.
    """
    return RequireRoles(tokens, frozenset(roles))


def authorize(principal: Principal, account: str, *roles: Role) -> None:
    """403 unless ``principal`` holds one of ``roles`` (or ``admin``) on ``account``.

    A route's :func:`require` checked the role on *some* account; the use case or route
    calls this with the account of the resource it touches (the draft's, the post's), so
    a reviewer of one account cannot approve for another.
    """
    if not principal.may(account, frozenset(roles)):
        raise ProblemError(
            403,
            "Forbidden",
            f"This action on account {account!r} needs one of the roles: "
            f"{', '.join(sorted({*roles, Role.ADMIN}))} on that account.",
            type_="urn:contentops:problem:forbidden-account",
        )


def account_scope(
    principal: Principal, accounts: Accounts, requested: str | None = None
) -> list[str]:
    """The accounts a list route reads: ``requested`` (known, readable) or all readable.

    An unknown ``requested`` is 404 naming the ``account`` field; one the principal holds
    no role on is 403. Without ``requested``: every account the principal may read (the
    director's "all together"), never an empty filter that would read everything.
    """
    if requested is not None:
        if requested not in accounts:
            raise ProblemError(
                404,
                "Unknown account",
                f"No account {requested!r} in this deployment.",
                type_="urn:contentops:problem:unknown-account",
                errors=[{"field": "account", "message": "unknown account", "type": "unknown"}],
            )
        if not principal.roles_on(requested):
            raise ProblemError(
                403,
                "Forbidden",
                f"You hold no role on account {requested!r}.",
                type_="urn:contentops:problem:forbidden-account",
            )
        return [requested]
    return principal.readable(accounts.ids)


class CatchAll:
    """ASGI middleware: an unexpected error is a 500 problem with a correlation id.

    The id is the request's ``X-Correlation-ID`` (when it is a sane token) or a new one;
    it is sent in the body and the header and logged with the stack trace, which the
    answer never carries.
    """

    def __init__(self, app: ASGIApp, *, service: str = "service") -> None:
        self.app = app
        self.log = _log.bind(service=service)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception:
            given = Headers(scope=scope).get(CORRELATION_HEADER, "")
            ok = 0 < len(given) <= 128 and given.isascii() and given.isprintable()
            correlation_id = given if ok else str(uuid.uuid4())
            self.log.exception(
                "unhandled_error",
                correlation_id=correlation_id,
                method=scope.get("method"),
                path=scope.get("path"),
            )
            if started:
                raise
            response = _problem_response(
                Problem(
                    type="urn:contentops:problem:internal",
                    title="Internal Server Error",
                    status=500,
                    detail="Something went wrong on our side; quote the correlation id.",
                    correlation_id=correlation_id,
                ),
                {CORRELATION_HEADER: correlation_id},
            )
            await response(scope, receive, send)
