"""Managing people: the first admin from settings, adding people, changing roles and the
accounts they hold them on, deactivating (which ends their sessions), resetting and
changing passwords."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.gateway.deps import GatewayDeps
from services.gateway.domain.people import (
    Person,
    check_account_roles,
    check_accounts,
    check_display_name,
    check_limits,
    check_password,
    check_roles,
    check_username,
)
from services.gateway.errors import (
    InvalidInput,
    LastAdmin,
    NotAllowed,
    PersonExists,
    PersonNotFound,
    SignInRefused,
)
from services.gateway.ports import GatewayTx
from shared.settings import Principal, Role

__all__ = [
    "PersonChange",
    "PersonCreate",
    "bootstrap_admin",
    "change_own_password",
    "change_person",
    "create_person",
]


@dataclass(frozen=True)
class PersonCreate:
    """A new person; ``accounts`` limits ``roles`` (empty: every account), ``account_roles``
    are ``account:role`` values (roles on single accounts)."""

    username: str
    display_name: str
    roles: list[str]
    password: str
    accounts: list[str] = field(default_factory=list)
    account_roles: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PersonChange:
    """What an admin changes; ``None`` leaves it as it is."""

    display_name: str | None = None
    roles: list[str] | None = None
    active: bool | None = None
    password: str | None = None
    accounts: list[str] | None = None
    account_roles: list[str] | None = None


def _lost_access(before: Person, after: Person, accounts: tuple[str, ...]) -> bool:
    """Whether ``after`` holds less than ``before`` anywhere (roles, or roles on an account)."""
    if before.roles - after.roles:
        return True
    was, now = before.principal, after.principal
    return any(was.roles_on(a) - now.roles_on(a) for a in accounts)


def _admin_only(actor: Principal) -> None:
    if Role.ADMIN not in actor.roles:
        raise NotAllowed("only an administrator manages people")


async def create_person(command: PersonCreate, *, deps: GatewayDeps, actor: Principal) -> Person:
    """Add a person (admin only); each bad field is named."""
    _admin_only(actor)
    username = command.username.strip().lower()
    problems: dict[str, str] = {}
    if why := check_username(username):
        problems["username"] = why
    if why := check_display_name(command.display_name):
        problems["display_name"] = why
    accounts, why_accounts = check_accounts(command.accounts, deps.accounts)
    if why_accounts:
        problems["accounts"] = why_accounts
    account_roles, why_account_roles = check_account_roles(command.account_roles, deps.accounts)
    if why_account_roles:
        problems["account_roles"] = why_account_roles
    roles, why_roles = check_roles(command.roles, on_accounts=bool(account_roles))
    if why_roles:
        problems["roles"] = why_roles
    elif why := check_limits(roles, accounts):
        problems["accounts"] = why
    if why := check_password(
        command.password, username=username, min_length=deps.password_min_length
    ):
        problems["password"] = why
    if problems:
        raise InvalidInput(problems)
    now = deps.wall.now()
    person = Person(
        username=username,
        display_name=command.display_name.strip(),
        roles=roles,
        password_hash=deps.passwords.hash(command.password),
        active=True,
        created_at=now,
        created_by=actor.subject,
        updated_at=now,
        accounts=accounts,
        account_roles=account_roles,
    )

    async def work(tx: GatewayTx) -> Person:
        if not await tx.people.insert(person):
            raise PersonExists(f"the user name {username!r} is taken")
        await tx.audit.record(
            actor,
            "person_created",
            f"user:{username}",
            at=now,
            details={
                "roles": sorted(roles),
                "display_name": person.display_name,
                **_account_details(person),
            },
        )
        return person

    return await deps.uow.run(work)


async def change_person(
    username: str, change: PersonChange, *, deps: GatewayDeps, actor: Principal
) -> Person:
    """Change a person's name, roles, activity or password (admin only).

    Taking roles away or deactivating ends the person's sessions; the console never
    loses its last active administrator.
    """
    _admin_only(actor)
    problems: dict[str, str] = {}
    roles: frozenset[Role] | None = None
    if change.display_name is not None and (why := check_display_name(change.display_name)):
        problems["display_name"] = why
    accounts: frozenset[str] | None = None
    if change.accounts is not None:
        accounts, why_accounts = check_accounts(change.accounts, deps.accounts)
        if why_accounts:
            problems["accounts"] = why_accounts
    account_roles: dict[str, frozenset[Role]] | None = None
    if change.account_roles is not None:
        account_roles, why_account_roles = check_account_roles(change.account_roles, deps.accounts)
        if why_account_roles:
            problems["account_roles"] = why_account_roles
    if change.roles is not None:
        # Whether roles on accounts make none here fine is checked with the person below.
        roles, why_roles = check_roles(change.roles, on_accounts=True)
        if why_roles:
            problems["roles"] = why_roles
    if change.password and (
        why := check_password(
            change.password, username=username, min_length=deps.password_min_length
        )
    ):
        problems["password"] = why
    if problems:
        raise InvalidInput(problems)
    now = deps.wall.now()
    password_hash = deps.passwords.hash(change.password) if change.password else None

    async def work(tx: GatewayTx) -> Person:
        person = await tx.people.get(username)
        if person is None:
            raise PersonNotFound(f"no person {username!r}")
        updated = person.with_changes(
            display_name=(change.display_name or person.display_name).strip(),
            roles=roles if roles is not None else person.roles,
            active=person.active if change.active is None else change.active,
            password_hash=password_hash or person.password_hash,
            updated_at=now,
            accounts=accounts if accounts is not None else person.accounts,
            account_roles=account_roles if account_roles is not None else person.account_roles,
        )
        if not updated.roles and not updated.account_roles:
            raise InvalidInput({"roles": "choose at least one role (here or on an account)"})
        if why := check_limits(updated.roles, updated.accounts):
            raise InvalidInput({"accounts": why})
        was_admin = Role.ADMIN in person.roles and person.active
        still_admin = Role.ADMIN in updated.roles and updated.active
        if was_admin and not still_admin and await tx.people.active_admins() <= 1:
            raise LastAdmin("the console needs at least one active administrator")
        await tx.people.replace(updated)
        lost_roles = _lost_access(person, updated, deps.accounts.ids)
        ended = 0
        if lost_roles or not updated.active or password_hash:
            ended = await tx.sessions.delete_for(username)
        await tx.audit.record(
            actor,
            "person_changed",
            f"user:{username}",
            at=now,
            details={
                "roles": sorted(updated.roles),
                **_account_details(updated),
                "active": updated.active,
                "password_reset": password_hash is not None,
                "sessions_ended": ended,
            },
        )
        return updated

    return await deps.uow.run(work)


async def change_own_password(
    person: Person, current: str, new: str, *, deps: GatewayDeps
) -> Person:
    """A person changes their own password; every other session of theirs ends."""
    if not deps.passwords.verify(person.password_hash, current):
        raise SignInRefused()
    if why := check_password(new, username=person.username, min_length=deps.password_min_length):
        raise InvalidInput({"new_password": why})
    now = deps.wall.now()
    updated = person.with_changes(password_hash=deps.passwords.hash(new), updated_at=now)
    actor = person.principal

    async def work(tx: GatewayTx) -> Person:
        await tx.people.replace(updated)
        await tx.sessions.delete_for(person.username)
        await tx.audit.record(actor, "password_changed", f"user:{person.username}", at=now)
        return updated

    return await deps.uow.run(work)


def _account_details(person: Person) -> dict[str, object]:
    """What the audit records of a person's accounts (empty: every account)."""
    return {
        "accounts": sorted(person.accounts),
        "account_roles": {a: sorted(held) for a, held in sorted(person.account_roles.items())},
    }


async def bootstrap_admin(username: str, password: str, *, deps: GatewayDeps) -> Person | None:
    """Create the first admin from settings unless that person exists; the new person or None."""
    if await deps.people.get(username.strip().lower()) is not None:
        return None
    system = Principal(subject="gateway-bootstrap", roles=frozenset({Role.ADMIN}))
    command = PersonCreate(
        username=username, display_name=username, roles=[str(Role.ADMIN)], password=password
    )
    try:
        return await create_person(command, deps=deps, actor=system)
    except PersonExists:
        return None  # another replica created it meanwhile
