"""The calls the calendar, posts, feedback, documents and reports pages make, typed.

Each call goes through :class:`~services.gateway.upstream.Services` as the signed-in
person (a person token), so the services decide what the person may do. A read the
service refuses becomes :class:`UpstreamRefused` (a ``ProblemError``: the console's route
shows it as an error page with the service's status, title and detail); a change hands
its :class:`~services.gateway.upstream.Answer` back, so the page can show a refusal
beside the form that caused it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from services.gateway.domain.people import Person
from services.gateway.upstream import Answer, Services
from shared.http import ProblemError

__all__ = ["PAGE_LIMIT", "Reads", "UpstreamRefused", "problem_of"]

PAGE_LIMIT = 200
"""The services' largest page."""


class UpstreamRefused(ProblemError):
    """A service refused a read the page needs (its problem is shown)."""

    def __init__(self, service: str, answer: Answer) -> None:
        problem = answer.problem
        super().__init__(
            answer.status,
            str(problem.get("title") or f"HTTP {answer.status}"),
            str(problem.get("detail") or f"the {service} service refused"),
            errors=_errors(problem),
        )


def _errors(problem: Mapping[str, Any]) -> list[dict[str, Any]]:
    errors = problem.get("errors")
    return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


def problem_of(answer: Answer) -> dict[str, Any]:
    """What a refused change shows beside its form: status, title, detail, fields."""
    problem = answer.problem
    return {
        "status": answer.status,
        "title": str(problem.get("title") or f"HTTP {answer.status}"),
        "detail": str(problem.get("detail") or ""),
        "errors": _errors(problem),
    }


def _segment(value: str) -> str:
    return quote(value, safe="")


@dataclass(frozen=True)
class Reads:
    """The five services as one person sees them, in the official account they work in
    (``account``: every list reads ``?account=``; ``None``: all they may read, #12)."""

    services: Services
    person: Person
    account: str | None = None

    async def _json(self, service: str, path: str, **params: Any) -> Any:
        answer = await self.services.get(self.person, service, path, **params)
        if not answer.ok:
            raise UpstreamRefused(service, answer)
        return answer.data

    async def _change(self, service: str, path: str, body: Any = None) -> Answer:
        return await self.services.call(self.person, service, "POST", path, json=body)

    # -- publisher ---------------------------------------------------------------------
    async def slots(self, start: datetime, days: int) -> list[dict[str, Any]]:
        """Every slot from ``start`` for ``days`` days, with its posts (all pages)."""
        found: list[dict[str, Any]] = []
        while True:
            page = await self._json(
                "publisher",
                "/slots",
                account=self.account,
                start=start.isoformat(),
                days=days,
                offset=len(found),
                limit=PAGE_LIMIT,
            )
            found.extend(page["items"])
            if not page["items"] or len(found) >= page["total"]:
                return found

    async def posts(
        self, states: list[str] | None = None, *, offset: int = 0, limit: int = 50
    ) -> dict[str, Any]:
        return dict(
            await self._json(
                "publisher",
                "/posts",
                account=self.account,
                state=states or None,
                offset=offset,
                limit=limit,
            )
        )

    async def post(self, post_id: str) -> dict[str, Any]:
        return dict(await self._json("publisher", f"/posts/{_segment(post_id)}"))

    async def calendar_hold(self) -> dict[str, Any]:
        return dict(await self._json("publisher", "/calendar", account=self.account))

    async def post_command(self, post_id: str, command: str, body: Any = None) -> Answer:
        """``reschedule``, ``pause``, ``resume``, ``cancel`` or ``resolve`` a post."""
        return await self._change("publisher", f"/posts/{_segment(post_id)}/{command}", body)

    # -- feedback ----------------------------------------------------------------------
    async def windows(
        self, *, state: str | None = None, offset: int = 0, limit: int = 50
    ) -> dict[str, Any]:
        return dict(
            await self._json(
                "feedback",
                "/windows",
                account=self.account,
                state=state,
                offset=offset,
                limit=limit,
            )
        )

    async def window(self, post_id: str) -> dict[str, Any]:
        return dict(await self._json("feedback", f"/windows/{_segment(post_id)}"))

    async def feedback(
        self, post_id: str, *, kind: str | None = None, limit: int = 50
    ) -> dict[str, Any]:
        """The post's feedback items (newest first as the service keeps them), and total."""
        return dict(
            await self._json("feedback", "/feedback", post_id=post_id, kind=kind, limit=limit)
        )

    async def enquiries(self, **filters: Any) -> dict[str, Any]:
        return dict(
            await self._json("feedback", "/enquiries", **{"account": self.account, **filters})
        )

    async def reply(self, enquiry_id: str, text: str) -> Answer:
        return await self._change(
            "feedback", f"/enquiries/{quote(enquiry_id, safe=':')}/reply", {"text": text}
        )

    async def preview(self, texts: list[str]) -> Answer:
        """The feedback service's analysis of ``texts`` (groups, stances; nothing stored)."""
        return await self._change("feedback", "/analysis/preview", {"texts": texts})

    async def document(self, post_id: str, fmt: str) -> Answer:
        """The core-issues document of a post as ``md``, ``html`` or ``docx``."""
        return await self.services.get(
            self.person, "feedback", f"/windows/{_segment(post_id)}/document.{fmt}"
        )

    # -- reporting ---------------------------------------------------------------------
    async def reports(
        self, *, kind: str | None = None, offset: int = 0, limit: int = 20
    ) -> dict[str, Any]:
        return dict(
            await self._json(
                "reporting",
                "/reports",
                account=self.account,
                kind=kind,
                offset=offset,
                limit=limit,
            )
        )

    async def report(self, report_id: str) -> dict[str, Any]:
        return dict(await self._json("reporting", f"/reports/{_segment(report_id)}"))

    async def report_file(self, report_id: str, fmt: str, lang: str) -> Answer:
        """The report as ``xlsx``, ``docx`` or ``html`` in ``lang`` (zh-CN or en)."""
        return await self.services.get(
            self.person, "reporting", f"/reports/{_segment(report_id)}.{fmt}", lang=lang
        )
