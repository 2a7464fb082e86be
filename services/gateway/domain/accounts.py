"""Which official accounts (公众号) a person works in, in the console (#12).

A deployment may run several accounts. A person reads those they hold a role on; the
console's header shows the current one with a switcher, and a person who reads several may
also choose all of them together (:data:`ALL_ACCOUNTS`). The choice is kept in the
server-side session; a choice that is no longer allowed (roles taken away) falls back to
the first account the person may read.

Pure: given the deployment's accounts, the person and the stored choice, it says what the
pages read and create with.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.gateway.domain.people import Person
from services.gateway.errors import AccountNotFound, NotAllowed
from shared.accounts import Accounts

__all__ = ["ALL_ACCOUNTS", "AccountChoice", "account_choice", "check_choice"]

ALL_ACCOUNTS = "*"
"""The stored choice "every account the person may read, together"."""


@dataclass(frozen=True)
class AccountChoice:
    """The accounts one person sees, and the one they work in now.

    ``current`` is an account id, or ``None`` for all readable accounts together.
    """

    accounts: Accounts
    readable: tuple[str, ...]
    current: str | None

    @property
    def several(self) -> bool:
        """The deployment runs several accounts (with one, nothing about accounts shows)."""
        return self.accounts.several

    @property
    def may_all(self) -> bool:
        """The person reads several accounts, so "all accounts" may be chosen."""
        return len(self.readable) > 1

    @property
    def switcher(self) -> bool:
        """The header offers a choice (several accounts the person may read)."""
        return self.several and self.may_all

    @property
    def param(self) -> str | None:
        """The ``account`` a list reads with and a create sends (``None``: leave it out)."""
        return self.current if self.several else None

    @property
    def column(self) -> bool:
        """Lists show which account each item belongs to (all accounts together)."""
        return self.several and self.current is None

    @property
    def value(self) -> str:
        """The switcher's selected value."""
        return self.current or ALL_ACCOUNTS

    def label(self, account: str | None, lang: str) -> str:
        """An account's display name in ``lang`` (its id if the deployment lacks it)."""
        if not account:
            return ""
        spec = self.accounts.get(account)
        return spec.label(lang) if spec is not None else account


def account_choice(accounts: Accounts, person: Person, stored: str | None) -> AccountChoice:
    """What ``person`` works in, given the session's ``stored`` choice (``None``: not
    chosen yet, the first account they may read)."""
    readable = tuple(person.readable(accounts.ids))
    if stored == ALL_ACCOUNTS and len(readable) > 1:
        return AccountChoice(accounts, readable, None)
    if stored in readable:
        return AccountChoice(accounts, readable, stored)
    return AccountChoice(accounts, readable, readable[0] if readable else None)


def check_choice(accounts: Accounts, person: Person, value: str) -> str:
    """The choice to store for ``value``: a known account the person may read, or all of
    them when they read several. :class:`AccountNotFound` / :class:`NotAllowed` if not."""
    readable = person.readable(accounts.ids)
    if value == ALL_ACCOUNTS:
        if len(readable) < 2:
            raise NotAllowed("you may read one account only: there is no 'all accounts'")
        return ALL_ACCOUNTS
    if value not in accounts:
        raise AccountNotFound(f"no account {value!r} in this deployment")
    if value not in readable:
        raise NotAllowed(f"you hold no role on the account {value!r}")
    return value
