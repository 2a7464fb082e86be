"""``/api/<service>/<path>``: the services' APIs for other UIs, as the signed-in person.

The session cookie authenticates; a change needs the ``X-CSRF-Token`` header; the call
goes on with the person's token, and the service's answer comes back as it is (status,
content type, body; problem+json included). Hop-by-hop and credential headers are not
passed either way.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from services.gateway.errors import NotSignedIn, UpstreamUnavailable
from services.gateway.web.console import SAFE_METHODS, Console

__all__ = ["build_forward_router"]

MAX_FORWARD_BYTES = 2 * 1024 * 1024


def build_forward_router(console: Console) -> APIRouter:
    router = APIRouter(prefix="/api", tags=["forwarding"])

    async def forward(
        service: Annotated[str, Path(max_length=32)],
        path: str,
        request: Request,
    ) -> Response:
        visit = await console.visit(request)
        if request.method not in SAFE_METHODS:
            console.check_csrf(visit, request)
        if not console.services.knows(service):
            raise UpstreamUnavailable(f"no service named {service!r}")
        body = await request.body()
        if len(body) > MAX_FORWARD_BYTES:
            return Response("body too large", status_code=413, media_type="text/plain")
        answer = await console.services.call(
            visit.person,
            service,
            request.method,
            "/" + path,
            params=dict(request.query_params),
            content=body or None,
            content_type=request.headers.get("content-type"),
        )
        return Response(
            answer.content,
            status_code=answer.status,
            media_type=answer.content_type or None,
            headers=dict(answer.headers),
        )

    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        router.add_api_route(
            "/{service}/{path:path}",
            forward,
            methods=[method],
            operation_id=f"forward_{method.lower()}",
            summary=f"{method} a service's API as the signed-in person (session cookie"
            + ("" if method == "GET" else " + X-CSRF-Token header")
            + ")",
            responses={
                401: {"description": "No live session."},
                403: {"description": "A change without the session's X-CSRF-Token header."},
                502: {"description": "No such service, or it did not answer."},
            },
        )
    _ = NotSignedIn
    return router
