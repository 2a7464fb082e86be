"""The one wiring place of the gateway."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI

from services.gateway import __doc__ as SERVICE_DOC
from services.gateway.api import build_routers
from services.gateway.deps import GatewayDeps
from services.gateway.domain.backoff import BackoffPolicy
from services.gateway.domain.sessions import SessionRules
from services.gateway.errors import PROBLEMS, InvalidInput
from services.gateway.metrics import GatewayMetrics
from services.gateway.passwords import Argon2Passwords
from services.gateway.person_tokens import PersonTokenSigner
from services.gateway.repository import (
    INDEXES,
    MongoAttemptRepository,
    MongoOpenedRepository,
    MongoPersonRepository,
    MongoSessionRepository,
    bind,
)
from services.gateway.settings import GatewaySettings
from services.gateway.upstream import Services
from services.gateway.usecases import bootstrap_admin
from services.gateway.web.console import Console
from shared.clock import Clock, SystemClock
from shared.outbox import BoundUnitOfWork
from shared.runtime import ServiceRuntime
from shared.service import Service

__all__ = ["build_service", "create_app"]


def build_service(
    settings: GatewaySettings, *, clock: Clock | None = None, wall: Clock | None = None
) -> Service[GatewayDeps]:
    """Wire the runtime, repositories, the services' client, the pages, the first admin."""
    runtime = ServiceRuntime(settings, clock=clock, indexes=INDEXES)
    metrics = GatewayMetrics.create(runtime.registry)
    deps = GatewayDeps(
        uow=BoundUnitOfWork(runtime.uow, bind),
        people=MongoPersonRepository(runtime.db),
        sessions=MongoSessionRepository(runtime.db),
        attempts=MongoAttemptRepository(runtime.db),
        opened=MongoOpenedRepository(runtime.db),
        passwords=Argon2Passwords(),
        clock=runtime.clock,
        wall=wall or SystemClock(),
        metrics=metrics,
        session_rules=SessionRules(
            life=timedelta(hours=settings.session_hours),
            idle=timedelta(minutes=settings.session_idle_minutes),
        ),
        user_backoff=BackoffPolicy(
            free=settings.signin_free_failures,
            base_seconds=settings.signin_base_delay_seconds,
            cap_seconds=settings.signin_max_delay_seconds,
        ),
        address_backoff=BackoffPolicy(
            free=settings.signin_address_free_failures,
            base_seconds=settings.signin_base_delay_seconds,
            cap_seconds=settings.signin_max_delay_seconds,
        ),
        password_min_length=settings.password_min_length,
        accounts=settings.accounts,
    )
    signer = PersonTokenSigner(
        settings.signing_key.get_secret_value(),
        issuer=settings.person_token_issuer,
        seconds=settings.person_token_seconds,
    )
    services = Services(
        settings.service_urls, signer, metrics=metrics, timeout=settings.service_timeout_seconds
    )
    console = Console(
        deps=deps,
        services=services,
        zone=settings.slot_calendar().tz,
        calendar=settings.slot_calendar(),
        cookie_secure=settings.cookie_secure,
    )
    runtime.on_stop(services.close)
    if settings.admin_username and settings.admin_password:
        username, password = settings.admin_username, settings.admin_password

        async def first_admin() -> None:
            try:
                created = await bootstrap_admin(username, password.get_secret_value(), deps=deps)
            except InvalidInput as exc:  # a bad setting: say so once, do not retry forever
                runtime.log.error("first_admin_refused", problems=exc.problems)
                return
            if created is not None:
                runtime.log.info("first_admin_created", username=created.username)

        runtime.job("first-admin", first_admin)
    return Service(
        runtime=runtime,
        deps=deps,
        routers=build_routers(console),
        title="Gateway (console)",
        description=SERVICE_DOC or "",
        problems=PROBLEMS,
    )


def create_app(settings: GatewaySettings, *, clock: Clock | None = None) -> FastAPI:
    """The console's ASGI app: pages, forwarding API, health, readiness, metrics."""
    return build_service(settings, clock=clock).app()
