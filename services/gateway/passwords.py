"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106's second choice)."""

from __future__ import annotations

from typing import Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["Argon2Passwords", "Passwords"]


class Passwords(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class Argon2Passwords:
    """``Passwords`` with argon2id; ``verify`` never raises on a wrong password."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        # A hash to verify against when the user does not exist, so that a missing
        # user takes as long to refuse as a wrong password (no user-name probing).
        self.decoy = self._hasher.hash("decoy-password-never-used")

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)
