"""Choosing the official account a person works in (#12): kept in their session."""

from __future__ import annotations

from services.gateway.deps import GatewayDeps
from services.gateway.domain.accounts import check_choice
from services.gateway.domain.people import Person
from services.gateway.domain.sessions import SessionRecord
from services.gateway.errors import NotSignedIn

__all__ = ["choose_account"]


async def choose_account(
    session: SessionRecord, person: Person, value: str, *, deps: GatewayDeps
) -> str:
    """Work in the account ``value`` (``*``: all the person reads) from now on, in this
    browser. Refused (404/403) for an account the deployment lacks or the person may not
    read; the stored choice."""
    choice = check_choice(deps.accounts, person, value)
    if not await deps.sessions.set_account(session.id, choice):
        raise NotSignedIn()
    return choice
