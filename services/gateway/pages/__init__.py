"""The console's pages, one module each, found by :func:`page_modules`.

A page module has ``NAV`` (a :class:`~services.gateway.web.console.NavItem`, or ``None``
for pages outside the navigation) and ``build(console) -> APIRouter`` whose router uses
``route_class=ConsoleRoute``. Adding a page is adding a module here and its templates
under ``templates/``; no central list to edit.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

__all__ = ["page_modules"]


def page_modules() -> list[ModuleType]:
    """Every page module of this package, by name."""
    return [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)
        if not info.name.startswith("_")
    ]
