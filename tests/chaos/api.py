"""HTTP calls to a service whose replicas may be dead or restarting: each call tries the
replicas in turn and retries transport errors and 5xx answers until its deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import Any

import httpx

from tests.support.services import auth

__all__ = ["Api", "Unanswered"]

EDITOR = "editor-token-000000000001"
REVIEWER = "reviewer-token-0000000001"
DIRECTOR = "director-token-0000000001"


class Unanswered(RuntimeError):
    """No replica gave an answer (other than 5xx) before the deadline."""


class Api:
    """The services' HTTP APIs, by service name, over all their replicas."""

    def __init__(self, urls: Mapping[str, list[str]], *, call_timeout: float = 10.0) -> None:
        self.urls = {name: list(u) for name, u in urls.items()}
        self._http = httpx.AsyncClient(timeout=call_timeout)
        self.transport_errors = 0

    async def aclose(self) -> None:
        await self._http.aclose()

    async def once(
        self, service: str, method: str, path: str, token: str, **kw: Any
    ) -> httpx.Response:
        """One attempt on each replica until one answers; raises the last transport error."""
        last: Exception | None = None
        for url in self.urls[service]:
            try:
                response = await self._http.request(method, url + path, headers=auth(token), **kw)
            except httpx.TransportError as exc:
                self.transport_errors += 1
                last = exc
                continue
            if response.status_code < 500:
                return response
            last = Unanswered(f"{method} {path} -> {response.status_code}: {response.text[:300]}")
        assert last is not None
        raise last

    async def call(
        self, service: str, method: str, path: str, token: str, *, within: float = 60.0, **kw: Any
    ) -> httpx.Response:
        """Retry :meth:`once` until an answer below 500, for at most ``within`` seconds.
        Only for idempotent calls (reads, or writes the caller makes safe to repeat)."""
        deadline = time.monotonic() + within
        while True:
            try:
                return await self.once(service, method, path, token, **kw)
            except (httpx.TransportError, Unanswered) as exc:
                if time.monotonic() > deadline:
                    raise Unanswered(f"{service} {method} {path}: {exc!r}") from exc
                await asyncio.sleep(0.3)

    async def json(self, service: str, path: str, token: str = DIRECTOR, **params: Any) -> Any:
        response = await self.call(service, "GET", path, token, params=params)
        response.raise_for_status()
        return response.json()

    async def every(
        self, service: str, path: str, token: str = DIRECTOR, **params: Any
    ) -> list[dict[str, Any]]:
        """Every item of a paginated list."""
        items: list[dict[str, Any]] = []
        while True:
            page = await self.json(service, path, token, **params, offset=len(items), limit=100)
            items.extend(page["items"])
            if not page["items"] or len(items) >= page["total"]:
                return items
