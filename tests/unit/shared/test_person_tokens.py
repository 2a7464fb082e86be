"""Person tokens (#13): what a service accepts from the gateway, and what it refuses."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Annotated, Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)
from fastapi import Depends, FastAPI
from pydantic import ValidationError

from shared.http import Credentials, PersonTokens, install_problem_handlers, key_id, require
from shared.settings import Principal, Role, ServiceSettings

ISSUER = "contentops-gateway"
AUDIENCE = "drafting"
KEY = Ed25519PrivateKey.generate()
OTHER_KEY = Ed25519PrivateKey.generate()


def public_pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": "erin",
        "name": "Erin 编辑",
        "roles": ["editor"],
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 120,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def sign(payload: dict[str, Any], key: Ed25519PrivateKey = KEY, kid: str | None = "auto") -> str:
    headers = {"kid": key_id(key.public_key())} if kid == "auto" else {}
    return jwt.encode(payload, key, algorithm="EdDSA", headers=headers)


def verifier(*keys: Ed25519PrivateKey) -> PersonTokens:
    return PersonTokens([public_pem(k) for k in keys or (KEY,)], issuer=ISSUER, audience=AUDIENCE)


def test_a_valid_person_token_names_the_person_and_roles() -> None:
    principal = verifier().verify(sign(claims(roles=["editor", "reviewer"])))
    assert principal == Principal(
        subject="erin",
        roles=frozenset({Role.EDITOR, Role.REVIEWER}),
        name="Erin 编辑",
        person=True,
    )


def test_a_token_without_kid_is_tried_against_every_key() -> None:
    principal = verifier(OTHER_KEY, KEY).verify(sign(claims(), kid=None))
    assert principal is not None
    assert principal.subject == "erin"


def test_rotation_accepts_old_and_new_keys() -> None:
    both = verifier(KEY, OTHER_KEY)
    assert both.verify(sign(claims(), KEY)) is not None
    assert both.verify(sign(claims(), OTHER_KEY)) is not None


def test_an_expired_token_is_refused() -> None:
    past = int(time.time()) - 600
    assert verifier().verify(sign(claims(iat=past, exp=past + 60))) is None


def test_a_token_signed_by_another_key_is_refused() -> None:
    assert verifier().verify(sign(claims(), OTHER_KEY)) is None
    assert verifier().verify(sign(claims(), OTHER_KEY, kid=None)) is None


def test_a_token_for_another_service_is_refused() -> None:
    assert verifier().verify(sign(claims(aud="review"))) is None


def test_a_token_from_another_issuer_is_refused() -> None:
    assert verifier().verify(sign(claims(iss="someone-else"))) is None


@pytest.mark.parametrize("missing", ["sub", "iat", "exp", "aud", "iss"])
def test_a_token_missing_a_claim_is_refused(missing: str) -> None:
    assert verifier().verify(sign(claims(**{missing: None}))) is None


def test_a_token_living_longer_than_five_minutes_is_refused() -> None:
    now = int(time.time())
    assert verifier().verify(sign(claims(iat=now, exp=now + 301))) is None
    assert verifier().verify(sign(claims(iat=now, exp=now + 300))) is not None


def test_tampered_roles_break_the_signature() -> None:
    header, payload, signature = sign(claims()).split(".")
    body = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    body["roles"] = ["admin"]
    forged = base64.urlsafe_b64encode(json.dumps(body).encode()).rstrip(b"=").decode()
    assert verifier().verify(f"{header}.{forged}.{signature}") is None


def test_alg_none_is_refused() -> None:
    unsigned = jwt.encode(claims(roles=["admin"]), key="", algorithm="none")
    assert verifier().verify(unsigned) is None


def test_hs256_signed_with_the_public_key_is_refused() -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=").decode()

    mac = hmac.new(public_pem(KEY).encode(), f"{header}.{body}".encode(), hashlib.sha256)
    signature = base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()
    assert verifier().verify(f"{header}.{body}.{signature}") is None


@pytest.mark.parametrize("roles", [["system"], ["editor", "root"], "editor", []])
def test_system_or_unknown_roles_are_refused(roles: Any) -> None:
    principal = verifier().verify(sign(claims(roles=roles)))
    assert principal is None or (roles == [] and principal.roles == frozenset())


def test_garbage_is_not_a_person_token() -> None:
    for token in ["", "a.b.c", "not-a-jwt", "x" * 2000]:
        assert verifier().verify(token) is None


def test_without_keys_no_person_token_is_accepted() -> None:
    none = PersonTokens([], issuer=ISSUER, audience=AUDIENCE)
    assert none.verify(sign(claims())) is None


def test_settings_refuse_a_private_key_among_the_public_keys() -> None:
    private = KEY.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    tokens = {"static-token-00000000001": {"subject": "crm", "roles": ["system"]}}
    with pytest.raises(ValidationError, match="public keys only"):
        ServiceSettings(api_tokens=tokens, person_token_keys=[private])
    settings = ServiceSettings(api_tokens=tokens, person_token_keys=[public_pem(KEY)])
    assert settings.person_token_audience == "service"


STATIC = {"static-token-00000000001": Principal(subject="crm", roles=frozenset({Role.SYSTEM}))}
CREDENTIALS = Credentials(STATIC, verifier())
EDITOR_ONLY = require(lambda: CREDENTIALS, Role.EDITOR)


async def who(actor: Annotated[Principal, Depends(EDITOR_ONLY)]) -> str:
    return actor.subject


async def test_a_route_accepts_static_and_person_tokens_beside_each_other() -> None:
    app = FastAPI()
    install_problem_handlers(app)
    app.get("/who")(who)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:

        async def status(token: str) -> tuple[int, object]:
            answer = await client.get("/who", headers={"Authorization": f"Bearer {token}"})
            return answer.status_code, answer.json()

        assert await status(sign(claims())) == (200, "erin")
        assert (await status(sign(claims(roles=["reviewer"]))))[0] == 403
        assert (await status("a.b.c"))[0] == 401
        assert (await status("static-token-00000000001"))[0] == 403  # system is not an editor
    assert list(CREDENTIALS) == ["static-token-00000000001"]  # person tokens are not listed
