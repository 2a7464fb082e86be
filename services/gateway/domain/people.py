"""People who sign in to the console, and the rules on their names, roles, accounts and
passwords.

A person's ``roles`` hold on every account of the deployment, or only on ``accounts``
when that is not empty (#12); ``account_roles`` adds roles on single accounts (an editor of
``talent`` who reviews for ``default``). The person token the gateway signs carries both,
so every service enforces them (:class:`shared.settings.Principal`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from shared.accounts import Accounts
from shared.settings import Principal, Role

__all__ = [
    "ACCOUNT_ROLES",
    "PERSON_ROLES",
    "ROLE_LABELS",
    "Person",
    "check_account_roles",
    "check_accounts",
    "check_limits",
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
ACCOUNT_ROLES: tuple[Role, ...] = (Role.EDITOR, Role.REVIEWER, Role.DIRECTOR)
"""Roles a person may hold on a single account; ``admin`` manages people of every account,
so it is never limited to one."""
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
    accounts: frozenset[str] = frozenset()
    """The accounts ``roles`` hold on; empty: every account."""
    account_roles: Mapping[str, frozenset[Role]] = field(default_factory=dict)
    """Further roles on single accounts."""

    @property
    def principal(self) -> Principal:
        """This person as the services see them (the claims of their person token)."""
        return Principal(
            subject=self.username,
            roles=self.roles,
            name=self.display_name,
            person=True,
            accounts=self.accounts or None,
            account_roles=dict(self.account_roles),
        )

    def may(self, *roles: Role) -> bool:
        """Whether the person holds one of ``roles`` on some account (admin holds every one)."""
        return bool(self.principal.all_roles & ({*roles, Role.ADMIN}))

    def may_on(self, account: str, *roles: Role) -> bool:
        """Whether the person holds one of ``roles`` (or admin) on ``account``."""
        return self.principal.may(account, frozenset(roles))

    def readable(self, accounts: Iterable[str]) -> list[str]:
        """Of ``accounts``, those the person holds any role on, in order."""
        return self.principal.readable(list(accounts))

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


def check_roles(
    values: list[str], *, on_accounts: bool = False
) -> tuple[frozenset[Role], str | None]:
    """The roles named by ``values``, or why they are not person roles.

    None at all is allowed only to a person who holds roles on single accounts
    (``on_accounts``)."""
    allowed = {str(r): r for r in PERSON_ROLES}
    unknown = [v for v in values if v not in allowed]
    if unknown:
        return frozenset(), f"unknown roles: {', '.join(sorted(unknown))}"
    if not values and not on_accounts:
        return frozenset(), "choose at least one role (here or on an account)"
    return frozenset(allowed[v] for v in values), None


def check_limits(roles: frozenset[Role], accounts: frozenset[str]) -> str | None:
    """Why ``roles`` may not be limited to ``accounts``, or ``None``: an administrator
    manages people of every account, and could lift their own limit anyway."""
    if accounts and Role.ADMIN in roles:
        return "an administrator holds every account: leave the accounts empty"
    return None


def check_accounts(values: Iterable[str], known: Accounts) -> tuple[frozenset[str], str | None]:
    """The accounts named by ``values`` (empty: every account), or why some are unknown."""
    chosen = {v.strip() for v in values if v.strip()}
    unknown = sorted(chosen - set(known.ids))
    if unknown:
        return frozenset(), f"unknown accounts: {', '.join(unknown)}"
    return frozenset(chosen), None


def check_account_roles(
    values: Iterable[str], known: Accounts
) -> tuple[dict[str, frozenset[Role]], str | None]:
    """Roles on single accounts from ``account:role`` values, or why some are not valid."""
    allowed = {str(r): r for r in ACCOUNT_ROLES}
    found: dict[str, set[Role]] = {}
    bad: list[str] = []
    for value in values:
        account, sep, role = value.strip().partition(":")
        if not sep or account not in known or role not in allowed:
            bad.append(value.strip())
            continue
        found.setdefault(account, set()).add(allowed[role])
    if bad:
        roles = "/".join(allowed)
        return {}, f"not account:role ({roles}) of this deployment: {', '.join(sorted(bad))}"
    return {account: frozenset(held) for account, held in found.items()}, None


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
