"""The API docs (Swagger UI) and the event docs (AsyncAPI viewer), served offline.

Every asset the two pages load ships in this package (``assets/``, versions and licences
in ``README.md`` beside it) and is served by the service itself under
:data:`ASSETS_PATH`, so ``/docs`` and ``/asyncapi`` work on an intranet or behind a
firewall: the HTML names no CDN and no other host. :func:`install_docs` adds both pages
and the assets to an app built with ``FastAPI(docs_url=None, redoc_url=None)``.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = [
    "ASSETS_DIR",
    "ASSETS_PATH",
    "ASYNCAPI_REACT_VERSION",
    "SWAGGER_UI_VERSION",
    "asyncapi_html",
    "install_docs",
    "swagger_ui_html",
]

SWAGGER_UI_VERSION = "5.35.0"  # npm swagger-ui-dist
ASYNCAPI_REACT_VERSION = "3.2.1"  # npm @asyncapi/react-component
ASSETS_DIR = Path(__file__).resolve().parent / "assets"
ASSETS_PATH = "/_assets"

SWAGGER_JS = "swagger-ui/swagger-ui-bundle.js"
SWAGGER_CSS = "swagger-ui/swagger-ui.css"
FAVICON = "swagger-ui/favicon-32x32.png"
ASYNCAPI_JS = "asyncapi/standalone.js"
ASYNCAPI_CSS = "asyncapi/default.min.css"

# What the AsyncAPI viewer shows: faststream's defaults, without its "try it" plugin
# (loaded from a CDN, and it needs an endpoint the services do not serve).
ASYNCAPI_CONFIG: dict[str, Any] = {
    "show": {
        "sidebar": True,
        "info": True,
        "servers": True,
        "operations": True,
        "messages": True,
        "schemas": True,
        "errors": True,
    },
    "expand": {"messageExamples": True},
    "sidebar": {"showServers": "byDefault", "showOperations": "byDefault"},
}


def _script_json(value: Any) -> str:
    """JSON that is safe inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def swagger_ui_html(*, title: str, openapi_url: str, assets_url: str = ASSETS_PATH) -> str:
    """Swagger UI's page for ``openapi_url``, loading only the shipped assets."""
    response = get_swagger_ui_html(
        openapi_url=openapi_url,
        title=f"{title} - Swagger UI",
        swagger_js_url=f"{assets_url}/{SWAGGER_JS}",
        swagger_css_url=f"{assets_url}/{SWAGGER_CSS}",
        swagger_favicon_url=f"{assets_url}/{FAVICON}",
        # No badge image from validator.swagger.io (Swagger UI's default off localhost).
        swagger_ui_parameters={"validatorUrl": None},
    )
    page = bytes(response.body).decode()
    return page.replace("<html>", '<html lang="zh-CN">', 1)


def asyncapi_html(*, title: str, schema: dict[str, Any], assets_url: str = ASSETS_PATH) -> str:
    """The AsyncAPI viewer's page with ``schema`` inlined, loading only the shipped assets."""
    render = {"schema": schema, "config": ASYNCAPI_CONFIG}
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(title)} - AsyncAPI</title>
<link rel="icon" type="image/png" href="{assets_url}/{FAVICON}">
<link rel="stylesheet" href="{assets_url}/{ASYNCAPI_CSS}">
<style>
html {{
  font-family: ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans",
    "PingFang SC", "Microsoft YaHei", sans-serif;
  line-height: 1.5;
}}
</style>
</head>
<body>
<div id="asyncapi"></div>
<script src="{assets_url}/{ASYNCAPI_JS}"></script>
<script>
window.AsyncApiStandalone.render({_script_json(render)}, document.getElementById("asyncapi"));
</script>
</body>
</html>
"""


def install_docs(app: FastAPI, *, title: str, asyncapi: Callable[[], dict[str, Any]]) -> None:
    """Serve the assets at :data:`ASSETS_PATH`, Swagger UI at ``/docs`` and the AsyncAPI
    viewer at ``/asyncapi`` (the document ``asyncapi()`` returns, inlined).

    The app must be built with ``docs_url=None`` (and ``redoc_url=None``: ReDoc would load
    from a CDN). URLs honour the ASGI ``root_path`` (a service behind a path prefix).
    """
    if app.docs_url is not None or app.redoc_url is not None:
        raise ValueError("build the app with docs_url=None and redoc_url=None")
    app.mount(ASSETS_PATH, StaticFiles(directory=ASSETS_DIR), name="docs-assets")

    def prefix(request: Request) -> str:
        return str(request.scope.get("root_path", "")).rstrip("/")

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = prefix(request)
        return HTMLResponse(
            swagger_ui_html(
                title=title,
                openapi_url=f"{root}{app.openapi_url or '/openapi.json'}",
                assets_url=f"{root}{ASSETS_PATH}",
            )
        )

    @app.get(
        "/asyncapi",
        tags=["ops"],
        summary="AsyncAPI docs (HTML)",
        response_class=HTMLResponse,
    )
    async def asyncapi_page(request: Request) -> HTMLResponse:
        return HTMLResponse(
            asyncapi_html(
                title=f"{title} events",
                schema=asyncapi(),
                assets_url=f"{prefix(request)}{ASSETS_PATH}",
            )
        )
