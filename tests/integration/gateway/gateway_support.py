"""Building the gateway for tests: a fresh signing key, its public key for the services,
demo-like people, and a client that keeps cookies and reads the CSRF token of a page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from services.gateway.bootstrap import build_service
from services.gateway.settings import GatewaySettings
from shared.service import Service
from tests.support.services import make_settings, running

ADMIN = ("root", "Console-admin-0001")
PEOPLE = {
    "erin": ("Erin 编辑", ["editor"], "Editor-secret-0001"),
    "rita": ("Rita 审核", ["reviewer"], "Review-secret-0001"),
    "liu": ("刘总监", ["director"], "Direct-secret-0001"),
}


def new_keypair() -> tuple[str, str]:
    """(private PEM for the gateway, public PEM for the services)."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    public = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    return private, public.decode()


def gateway_settings(namespace: str, mongo_url: str, private_pem: str, **extra: Any) -> Any:
    return make_settings(
        GatewaySettings,
        namespace,
        mongo_url,
        signing_key=private_pem,
        admin_username=ADMIN[0],
        admin_password=ADMIN[1],
        signin_base_delay_seconds=1.0,
        **extra,
    )


@asynccontextmanager
async def running_gateway(settings: Any) -> AsyncIterator[Service[Any]]:
    service = build_service(settings)
    async with running(service.runtime):
        for _ in range(100):  # the first admin is created by a start-up job
            if await service.deps.people.get(ADMIN[0]) is not None:
                break
            import asyncio

            await asyncio.sleep(0.05)
        yield service


def browser(app: Any, address: str = "10.0.0.1") -> httpx.AsyncClient:
    """A client with a cookie jar, as one browser at ``address``."""
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://console.test")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(
        "/signin",
        data={"username": username, "password": password, "next": "/account"},
    )
