"""Accounts (#12) in the audience service: what belongs to one official account.

Branches, campaigns, followers, pushes, keyword rules, greetings, menus, clicks, the
back-fill and the reconciliations all belong to one account. A branch code (a menu
version, a follower's openid, a push's natural key) is unique within its account only,
so the store keys a thing by :func:`scoped_key`: the default account keeps the keys it
had before accounts (nothing is re-keyed), every other account's keys carry its id.
Codes, openids and push keys never hold a ``/``, so two accounts' keys cannot meet.
"""

from __future__ import annotations

from shared.accounts import DEFAULT_ACCOUNT, AccountSpec

__all__ = ["SEPARATOR", "poster_name", "scoped_key"]

SEPARATOR = "/"


def scoped_key(account: str, key: str) -> str:
    """The store's key of ``key`` in ``account`` (the default account's: ``key`` itself)."""
    return key if account == DEFAULT_ACCOUNT else f"{account}{SEPARATOR}{key}"


def poster_name(spec: AccountSpec, configured: str) -> str:
    """The account's name printed on its posters.

    The name ``ACCOUNTS`` gives it; the default account without one keeps
    ``AUDIENCE_ACCOUNT_NAME`` (``configured``), as before accounts.
    """
    if spec.name:
        return spec.name
    if spec.id == DEFAULT_ACCOUNT:
        return configured
    return spec.label()
