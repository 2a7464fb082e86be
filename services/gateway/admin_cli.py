"""Console administration from a shell (for deployments and ``make demo``).

``python -m services.gateway.admin_cli keypair``
    prints a new Ed25519 key pair as two environment lines: ``GATEWAY_SIGNING_KEY`` for
    the gateway and ``PERSON_TOKEN_KEYS`` (a JSON list) for every service.
``python -m services.gateway.admin_cli add-person USERNAME "NAME" ROLE[,ROLE] PASSWORD
[--accounts ACCOUNT[,ACCOUNT]] [--account-role ACCOUNT:ROLE ...]``
    adds a person to the gateway's store (same environment as the gateway: ``MONGO_URL``,
    ``CONTENTOPS_NAMESPACE``, ``GATEWAY_SIGNING_KEY``, ``API_TOKENS``, ``ACCOUNTS``); an
    existing person is left as it is. ``--accounts`` limits the roles to those official
    accounts (#12; default: every account), each ``--account-role`` adds a role on one
    account (ROLE may then be ``""``: no role on every account). The change is audited as
    ``gateway-cli``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from services.gateway import usecases
from services.gateway.bootstrap import build_service
from services.gateway.errors import InvalidInput, PersonExists
from services.gateway.settings import GatewaySettings
from shared.settings import Principal, Role

__all__ = ["add_person", "keypair_lines"]

CLI = Principal(subject="gateway-cli", roles=frozenset({Role.ADMIN}))


def keypair_lines() -> list[str]:
    """``GATEWAY_SIGNING_KEY=…`` and ``PERSON_TOKEN_KEYS=…``, shell-quoted."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    public = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    return [
        f"GATEWAY_SIGNING_KEY={shlex.quote(private)}",
        f"PERSON_TOKEN_KEYS={shlex.quote(json.dumps([public.decode()]))}",
    ]


async def add_person(
    settings: GatewaySettings,
    username: str,
    name: str,
    roles: list[str],
    password: str,
    *,
    accounts: list[str] | None = None,
    account_roles: list[str] | None = None,
) -> bool:
    """Add the person; False if the user name is taken (``InvalidInput`` names a bad field,
    such as an account this deployment does not have)."""
    service = build_service(settings)
    try:
        command = usecases.PersonCreate(
            username, name, roles, password, list(accounts or []), list(account_roles or [])
        )
        await usecases.create_person(command, deps=service.deps, actor=CLI)
        return True
    except PersonExists:
        return False
    finally:
        await service.runtime.mongo.close()


def _add_person_args(argv: list[str]) -> argparse.Namespace | None:
    parser = argparse.ArgumentParser(prog="admin_cli add-person", add_help=False)
    parser.add_argument("username")
    parser.add_argument("name")
    parser.add_argument("roles")
    parser.add_argument("password")
    parser.add_argument("--accounts", default="")
    parser.add_argument("--account-role", action="append", default=[], dest="account_roles")
    try:
        return parser.parse_args(argv)
    except SystemExit:
        return None


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def main(argv: list[str]) -> int:
    if argv[:1] == ["keypair"]:
        print("\n".join(keypair_lines()))
        return 0
    args = _add_person_args(argv[1:]) if argv[:1] == ["add-person"] else None
    if args is not None:
        try:
            added = asyncio.run(
                add_person(
                    GatewaySettings(),
                    args.username,
                    args.name,
                    _split(args.roles),
                    args.password,
                    accounts=_split(args.accounts),
                    account_roles=list(args.account_roles),
                )
            )
        except InvalidInput as exc:
            print(f"{args.username}: refused: {exc}", file=sys.stderr)
            return 1
        print(f"{args.username}: {'added' if added else 'exists, left as it is'}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
