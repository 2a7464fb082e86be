"""One service process: broker, Mongo, outbox relay, background jobs and the ASGI app.

Each service's ``bootstrap.py`` builds a :class:`ServiceRuntime`, registers its
subscribers, routes and timed jobs on it, and ``__main__`` serves :meth:`asgi` with
uvicorn. Start-up order: indexes -> topology -> broker (consumers) -> relay -> jobs.
Shutdown: jobs stop, consumers stop taking messages and in-flight handlers finish
(``graceful_timeout``), the relay drains, Mongo closes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from faststream.specification import AsyncAPI
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pymongo import ASCENDING, IndexModel

from shared.clock import Clock
from shared.consume import ConsumePolicy
from shared.docs import install_docs
from shared.http import (
    CatchAll,
    Credentials,
    PersonTokens,
    install_problem_handlers,
    problem_response_of,
)
from shared.jobs import ReplicaSessions, every
from shared.limits import BodyGuard
from shared.messaging import (
    EventPublisher,
    build_broker,
    declare_topology,
    subscribe,
)
from shared.metrics import MessagingMetrics, new_registry
from shared.mongo import (
    IndexSpec,
    MongoDoc,
    adopt_default_account,
    ensure_indexes,
    make_client,
)
from shared.openapi import document_problems
from shared.outbox import OUTBOX_INDEXES, UnitOfWork
from shared.problems import ProblemMap
from shared.relay import OutboxRelay
from shared.settings import Principal, ServiceSettings
from shared.topology import PRODUCERS, Topology

__all__ = ["ServiceRuntime"]

Job = Callable[[], Awaitable[None]]
AUDIT_INDEXES = IndexSpec("audit", (IndexModel([("at", ASCENDING)], name="at"),))
REPLICA_LEASE = timedelta(seconds=6)
"""How long a replica that stops renewing its lease (every third of it) keeps its open
transactions before another replica ends them (:mod:`shared.jobs.replicas`)."""


class ServiceRuntime:
    """Everything a service process shares, wired once."""

    def __init__(
        self,
        settings: ServiceSettings,
        *,
        clock: Clock | None = None,
        indexes: Sequence[IndexSpec] = (),
        account_collections: Sequence[str] = (),
        version: str = "1.0.0",
    ) -> None:
        self.settings = settings
        self.service = settings.service_name
        self.version = version
        self.clock = clock or settings.make_clock()
        self.log = structlog.get_logger(self.service)
        self.registry = new_registry()
        self.metrics = MessagingMetrics.create(self.registry, self.service)
        self.topology = Topology(
            namespace=settings.namespace,
            delivery_limit=settings.delivery_limit,
            retry_delay_ms=settings.retry_delay_ms,
        )
        self.policy = ConsumePolicy(
            service=self.service,
            topology=self.topology,
            metrics=self.metrics,
            max_retries=settings.max_retries,
        )
        self.broker = build_broker(
            url=settings.rabbit_url,
            registry=self.registry,
            policy=self.policy,
            graceful_timeout=settings.shutdown_grace_seconds,
        )
        self.publisher = EventPublisher(self.broker, self.topology, PRODUCERS.get(self.service, ()))
        self.mongo = make_client(settings.mongo_url, app_name=self.service)
        self.db = self.mongo[settings.database]
        self.relay = OutboxRelay(
            self.db,
            self._publish_outbox_document,
            metrics=self.metrics,
            poll_seconds=settings.outbox_poll_seconds,
        )
        # a transaction this replica leaves open when killed is ended by another replica
        self.replicas = ReplicaSessions(self.mongo, self.db, lease=REPLICA_LEASE)
        self.uow = UnitOfWork(
            self.mongo, self.db, on_commit=self.relay.wake, on_session=self.replicas.track
        )
        self._indexes: list[IndexSpec] = [*OUTBOX_INDEXES, AUDIT_INDEXES, *indexes]
        # collections whose documents carry an account (#12): those written before
        # accounts become the default account's at start-up, before anything reads them
        self._account_collections: list[str] = list(account_collections)
        self._jobs: list[tuple[str, Job]] = []
        self._on_stop: list[Job] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._started = False
        self.credentials = Credentials(
            settings.api_tokens,
            PersonTokens(
                settings.person_token_keys,
                issuer=settings.person_token_issuer,
                audience=settings.person_token_audience,
            )
            if settings.person_token_keys
            else None,
        )

    # -- registration ------------------------------------------------------------------
    def subscriber(self, event: str) -> Callable[[Callable[..., Any]], Any]:
        """Decorator: consume ``event`` on this service's queue for it."""

        def register(handler: Callable[..., Any]) -> Any:
            return subscribe(
                self.broker, self.policy, event, handler, prefetch=self.settings.prefetch
            )

        return register

    def adopts_default_account(self, *collections: str) -> None:
        """At start-up, before consumers, jobs and routes, give documents of
        ``collections`` written before accounts (#12) the account ``default``
        (:func:`shared.mongo.adopt_default_account`: once per collection)."""
        self._account_collections.extend(collections)

    def job(self, name: str, loop: Job) -> None:
        """Run ``loop`` in the background while the service runs (it must loop itself)."""
        self._jobs.append((name, loop))

    def on_stop(self, hook: Job) -> None:
        """Run ``hook`` at shutdown, after jobs and consumers stopped, before Mongo closes.

        Hooks run in reverse order of registration (like ``contextlib.ExitStack``), so a
        resource opened later is closed first. A failing hook is logged, not raised.
        """
        self._on_stop.append(hook)

    def tokens(self) -> Mapping[str, Principal]:
        """The bearer tokens accepted: static ``API_TOKENS`` and the gateway's person tokens."""
        return self.credentials

    # -- lifecycle ---------------------------------------------------------------------
    async def start(self) -> None:
        await ensure_indexes(self.db, self._indexes)
        await adopt_default_account(self.db, self._account_collections)
        await self.broker.connect()
        await declare_topology(self.broker, self.topology, self.service)
        await self.broker.start()
        self._tasks.append(asyncio.create_task(self.relay.run(), name="outbox-relay"))
        await self.replicas.beat()
        beat = REPLICA_LEASE.total_seconds() / 3
        lease = self._guard("replica-lease", lambda: every(beat, self.replicas.beat))
        self._tasks.append(asyncio.create_task(lease, name="replica-lease"))
        for name, loop in self._jobs:
            self._tasks.append(asyncio.create_task(self._guard(name, loop), name=name))
        self._started = True
        self.log.info("service_started", database=self.settings.database)

    async def _guard(self, name: str, loop: Job) -> None:
        """Keep a background job alive: log and restart it after an unexpected error."""
        while True:
            try:
                await loop()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.log.error("job_crashed", job=name, error=repr(exc))
                await asyncio.sleep(1.0)

    async def stop(self) -> None:
        if not self._started:
            await self.mongo.close()
            return
        self._started = False
        for task in self._tasks[1:]:
            task.cancel()
        await self.broker.stop()  # waits for in-flight handlers (graceful_timeout)
        await self.relay.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        for hook in reversed(self._on_stop):
            try:
                await hook()
            except Exception as exc:
                self.log.error("stop_hook_failed", hook=repr(hook), error=repr(exc))
        with contextlib.suppress(Exception):  # else its lease runs out: nothing is left open
            await self.replicas.leave()
        await self.mongo.close()
        self.log.info("service_stopped")

    async def readiness(self) -> dict[str, bool]:
        """Whether the broker and Mongo answer now."""
        mongo_ok = False
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.mongo.admin.command("ping"), timeout=2.0)
            mongo_ok = True
        broker_ok = False
        with contextlib.suppress(Exception):
            broker_ok = bool(await self.broker.ping(timeout=2.0))
        return {"broker": broker_ok, "mongo": mongo_ok}

    async def _publish_outbox_document(self, doc: MongoDoc) -> None:
        await self.publisher.publish_json(
            event_type=doc["event_type"],
            body=doc["body"].encode(),
            event_id=doc["_id"],
            correlation_id=doc["correlation_id"],
            headers=doc.get("headers") or {},
        )

    # -- HTTP --------------------------------------------------------------------------
    def asgi(
        self,
        *routers: APIRouter,
        title: str,
        description: str = "",
        problems: ProblemMap | None = None,
    ) -> FastAPI:
        """The service's one ASGI app: its API, health, readiness, metrics, AsyncAPI.

        :meth:`shared.service.Service.app` builds it and adds ``app.state.service``, the one
        state key (its ``runtime`` and ``deps``).
        """

        @asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncIterator[None]:
            await self.start()
            try:
                yield
            finally:
                await self.stop()

        app = FastAPI(
            title=title,
            description=description,
            version=self.version,
            lifespan=lifespan,
            docs_url=None,  # /docs and /asyncapi come from shared.docs: no CDN (#16)
            redoc_url=None,
        )
        install_problem_handlers(app, problems)
        body_limit = self.settings.http_max_body_bytes

        def api_routes() -> list[APIRoute]:  # the app's own, then the service's routers'
            own = [r for r in app.routes if isinstance(r, APIRoute)]
            return own + [r for router in routers for r in router.routes if isinstance(r, APIRoute)]

        document_problems(app, api_routes, problems, body_limit=body_limit)
        # Outermost last: CatchAll sees every error; BodyGuard runs before any body is read.
        app.add_middleware(
            BodyGuard, routes=api_routes, default_limit=body_limit, respond=problem_response_of
        )
        app.add_middleware(CatchAll, service=self.service)
        spec = AsyncAPI(
            self.broker, title=f"{title} events", version=self.version, description=description
        )

        @app.get("/health", tags=["ops"], summary="Liveness: the process answers")
        async def health() -> dict[str, str]:
            return {"status": "ok", "service": self.service}

        @app.get("/ready", tags=["ops"], summary="Readiness: broker and Mongo reachable")
        async def ready() -> JSONResponse:
            checks = await self.readiness()
            ok = all(checks.values())
            return JSONResponse(
                {"status": "ready" if ok else "unavailable", "checks": checks},
                status_code=200 if ok else 503,
            )

        @app.get("/asyncapi.json", tags=["ops"], summary="AsyncAPI document of the events")
        async def asyncapi_json() -> JSONResponse:
            return JSONResponse(spec.to_specification().to_jsonable())

        install_docs(app, title=title, asyncapi=lambda: spec.to_specification().to_jsonable())

        for router in routers:
            app.include_router(router)

        @app.get(
            "/metrics",
            tags=["ops"],
            summary="Prometheus metrics",
            response_class=PlainTextResponse,  # documented as text/plain, as it is sent
            responses={
                200: {"description": "The Prometheus text exposition format (version 1.0.0)."}
            },
        )
        async def metrics() -> Response:
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

        return app
