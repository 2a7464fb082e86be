"""What every service's ``bootstrap.build_service(settings)`` returns.

One shape for all services (see ``services/README.md``)::

    service = build_service(settings, clock=clock)   # Service[ReviewDeps]
    service.runtime      # broker, Mongo, outbox relay, timed jobs (shared.runtime)
    service.deps         # what the use cases are given (the service's deps.py)
    app = service.app()  # the ASGI app; app.state.service is this object

``create_app(settings)`` in each bootstrap is ``build_service(settings).app()``, and
``__main__`` serves it. Tests reach the runtime and deps through ``app.state.service``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from fastapi import APIRouter, FastAPI

from shared.problems import ProblemMap, ProblemSpec
from shared.runtime import ServiceRuntime

__all__ = ["Service"]

D = TypeVar("D")


@dataclass(frozen=True)
class Service(Generic[D]):
    """A wired service process: runtime, use-case dependencies, routes, error answers."""

    runtime: ServiceRuntime
    deps: D
    routers: tuple[APIRouter, ...]
    title: str
    description: str = ""
    problems: Mapping[type[Exception], ProblemSpec] = field(default_factory=dict)

    def app(self) -> FastAPI:
        """The service's one ASGI app: its API, health, readiness, metrics and AsyncAPI."""
        problems: ProblemMap = self.problems
        app = self.runtime.asgi(
            *self.routers,
            title=self.title,
            description=self.description.strip(),
            problems=problems,
        )
        app.state.service = self
        return app
