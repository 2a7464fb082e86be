"""Run a service's ASGI app under uvicorn (``python -m services.<name>``)."""

from __future__ import annotations

import asyncio

import uvicorn
from fastapi import FastAPI

from shared.logging import configure_logging
from shared.settings import ServiceSettings

__all__ = ["serve"]


def serve(app: FastAPI, settings: ServiceSettings) -> None:
    """Serve until SIGTERM/SIGINT; shutdown lets in-flight messages finish."""
    configure_logging(settings.service_name, level=settings.log_level, fmt=settings.log_format)
    try:
        import uvloop

        loop = "uvloop"
        _ = uvloop
    except ImportError:  # pragma: no cover - uvloop is absent on Windows
        loop = "asyncio"
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        loop=loop,
        log_level=settings.log_level.lower(),
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds) + 5,
        lifespan="on",
    )
    asyncio.run(uvicorn.Server(config).serve())
