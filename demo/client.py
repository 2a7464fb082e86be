"""A thin httpx client of the five services' HTTP APIs, with one token per role.

Tokens come from the environment (``TOKEN_EDITOR``, ``TOKEN_EDITOR2``, ``TOKEN_REVIEWER``,
``TOKEN_DIRECTOR``, ``TOKEN_SYSTEM``) or, when absent there, from ``var/local.env`` (written
by ``deploy/local/run.sh``). Base URLs follow the services' ports (``<SERVICE>_HTTP_PORT``,
defaults 8101-8105). A client acts for one official account (``account``, #12).
"""

from __future__ import annotations

import asyncio
import os
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import httpx

__all__ = [
    "SERVICE_PORTS",
    "ApiClient",
    "ApiError",
    "Role",
    "Tokens",
    "parse_instant",
    "service_urls",
]


def parse_instant(value: str) -> datetime:
    """A timestamp of the services' answers (ISO 8601, ``Z`` or an offset) as an aware datetime."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


SERVICE_PORTS = {
    "drafting": 8101,
    "review": 8102,
    "publisher": 8103,
    "feedback": 8104,
    "reporting": 8105,
    "audience": 8107,
}
LOCAL_ENV = Path("var/local.env")
Role = Literal["editor", "editor2", "reviewer", "director", "system"]
_ROLES: tuple[Role, ...] = ("editor", "editor2", "reviewer", "director", "system")


class ApiError(RuntimeError):
    """A service answered with an error status."""

    def __init__(self, status: int, method: str, url: str, body: str) -> None:
        super().__init__(f"{method} {url} -> {status}: {body[:500]}")
        self.status = status
        self.body = body


def _read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` assignments of a shell env file, read as the shell reads them: a quoted
    value may span lines (the gateway's PEM keys do)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for word in shlex.split(path.read_text(encoding="utf-8"), comments=True):
        name, sep, value = word.partition("=")
        if sep and name.strip():
            values[name.strip()] = value
    return values


@dataclass(frozen=True)
class Tokens:
    """API tokens by role."""

    by_role: Mapping[str, str]

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, local_env: Path = LOCAL_ENV) -> Tokens:
        env = os.environ if env is None else env
        file_values = _read_env_file(local_env)
        tokens: dict[str, str] = {}
        for role in _ROLES:
            name = f"TOKEN_{role.upper()}"
            value = env.get(name) or file_values.get(name)
            if not value:
                raise ValueError(f"no API token for {role}: set {name} or create {local_env}")
            tokens[role] = value
        return cls(tokens)

    def headers(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.by_role[role]}"}


def service_urls(env: Mapping[str, str] | None = None, host: str = "127.0.0.1") -> dict[str, str]:
    """Base URL of each service, from ``<SERVICE>_HTTP_PORT`` or the defaults."""
    env = os.environ if env is None else env
    return {
        name: f"http://{host}:{env.get(f'{name.upper()}_HTTP_PORT') or port}"
        for name, port in SERVICE_PORTS.items()
    }


class ApiClient:
    """Calls the services' routes the scenario needs; errors raise :class:`ApiError`.

    It acts for one official account (#12): every list reads ``?account=`` and every
    create names it, so the default account's timeline never counts the second
    account's drafts or posts. :meth:`for_account` gives a client of another account
    sharing the connection pool.
    """

    def __init__(
        self,
        urls: Mapping[str, str],
        tokens: Tokens,
        *,
        timeout: float = 30.0,
        account: str = "default",
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.urls = dict(urls)
        self.account = account
        self._tokens = tokens
        self._http = http or httpx.AsyncClient(timeout=timeout)
        self._owns_http = http is None

    def for_account(self, account: str) -> ApiClient:
        """The same services and tokens, acting for ``account``."""
        return ApiClient(self.urls, self._tokens, account=account, http=self._http)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def _call(
        self,
        service: str,
        method: str,
        path: str,
        role: Role,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        allow_404: bool = False,
    ) -> httpx.Response | None:
        url = self.urls[service] + path
        for attempt in range(3):
            try:
                response = await self._http.request(
                    method, url, json=json, params=params, headers=self._tokens.headers(role)
                )
                break
            except httpx.TransportError:  # a busy or restarting service: try again
                if attempt == 2 or method not in ("GET", "HEAD"):
                    raise
                await asyncio.sleep(0.5)
        if allow_404 and response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise ApiError(response.status_code, method, url, response.text)
        return response

    async def _json(self, service: str, method: str, path: str, role: Role, **kw: Any) -> Any:
        response = await self._call(service, method, path, role, **kw)
        assert response is not None
        return response.json()

    async def _all(
        self, service: str, path: str, role: Role, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page = await self._json(
                service,
                "GET",
                path,
                role,
                params={
                    **(params or {}),
                    "account": self.account,
                    "offset": len(items),
                    "limit": 100,
                },
            )
            items.extend(page["items"])
            if not page["items"] or len(items) >= page["total"]:
                return items

    async def _total(
        self, service: str, path: str, role: Role, params: Mapping[str, Any] | None = None
    ) -> int:
        page = await self._json(
            service,
            "GET",
            path,
            role,
            params={**(params or {}), "account": self.account, "limit": 1},
        )
        return int(page["total"])

    async def ready(self, service: str) -> bool:
        try:
            response = await self._http.get(self.urls[service] + "/ready", timeout=2.0)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    # -- drafting ------------------------------------------------------------------------
    async def create_material(self, role: Role, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._json(
            "drafting", "POST", "/materials", role, json={**body, "account": self.account}
        )
        return result

    async def create_draft(self, role: Role, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._json(
            "drafting", "POST", "/drafts", role, json={**body, "account": self.account}
        )
        return result

    async def update_draft(self, role: Role, draft_id: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._json(
            "drafting", "PATCH", f"/drafts/{draft_id}", role, json=body
        )
        return result

    async def submit_draft(self, role: Role, draft_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._json(
            "drafting", "POST", f"/drafts/{draft_id}/submit", role
        )
        return result

    async def count_drafts(self, state: str | None = None) -> int:
        params = {"state": state} if state else {}
        return await self._total("drafting", "/drafts", "director", params)

    # -- review --------------------------------------------------------------------------
    async def reviews(self, state: str = "pending") -> list[dict[str, Any]]:
        return await self._all("review", "/reviews", "reviewer", {"state": state})

    async def count_reviews(self, state: str) -> int:
        return await self._total("review", "/reviews", "reviewer", {"state": state})

    async def review(self, review_id: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._json(
            "review", "GET", f"/reviews/{review_id}", "reviewer"
        )
        return result

    async def approve(self, review_id: str, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._json(
            "review", "POST", f"/reviews/{review_id}/approve", "reviewer", json=body
        )
        return result

    async def reject(self, review_id: str, comments: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._json(
            "review",
            "POST",
            f"/reviews/{review_id}/reject",
            "reviewer",
            json={"comments": comments},
        )
        return result

    # -- publisher -----------------------------------------------------------------------
    async def posts(self, state: str | None = None) -> list[dict[str, Any]]:
        return await self._all(
            "publisher", "/posts", "director", {"state": state} if state else None
        )

    # -- feedback ------------------------------------------------------------------------
    async def window(self, post_id: str) -> dict[str, Any] | None:
        response = await self._call(
            "feedback", "GET", f"/windows/{post_id}", "director", allow_404=True
        )
        return None if response is None else dict(response.json())

    async def windows(self) -> list[dict[str, Any]]:
        return await self._all("feedback", "/windows", "director")

    async def enquiry(self, enquiry_id: str) -> dict[str, Any] | None:
        response = await self._call(
            "feedback", "GET", f"/enquiries/{enquiry_id}", "director", allow_404=True
        )
        return None if response is None else dict(response.json())

    async def enquiries(self, **filters: Any) -> list[dict[str, Any]]:
        return await self._all("feedback", "/enquiries", "director", filters)

    async def reply(self, role: Role, enquiry_id: str, text: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._json(
            "feedback", "POST", f"/enquiries/{enquiry_id}/reply", role, json={"text": text}
        )
        return result

    async def count_feedback(self, **filters: Any) -> int:
        return await self._total("feedback", "/feedback", "director", filters)

    async def document(self, post_id: str, fmt: str) -> bytes:
        response = await self._call(
            "feedback", "GET", f"/windows/{post_id}/document.{fmt}", "director"
        )
        assert response is not None
        return response.content

    # -- reporting -----------------------------------------------------------------------
    async def reports(self, kind: str | None = None) -> list[dict[str, Any]]:
        return await self._all(
            "reporting", "/reports", "director", {"kind": kind} if kind else None
        )

    async def report_file(self, report_id: str, fmt: str) -> bytes:
        response = await self._call("reporting", "GET", f"/reports/{report_id}.{fmt}", "director")
        assert response is not None
        return response.content

    async def followers_summary(self, start: str, end: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._json(
            "reporting",
            "GET",
            "/followers/summary",
            "director",
            params={"account": self.account, "from": start, "to": end},
        )
        return result

    # -- audience ------------------------------------------------------------------------
    async def create_branch(self, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._json(
            "audience", "POST", "/branches", "director", json={**body, "account": self.account}
        )
        return result

    async def branch_poster(self, code: str, fmt: str) -> bytes:
        response = await self._call(
            "audience", "GET", f"/branches/{code}/poster.{fmt}", "director",
            params={"account": self.account},
        )  # fmt: skip
        assert response is not None
        return response.content

    async def create_rule(self, body: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await self._json(
            "audience", "POST", "/rules", "editor", json={**body, "account": self.account}
        )
        return result

    async def request_report(self, start: str, end: str) -> dict[str, Any]:
        result: dict[str, Any] = await self._json(
            "reporting",
            "POST",
            "/reports",
            "director",
            json={"start": start, "end": end, "account": self.account},
        )
        return result
