"""Accounts (#12) in the read model: whose fact is it, and how its entries are keyed.

* Every entry records the account of the event it came from (``event.account``; a
  ``schema_version`` 1 event belongs to ``default``).
* A fact about a resource whose account is already known (feedback or a digest of a
  post, a failure of a post already stored) belongs to that resource's account: a
  version-1 event (which knows no accounts) takes it; a version-2 event naming another
  account is :class:`AccountMismatch` (the consumer dead-letters it as poison,
  ``account_mismatch``), never filed under either.
* Entries keyed by a name an account chooses or a channel gives (a branch code, a
  follower's openid, a comment's ``source:source_id``) are keyed per account:
  :func:`scoped_key` leaves the default account's keys as they were before accounts (so
  an upgrade keeps every entry and its id) and prefixes other accounts' keys with
  ``<account>/`` (``/`` is no character of an account id, so keys of two accounts never
  meet).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.accounts import DEFAULT_ACCOUNT
from shared.events import EventEnvelope

__all__ = ["ACCOUNT_MISMATCH", "AccountMismatch", "account_of", "fact_account", "scoped_key"]

ACCOUNT_MISMATCH = "account_mismatch"
"""The dead-letter reason of an event naming another account than its resource's."""


class AccountMismatch(ValueError):
    """A version-2 event names another account than the resource it is about."""

    reason = ACCOUNT_MISMATCH

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def scoped_key(account: str, key: str) -> str:
    """The entry id of ``key`` in ``account``: the key itself for the default account."""
    return key if account == DEFAULT_ACCOUNT else f"{account}/{key}"


def account_of(entry: Mapping[str, Any] | None) -> str | None:
    """The account of a stored entry (one from before accounts: the default's)."""
    return None if entry is None else str(entry.get("account") or DEFAULT_ACCOUNT)


def fact_account(event: EventEnvelope, known: str | None, *, what: str) -> str:
    """The account a fact of ``event`` about ``what`` belongs to.

    ``known`` is the account of the resource it refers to, when stored. Raises
    :class:`AccountMismatch` for a version-2 event naming another.
    """
    if known is None or known == event.account:
        return event.account
    if event.schema_version < 2:
        return known
    raise AccountMismatch(
        f"{event.EVENT_TYPE} {event.event_id} names account {event.account!r}, "
        f"but {what} belongs to {known!r}",
    )
