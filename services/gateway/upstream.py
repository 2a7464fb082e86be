"""Calls to the five services' HTTP APIs, as the signed-in person (a person token each).

The console never decides what a person may do by itself: every call carries the
person's token and the service answers 403 if the role is missing.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.gateway.domain.people import Person
from services.gateway.errors import UpstreamUnavailable
from services.gateway.metrics import GatewayMetrics
from services.gateway.person_tokens import PersonTokenSigner

__all__ = ["Answer", "Services"]


@dataclass(frozen=True)
class Answer:
    """A service's answer: status, content type, body (parsed when JSON)."""

    status: int
    content_type: str
    content: bytes
    data: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def problem(self) -> dict[str, Any]:
        """The problem document of a failed call (or a generic one)."""
        if isinstance(self.data, dict):
            return self.data
        return {"title": f"HTTP {self.status}", "status": self.status, "detail": ""}


class Services:
    """The five services, by name, called with person tokens."""

    def __init__(
        self,
        urls: Mapping[str, str],
        signer: PersonTokenSigner,
        *,
        metrics: GatewayMetrics,
        timeout: float = 10.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.urls = {name: url.rstrip("/") for name, url in urls.items()}
        self.signer = signer
        self.metrics = metrics
        self.client = client or httpx.AsyncClient(timeout=timeout, follow_redirects=False)

    def knows(self, service: str) -> bool:
        return service in self.urls

    async def call(
        self,
        person: Person,
        service: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        content: bytes | None = None,
        content_type: str | None = None,
    ) -> Answer:
        """Call ``service`` as ``person``; :class:`UpstreamUnavailable` if it cannot answer."""
        base = self.urls.get(service)
        if base is None:
            raise UpstreamUnavailable(f"no service named {service!r}")
        headers = {"Authorization": f"Bearer {self.signer.sign(person, service)}"}
        if content_type:
            headers["Content-Type"] = content_type
        clean = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        started = time.perf_counter()
        try:
            response = await self.client.request(
                method, f"{base}{path}", params=clean, json=json, content=content, headers=headers
            )
        except httpx.HTTPError as exc:
            self.metrics.upstream_seconds.labels(service, "error").observe(
                time.perf_counter() - started
            )
            raise UpstreamUnavailable(f"the {service} service did not answer ({exc!r})") from exc
        self.metrics.upstream_seconds.labels(service, f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        kind = response.headers.get("content-type", "")
        data = None
        if "json" in kind:
            try:
                data = response.json()
            except ValueError:
                data = None
        return Answer(
            status=response.status_code,
            content_type=kind,
            content=response.content,
            data=data,
            headers={
                k: v
                for k, v in response.headers.items()
                if k.lower() in ("content-disposition", "retry-after", "location")
            },
        )

    async def get(self, person: Person, service: str, path: str, **params: Any) -> Answer:
        return await self.call(person, service, "GET", path, params=params)

    async def close(self) -> None:
        await self.client.aclose()
