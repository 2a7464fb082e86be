"""Every use case of the gateway: signing in and out, choosing the account to work in,
and managing people."""

from services.gateway.usecases.accounts import choose_account
from services.gateway.usecases.people import (
    PersonChange,
    PersonCreate,
    bootstrap_admin,
    change_own_password,
    change_person,
    create_person,
)
from services.gateway.usecases.signin import (
    SignedIn,
    current_session,
    sign_in,
    sign_out,
    sign_out_everywhere,
)

__all__ = [
    "PersonChange",
    "PersonCreate",
    "SignedIn",
    "bootstrap_admin",
    "change_own_password",
    "change_person",
    "choose_account",
    "create_person",
    "current_session",
    "sign_in",
    "sign_out",
    "sign_out_everywhere",
]
