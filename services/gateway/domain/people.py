"""People who sign in to the console, and the rules on their names, roles and passwords."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from shared.settings import Role

__all__ = [
    "PERSON_ROLES",
    "ROLE_LABELS",
    "Person",
    "check_display_name",
    "check_password",
    "check_roles",
    "check_username",
]

PERSON_ROLES: tuple[Role, ...] = (Role.EDITOR, Role.REVIEWER, Role.DIRECTOR, Role.ADMIN)
"""Roles a person may hold; ``system`` is for other systems' static tokens only.

Staff who answer enquiries hold ``editor`` (the feedback service lets editors and
reviewers reply); the operations manager who reviews holds ``reviewer``."""
ROLE_LABELS: dict[Role, str] = {
    Role.EDITOR: "Editor",
    Role.REVIEWER: "Reviewer",
    Role.DIRECTOR: "Director",
    Role.ADMIN: "Administrator",
}
_USERNAME = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")


@dataclass(frozen=True)
class Person:
    """A console user; ``password_hash`` is an argon2 hash, never the password."""

    username: str
    display_name: str
    roles: frozenset[Role]
    password_hash: str
    active: bool
    created_at: datetime
    created_by: str
    updated_at: datetime

    def may(self, *roles: Role) -> bool:
        """Whether the person holds one of ``roles`` (admin holds every one)."""
        return Role.ADMIN in self.roles or bool(self.roles & set(roles))

    def with_changes(self, **changes: object) -> Person:
        return replace(self, **changes)  # type: ignore[arg-type]


def check_username(value: str) -> str | None:
    """Why ``value`` is not a valid user name, or ``None``."""
    if not _USERNAME.fullmatch(value):
        return (
            "2-32 characters: lower-case letters, digits, '.', '_' or '-', starting with a letter"
        )
    return None


def check_display_name(value: str) -> str | None:
    stripped = value.strip()
    if not 1 <= len(stripped) <= 64 or not stripped.isprintable():
        return "1-64 printable characters"
    return None


def check_roles(values: list[str]) -> tuple[frozenset[Role], str | None]:
    """The roles named by ``values``, or why they are not person roles."""
    allowed = {str(r): r for r in PERSON_ROLES}
    unknown = [v for v in values if v not in allowed]
    if unknown:
        return frozenset(), f"unknown roles: {', '.join(sorted(unknown))}"
    if not values:
        return frozenset(), "choose at least one role"
    return frozenset(allowed[v] for v in values), None


def check_password(password: str, *, username: str, min_length: int) -> str | None:
    """Why ``password`` may not be used, or ``None``."""
    if len(password) < min_length:
        return f"at least {min_length} characters"
    if len(password) > 256:
        return "at most 256 characters"
    if len(username) >= 3 and username.lower() in password.lower():
        return "must not contain the user name"
    if len(set(password)) < 4:
        return "too simple: use more different characters"
    return None
