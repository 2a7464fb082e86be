"""The console's shell administration: a key pair the settings accept, and people added
to the real store (what ``make demo`` uses to create its demo users), limited to official
accounts of the deployment (#12)."""

from __future__ import annotations

import json
import shlex

import pytest

from services.gateway.admin_cli import _add_person_args, _split, add_person, keypair_lines
from services.gateway.bootstrap import build_service
from services.gateway.errors import InvalidInput
from services.gateway.settings import GatewaySettings
from shared.settings import Role, ServiceSettings
from tests.integration.gateway.gateway_support import gateway_settings, new_keypair
from tests.support.accounts import TWO_ACCOUNTS
from tests.support.services import TOKENS

pytestmark = pytest.mark.integration


def test_the_keypair_lines_configure_the_gateway_and_the_services() -> None:
    values = dict(line.split("=", 1) for line in keypair_lines())
    private = shlex.split(values["GATEWAY_SIGNING_KEY"])[0]
    public = json.loads(shlex.split(values["PERSON_TOKEN_KEYS"])[0])
    gateway = GatewaySettings(signing_key=private, api_tokens=TOKENS)
    service = ServiceSettings(api_tokens=TOKENS, person_token_keys=public)
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


async def test_add_person_limits_roles_to_accounts_of_the_deployment(
    namespace: str, mongo_url: str
) -> None:
    private, _ = new_keypair()
    settings = gateway_settings(namespace, mongo_url, private, accounts_json=TWO_ACCOUNTS)
    assert await add_person(
        settings,
        "tina",
        "Tina",
        ["editor"],
        "Editor-secret-0001",
        accounts=["talent"],
        account_roles=["default:reviewer"],
    )
    with pytest.raises(InvalidInput) as refused:
        await add_person(
            settings, "otto", "Otto", ["editor"], "Editor-secret-0001", accounts=["elsewhere"]
        )
    assert "accounts" in refused.value.problems
    service = build_service(settings)
    try:
        tina = await service.deps.people.get("tina")
        assert tina is not None
        assert tina.accounts == frozenset({"talent"})
        assert tina.account_roles == {"default": frozenset({Role.REVIEWER})}
        assert await service.deps.people.get("otto") is None
    finally:
        await service.runtime.mongo.close()


def test_the_command_line_takes_accounts_and_roles_per_account() -> None:
    args = _add_person_args(
        [
            "tina",
            "Tina",
            "",
            "Editor-secret-0001",
            "--accounts",
            "talent, default",
            "--account-role",
            "talent:editor",
            "--account-role",
            "default:reviewer",
        ]
    )
    assert args is not None
    assert _split(args.roles) == []
    assert _split(args.accounts) == ["talent", "default"]
    assert args.account_roles == ["talent:editor", "default:reviewer"]
    assert _add_person_args(["tina", "Tina"]) is None  # too few: the usage is printed
