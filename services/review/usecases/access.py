"""Who may act on which official account (#12), for the use cases.

A route's ``require(...)`` checked that the actor holds the role on *some* account; the
use case checks it on the account of what it touches, before anything changes, so a
reviewer of one account cannot decide for another. (``shared.http.authorize`` does the
same for routes; a use case stays free of HTTP and raises a domain error instead.)
"""

from __future__ import annotations

from collections.abc import Iterable

from services.review.errors import AccountForbidden
from shared.settings import Principal, Role

__all__ = ["require_on", "require_on_all"]


def require_on(actor: Principal, account: str, *roles: Role) -> None:
    """:class:`AccountForbidden` unless ``actor`` holds one of ``roles`` (or admin) on
    ``account``."""
    if not actor.may(account, frozenset(roles)):
        needed = ", ".join(sorted({*roles, Role.ADMIN}))
        raise AccountForbidden(
            f"{actor.subject} holds none of the roles {needed} on account {account!r}",
            errors=[{"field": "account", "message": f"no {needed} role on {account!r}"}],
        )


def require_on_all(actor: Principal, accounts: Iterable[str], *roles: Role) -> None:
    """:func:`require_on` for each of ``accounts`` (what holds for the whole deployment)."""
    for account in accounts:
        require_on(actor, account, *roles)
