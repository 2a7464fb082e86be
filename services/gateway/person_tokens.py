"""Signs the short-lived person tokens the gateway calls the services with (EdDSA JWT).

Claims: ``sub`` (user name), ``name``, ``roles``, ``iss``, ``aud`` (the service called),
``iat``, ``exp`` (at most 5 minutes later), ``jti``; for a person limited to accounts
(#12) ``accounts`` (the accounts ``roles`` hold on; absent: every account) and, for roles
on single accounts, ``account_roles`` (``{account: [roles]}``); header ``kid`` names the key
(:func:`shared.http.key_id`), so services can hold old and new public keys while the
gateway's key is rotated. Services verify them with :class:`shared.http.PersonTokens`.
"""

from __future__ import annotations

import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    PublicFormat,
    load_pem_private_key,
)

from services.gateway.domain.people import Person
from shared.http import PERSON_TOKEN_MAX_SECONDS, key_id

__all__ = ["PersonTokenSigner"]


class PersonTokenSigner:
    """Signs a token naming one person for one service; cached until near its expiry."""

    def __init__(self, private_pem: str, *, issuer: str, seconds: int) -> None:
        key = load_pem_private_key(private_pem.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the gateway's signing key must be an Ed25519 private key")
        if not 0 < seconds <= PERSON_TOKEN_MAX_SECONDS:
            raise ValueError(f"person tokens live at most {PERSON_TOKEN_MAX_SECONDS} s")
        self._key = key
        self.kid = key_id(key.public_key())
        self.issuer = issuer
        self.seconds = seconds
        self._cache: dict[tuple[object, ...], tuple[float, str]] = {}

    @property
    def public_pem(self) -> str:
        """The public key (PEM) to put into the services' ``PERSON_TOKEN_KEYS``."""
        return (
            self._key.public_key()
            .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )

    def sign(self, person: Person, audience: str) -> str:
        """A token naming ``person`` for the service ``audience``."""
        roles = tuple(sorted(person.roles))
        accounts = tuple(sorted(person.accounts))
        account_roles = tuple(
            (account, tuple(sorted(held))) for account, held in sorted(person.account_roles.items())
        )
        cache_key = (person.username, person.display_name, audience, roles, accounts, account_roles)
        now = time.time()
        cached = self._cache.get(cache_key)
        if cached is not None and cached[0] - now > self.seconds / 2:
            return cached[1]
        issued = int(now)
        claims: dict[str, object] = {
            "sub": person.username,
            "name": person.display_name,
            "roles": list(roles),
            "iss": self.issuer,
            "aud": audience,
            "iat": issued,
            "exp": issued + self.seconds,
            "jti": uuid.uuid4().hex,
        }
        if accounts:  # absent: the roles hold on every account (as before accounts)
            claims["accounts"] = list(accounts)
        if account_roles:
            claims["account_roles"] = {account: list(held) for account, held in account_roles}
        token = jwt.encode(
            claims,
            self._key,
            algorithm="EdDSA",
            headers={"kid": self.kid},
        )
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[cache_key] = (issued + self.seconds, token)
        return token
