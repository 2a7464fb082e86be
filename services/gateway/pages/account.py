"""Signing in and out, the language switch, the official-account switch (#12), and the
person's own account page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from services.gateway import usecases
from services.gateway.errors import InvalidInput, SignInRefused, SignInThrottled
from services.gateway.web.console import (
    COOKIE,
    LANG_COOKIE,
    SECURITY_HEADERS,
    Console,
    NavItem,
)
from services.gateway.web.forms import read_form
from services.gateway.web.i18n import LANGS

NAV: NavItem | None = None


def safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//host`` or ``https://host``): no open redirect."""
    if not target:
        return "/today"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/today"
    return target


def build(console: Console) -> APIRouter:
    router = APIRouter(route_class=console.route_class, include_in_schema=False)
    deps = console.deps

    @router.get("/")
    async def home() -> Response:
        return RedirectResponse("/today", status_code=303)

    @router.get("/signin")
    async def signin_page(request: Request, next: str | None = None) -> Response:
        return console.render(request, "signin.html", {"next": safe_next(next), "error": ""})

    @router.post("/signin")
    async def signin(request: Request) -> Response:
        form = await read_form(request)
        target = safe_next(form.get("next"))
        address = request.client.host if request.client else "unknown"
        try:
            signed = await usecases.sign_in(
                form.get("username"),
                form.get("password"),
                address=address,
                user_agent=request.headers.get("user-agent", ""),
                deps=deps,
            )
        except SignInThrottled as exc:
            page = console.render(
                request,
                "signin.html",
                {"next": target, "error": "throttled", "retry_after": exc.retry_after},
                status=429,
            )
            page.headers["Retry-After"] = str(exc.retry_after)
            return page
        except SignInRefused:
            return console.render(
                request, "signin.html", {"next": target, "error": "refused"}, status=401
            )
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            COOKIE,
            signed.secret,
            max_age=int(deps.session_rules.life.total_seconds()),
            httponly=True,
            samesite="lax",
            secure=console.cookie_secure,
            path="/",
        )
        return response

    @router.post("/signout")
    async def signout(request: Request) -> Response:
        visit, form = await console.change_form(request)
        if form.get("everywhere"):
            await usecases.sign_out_everywhere(visit.person, deps=deps)
        else:
            await usecases.sign_out(visit.session, visit.person, deps=deps)
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
        return response

    @router.get("/lang/{code}")
    async def choose_language(
        code: Annotated[str, Path(max_length=8)], next: Annotated[str | None, Query()] = None
    ) -> Response:
        """A display preference only (no state changes on the server)."""
        response = RedirectResponse(safe_next(next), status_code=303)
        if code in LANGS:
            response.set_cookie(
                LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", secure=console.cookie_secure
            )
        return response

    @router.post("/account/switch")
    async def switch_account(request: Request) -> Response:
        """Work in another official account (or all the person reads): kept in the
        session, so every page from now on reads it. A change: the CSRF token is needed."""
        visit, form = await console.change_form(request)
        await usecases.choose_account(
            visit.session, visit.person, form.get("account").strip(), deps=deps
        )
        return RedirectResponse(safe_next(form.get("next")), status_code=303)

    @router.get("/account")
    async def account(request: Request) -> Response:
        visit = await console.visit(request)
        sessions = await deps.sessions.count_for(visit.person.username)
        return console.render(
            request,
            "account.html",
            {"sessions": sessions, "message": request.query_params.get("done", "")},
            visit=visit,
            page="account",
        )

    @router.post("/account/password")
    async def change_password(request: Request) -> Response:
        visit, form = await console.change_form(request)
        try:
            await usecases.change_own_password(
                visit.person, form.get("current_password"), form.get("new_password"), deps=deps
            )
        except SignInRefused as exc:
            raise InvalidInput({"current_password": "wrong password"}) from exc
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(COOKIE, path="/")
        return response

    @router.get("/static/{name:path}")
    async def static(name: str) -> Response:
        from services.gateway.web.static import static_response

        return static_response(name)

    _ = SECURITY_HEADERS
    return router
