"""The console's own assets (CSS, JS, vendored libraries), served from ``static/``.

Nothing comes from a CDN: the console works on an intranet.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.responses import FileResponse, Response

__all__ = ["static_response"]

STATIC = Path(__file__).resolve().parent.parent / "static"
_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".txt": "text/plain; charset=utf-8",
}


def static_response(name: str) -> Response:
    """The asset ``name`` under ``static/``; 404 outside it or for an unknown type."""
    path = (STATIC / name).resolve()
    if STATIC not in path.parents or not path.is_file() or path.suffix not in _TYPES:
        return Response("not found", status_code=404, media_type="text/plain")
    return FileResponse(
        path,
        media_type=_TYPES[path.suffix],
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
