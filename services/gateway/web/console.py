"""What every console route is given (:class:`Console`), who is asking (:class:`Visit`),
rendering pages, and the route class that turns errors into pages.

Security on every page: a live session or a redirect to the sign-in page; every change
(POST/PUT/PATCH/DELETE) carries the session's CSRF token (a form field ``csrf`` or the
``X-CSRF-Token`` header) or is refused with 403; pages are sent with a strict Content
Security Policy (no inline script, nothing from another origin) and ``no-store``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, select_autoescape

from services.gateway.deps import GatewayDeps
from services.gateway.domain.accounts import ALL_ACCOUNTS, AccountChoice, account_choice
from services.gateway.domain.people import ROLE_LABELS, Person
from services.gateway.domain.sessions import SessionRecord, csrf_matches
from services.gateway.domain.today import AccountRules
from services.gateway.errors import (
    PROBLEMS,
    CsrfRefused,
    GatewayError,
    InvalidInput,
    NotAllowed,
    NotSignedIn,
)
from services.gateway.upstream import Answer, Services
from services.gateway.web.forms import Form, read_form
from services.gateway.web.i18n import DEFAULT_LANG, LANGS, translations
from services.gateway.web.timefmt import local_time, span_text
from shared.accounts import DEFAULT_ACCOUNT
from shared.calendar.slots import SlotCalendar
from shared.events import CATEGORY_LABELS, Category
from shared.http import ProblemError
from shared.settings import Principal, Role

__all__ = [
    "COOKIE",
    "ServiceRefused",
    "Console",
    "ConsoleRoute",
    "NavItem",
    "Visit",
    "lang_of",
]

COOKIE = "contentops_session"
LANG_COOKIE = "contentops_lang"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class ServiceRefused(Exception):
    """A service answered a console call with an error: the page shows its problem."""

    def __init__(self, answer: Answer) -> None:
        problem = answer.problem
        super().__init__(str(problem.get("detail") or problem.get("title") or answer.status))
        self.answer = answer


@dataclass(frozen=True)
class NavItem:
    """An entry of the navigation: shown to people holding one of ``roles``."""

    key: str
    path: str
    label: str  # an English message id, translated when shown
    roles: frozenset[Role]
    order: int


@dataclass(frozen=True)
class Visit:
    """A signed-in person's request: session, person, language, and the official account
    they work in (``choice``; #12)."""

    session: SessionRecord
    person: Person
    lang: str
    choice: AccountChoice

    @property
    def principal(self) -> Principal:
        return self.person.principal

    @property
    def account(self) -> str | None:
        """The ``account`` lists read with and creates send (``None``: leave it out, as
        with one account, or all accounts together)."""
        return self.choice.param

    def may(self, *roles: Role) -> bool:
        """Holds one of ``roles`` on some account (what the navigation shows)."""
        return self.person.may(*roles)

    def may_on(self, account: str | None, *roles: Role) -> bool:
        """Holds one of ``roles`` on ``account`` (a resource's; missing: the default)."""
        return self.person.may_on(account or DEFAULT_ACCOUNT, *roles)

    def may_here(self, *roles: Role) -> bool:
        """Holds one of ``roles`` on the current account (``all``: on one of them)."""
        if self.choice.current is None:
            return any(self.person.may_on(a, *roles) for a in self.choice.readable)
        return self.person.may_on(self.choice.current, *roles)

    def creating_account(self) -> str | None:
        """The account a new resource goes to: the current one. With all accounts chosen
        there is none: :class:`InvalidInput` naming ``account``."""
        if self.choice.several and self.choice.current is None:
            raise InvalidInput({"account": "choose one account to create in"})
        return self.choice.param


_CATEGORY_EN = {
    "industry": "Industry news",
    "management": "Management",
    "hr": "HR management",
    "finance": "Finance",
    "services": "Our integrated services",
}


def category_label(value: str, lang: str) -> str:
    if lang == "zh-CN":
        return CATEGORY_LABELS.get(value, value)
    return _CATEGORY_EN.get(value, value)


def lang_of(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE, DEFAULT_LANG)
    return chosen if chosen in LANGS else DEFAULT_LANG


@dataclass
class Console:
    """The console's shared parts: use-case deps, services, templates, navigation."""

    deps: GatewayDeps
    services: Services
    zone: ZoneInfo
    calendar: SlotCalendar
    cookie_secure: bool
    nav: list[NavItem] = field(default_factory=list)
    env: Environment = field(init=False)
    route_class: type[ConsoleRoute] = field(init=False)

    def __post_init__(self) -> None:
        self.route_class = type("BoundConsoleRoute", (ConsoleRoute,), {"console": self})
        self.env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True, default_for_string=True),
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # templates ship with the code: no stat() per render
        )

    # -- the official accounts (#12) ----------------------------------------------------
    def calendar_of(self, account: str | None) -> SlotCalendar:
        """The slot calendar of ``account`` (``None``: the host's, for all accounts)."""
        if account is None or account not in self.deps.accounts:
            return self.calendar
        return self.deps.accounts.calendar(account, self.calendar.holiday_policy)

    def account_rules(self) -> dict[str, AccountRules]:
        """Every account's calendar and review deadline (Today's drafts due)."""
        return {
            account: AccountRules(self.calendar_of(account), spec.review_deadline)
            for account, spec in self.deps.accounts.items()
        }

    # -- who is asking ----------------------------------------------------------------
    async def visit(self, request: Request) -> Visit:
        """The signed-in person, or :class:`NotSignedIn`; changes need the CSRF token."""
        from services.gateway.usecases import current_session

        found = await current_session(request.cookies.get(COOKIE), deps=self.deps)
        if found is None:
            raise NotSignedIn()
        session, person = found
        request.state.principal = person.principal
        choice = account_choice(self.deps.accounts, person, session.account)
        return Visit(session=session, person=person, lang=lang_of(request), choice=choice)

    @staticmethod
    def check_csrf(visit: Visit, request: Request, form_token: str | None = None) -> None:
        """Refuse a change without the session's CSRF token (form field or header)."""
        given = form_token or request.headers.get("x-csrf-token")
        if not csrf_matches(visit.session.csrf, given):
            raise CsrfRefused()

    async def change_form(self, request: Request) -> tuple[Visit, Form]:
        """The signed-in person and their form, once its CSRF token is checked (403 if not).

        The token is checked before any field: a body that is not a form has no token.
        """
        visit = await self.visit(request)
        try:
            form = await read_form(request)
        except InvalidInput:
            form = Form({})
        self.check_csrf(visit, request, form.get("csrf"))
        if not form.fields:
            form = await read_form(request)  # a header token, but no form: say why
        return visit, form

    # -- calling the services ---------------------------------------------------------
    async def data(self, visit: Visit, service: str, path: str, **params: Any) -> Any:
        """The JSON a service answers to GET ``path`` as the person; :class:`ServiceRefused`."""
        answer = await self.services.get(visit.person, service, path, **params)
        if not answer.ok:
            raise ServiceRefused(answer)
        return answer.data

    async def send(
        self, visit: Visit, service: str, method: str, path: str, body: Any = None
    ) -> Answer:
        """A change sent to a service as the person (the caller looks at the answer)."""
        return await self.services.call(visit.person, service, method, path, json=body)

    # -- rendering --------------------------------------------------------------------
    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any],
        *,
        visit: Visit | None = None,
        status: int = 200,
        page: str = "",
    ) -> HTMLResponse:
        lang = visit.lang if visit else lang_of(request)
        catalogue = translations(lang)
        zone = self.zone
        base: dict[str, Any] = {
            "_": catalogue.gettext,
            "ngettext": catalogue.ngettext,
            "lang": lang,
            "langs": LANGS,
            "visit": visit,
            "csrf": visit.session.csrf if visit else "",
            "nav": self.nav_for(visit),
            "page": page,
            "path": request.url.path,
            "here": _here(request),
            "role_labels": {str(k): v for k, v in ROLE_LABELS.items()},
            "local_time": lambda value: local_time(value, zone, lang),
            "span": lambda seconds: span_text(seconds, lang),
            "category_label": lambda value: category_label(value, lang),
            "categories": [str(c) for c in Category],
            "accounts": visit.choice if visit else None,
            "account_label": (
                (lambda value: visit.choice.label(value, lang))
                if visit
                else (lambda value: str(value or ""))
            ),
            "all_accounts": ALL_ACCOUNTS,
            "account_title": _account_title(visit, catalogue.gettext),
        }
        html = self.env.get_template(template).render({**base, **context})
        return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)

    def nav_for(self, visit: Visit | None) -> Sequence[NavItem]:
        if visit is None:
            return []
        return [item for item in self.nav if visit.may(*item.roles)]

    def error_page(
        self, request: Request, status: int, title: str, detail: str, visit: Visit | None = None
    ) -> HTMLResponse:
        return self.render(
            request,
            "error.html",
            {"status": status, "title": title, "detail": detail},
            visit=visit,
            status=status,
        )


def _account_title(visit: Visit | None, gettext: Callable[[str], str]) -> str:
    """`` · 融智人才`` after a list's title with several accounts (all: `` · 全部账号``)."""
    if visit is None or not visit.choice.several:
        return ""
    current = visit.choice.current
    name = visit.choice.label(current, visit.lang) if current else gettext("All accounts")
    return f" · {name}"


def _here(request: Request) -> str:
    """Where the account switch comes back to: this page (a form's answer: Today)."""
    if request.method not in SAFE_METHODS:
        return "/today"
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def sign_in_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/signin?next={quote(target, safe='')}", status_code=303)


class ConsoleRoute(APIRoute):
    """A page route: no session -> the sign-in page; a refused change -> an error page.

    Page modules use ``console.route_class`` (this class bound to the console); page
    render times are measured by the route's name.
    """

    console: Console

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        name = self.name
        route = self

        async def page(request: Request) -> Response:
            console = type(route).console
            started = time.perf_counter()
            try:
                return await handler(request)
            except NotSignedIn:
                if request.method in SAFE_METHODS:
                    return sign_in_redirect(request)
                return console.error_page(request, 401, "Not signed in", "Sign in first.")
            except ServiceRefused as exc:
                refused = exc.answer.problem
                return console.error_page(
                    request,
                    exc.answer.status,
                    str(refused.get("title", "Refused")),
                    str(refused.get("detail", "")),
                )
            except CsrfRefused as exc:
                return console.error_page(request, 403, "Refused", str(exc))
            except InvalidInput as exc:
                return console.error_page(request, 422, "Invalid input", str(exc))
            except GatewayError as exc:
                spec = next(
                    (PROBLEMS[k] for k in type(exc).__mro__ if k in PROBLEMS),
                    PROBLEMS[NotAllowed],
                )
                return console.error_page(request, spec.status, spec.title, str(exc))
            except ProblemError as exc:
                problem = exc.problem
                return console.error_page(request, problem.status, problem.title, problem.detail)
            finally:
                console.deps.metrics.page_seconds.labels(name).observe(
                    time.perf_counter() - started
                )

        return page
