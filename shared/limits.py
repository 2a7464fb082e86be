"""Bounds on HTTP request bodies: sizes, checked before the route reads them.

* Offsets, revision numbers and dates are bounded in :mod:`shared.bounds` (pure, so the
  event contracts share them); each route's ``limit`` has its own bound, on the route.
* :class:`BodyGuard`: an ASGI middleware (one per app, installed by
  :meth:`shared.runtime.ServiceRuntime.asgi`) that, before the route reads anything,

  1. answers 401 to a request for a protected route without a valid bearer token,
     whatever its body (never read);
  2. answers 413 when ``Content-Length`` is over the route's limit (never read);
  3. counts the body while the route reads it and stops at the limit (413) — for a
     chunked body without ``Content-Length``.

  A route's limit is its ``openapi_extra["x-max-body-bytes"]`` (so the OpenAPI shows it),
  else the service's ``<SERVICE>_HTTP_MAX_BODY_BYTES`` (1 MB by default).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "BODY_LIMIT_KEY",
    "DEFAULT_MAX_BODY_BYTES",
    "BodyGuard",
    "BodyTooLarge",
    "body_limit_of",
    "guard_of",
]

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
BODY_LIMIT_KEY = "x-max-body-bytes"
"""The ``openapi_extra`` key by which a route declares its own body limit."""
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class BodyTooLarge(HTTPException):
    """The body went over the route's limit while being read (answered 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than this route's {limit} bytes.")
        self.limit = limit


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    for sub in dependant.dependencies:
        yield sub
        yield from _dependants(sub)


def guard_of(route: APIRoute) -> Any | None:
    """The route's :func:`shared.http.require` guard (with ``roles`` and ``tokens``), if any."""
    for sub in _dependants(route.dependant):
        if getattr(sub.call, "is_bearer_guard", False):
            return sub.call
    return None


def body_limit_of(route: APIRoute, default: int) -> int:
    """The body limit of ``route``: its own ``x-max-body-bytes``, else ``default``."""
    extra = route.openapi_extra or {}
    limit = extra.get(BODY_LIMIT_KEY)
    return int(limit) if isinstance(limit, int) else default


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


class BodyGuard:
    """Authentication and the body limit before a route reads its body (see the module)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Callable[[], Sequence[APIRoute]],
        default_limit: int,
        respond: Callable[[Exception], Response],
    ) -> None:
        self.app = app
        self.routes = routes
        self.default_limit = default_limit
        self.respond = respond

    def _route(self, scope: Scope) -> APIRoute | None:
        for route in self.routes():
            match, _ = route.matches(scope)
            if match is Match.FULL:
                return route
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        route = self._route(scope)
        if route is None:  # unknown route or method: 404/405, the body is never read
            await self.app(scope, receive, send)
            return
        guard = guard_of(route)
        if guard is not None and guard.principal_of(Headers(scope=scope)) is None:
            await self._answer(scope, send, guard.unauthenticated())
            return
        limit = body_limit_of(route, self.default_limit)
        length = _content_length(scope)
        if length is not None and length > limit:
            await self._answer(scope, send, BodyTooLarge(limit))
            return
        read = 0

        async def limited() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    raise BodyTooLarge(limit)
            return message

        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited, watched)
        except BodyTooLarge as exc:
            if started:
                raise
            await self._answer(scope, send, exc)

    async def _answer(self, scope: Scope, send: Send, error: Exception) -> None:
        await self.respond(error)(scope, _no_body, send)


async def _no_body() -> Message:
    return {"type": "http.disconnect"}
