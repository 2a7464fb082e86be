"""HTTP routes of the gateway: the console's pages (one module each under ``pages/``)
and the forwarding API (``/api/<service>/...``). Routes are thin: who is asking, CSRF,
call a use case or a service, render.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.gateway.forward import build_forward_router
from services.gateway.pages import page_modules
from services.gateway.web.console import Console

__all__ = ["build_routers"]


def build_routers(console: Console) -> tuple[APIRouter, ...]:
    """The forwarding API and every page's router; the navigation from the pages' ``NAV``."""
    modules = page_modules()
    console.nav = sorted(
        (m.NAV for m in modules if getattr(m, "NAV", None) is not None), key=lambda n: n.order
    )
    return (build_forward_router(console), *(m.build(console) for m in modules))
