"""The console's shell administration: a key pair the settings accept, and people added
to the real store (what ``make demo`` uses to create its demo users)."""

from __future__ import annotations

import json
import shlex

import pytest

from services.gateway.admin_cli import add_person, keypair_lines
from services.gateway.bootstrap import build_service
from services.gateway.settings import GatewaySettings
from shared.settings import ServiceSettings
from tests.integration.gateway.gateway_support import gateway_settings, new_keypair
from tests.support.services import TOKENS

pytestmark = pytest.mark.integration


def test_the_keypair_lines_configure_the_gateway_and_the_services() -> None:
    values = dict(line.split("=", 1) for line in keypair_lines())
    private = shlex.split(values["GATEWAY_SIGNING_KEY"])[0]
    public = json.loads(shlex.split(values["PERSON_TOKEN_KEYS"])[0])
    gateway = GatewaySettings(signing_key=private, api_tokens=TOKENS)  # type: ignore[arg-type]
    service = ServiceSettings(api_tokens=TOKENS, person_token_keys=public)  # type: ignore[arg-type]
    assert gateway.signing_key.get_secret_value().startswith("-----BEGIN PRIVATE KEY-----")
    assert len(service.person_token_keys) == 1


async def test_add_person_creates_a_person_once(namespace: str, mongo_url: str) -> None:
    private, _ = new_keypair()
    settings = gateway_settings(namespace, mongo_url, private)
    assert await add_person(settings, "erin", "Erin 编辑", ["editor"], "Editor-secret-0001")
    assert not await add_person(settings, "erin", "Other", ["admin"], "Another-secret-01")
    service = build_service(settings)
    try:
        person = await service.deps.people.get("erin")
        assert person is not None
        assert sorted(person.roles) == ["editor"]
    finally:
        await service.runtime.mongo.close()
