"""Signing in (with back-off), the session of a request, signing out (here or everywhere)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from services.gateway.deps import GatewayDeps
from services.gateway.domain.people import Person
from services.gateway.domain.sessions import SessionRecord, session_id_of
from services.gateway.errors import SignInRefused, SignInThrottled
from services.gateway.ports import GatewayTx
from shared.settings import Principal

__all__ = ["SignedIn", "current_session", "sign_in", "sign_out", "sign_out_everywhere"]


@dataclass(frozen=True)
class SignedIn:
    """A new session: ``secret`` goes into the cookie, never into the store."""

    secret: str
    session: SessionRecord
    person: Person


def actor_of(person: Person) -> Principal:
    return person.principal


async def sign_in(
    username: str, password: str, *, address: str, user_agent: str, deps: GatewayDeps
) -> SignedIn:
    """Check the password unless the person or address is backing off; open a session."""
    now = deps.wall.now()
    username = username.strip().lower()
    user_key, addr_key = f"user:{username}", f"addr:{address}"
    user_record = await deps.attempts.get(user_key)
    addr_record = await deps.attempts.get(addr_key)
    wait = max(
        deps.user_backoff.wait_seconds(user_record, now),
        deps.address_backoff.wait_seconds(addr_record, now),
    )
    if wait > 0:
        deps.metrics.signins.labels("throttled").inc()
        raise SignInThrottled(wait)
    person = await deps.people.get(username) if username else None
    ok = deps.passwords.verify(
        person.password_hash if person else getattr(deps.passwords, "decoy", ""), password
    )
    if person is None or not ok or not person.active:
        await deps.attempts.put(deps.user_backoff.after_failure(user_key, user_record, now))
        await deps.attempts.put(deps.address_backoff.after_failure(addr_key, addr_record, now))
        deps.metrics.signins.labels("refused").inc()
        raise SignInRefused()
    await deps.attempts.clear(user_key)
    secret = secrets.token_urlsafe(32)
    record = SessionRecord(
        id=session_id_of(secret),
        username=person.username,
        csrf=secrets.token_urlsafe(32),
        created_at=now,
        last_seen_at=now,
        expires_at=now + deps.session_rules.life,
        address=address[:64],
        user_agent=user_agent[:200],
    )

    async def work(tx: GatewayTx) -> None:
        if deps.passwords.needs_rehash(person.password_hash):
            rehashed = person.with_changes(password_hash=deps.passwords.hash(password))
            await tx.people.replace(rehashed)
        await tx.sessions.create(record)
        await tx.audit.record(
            actor_of(person),
            "signed_in",
            f"user:{person.username}",
            at=now,
            details={"address": address},
        )

    await deps.uow.run(work)
    deps.metrics.signins.labels("ok").inc()
    return SignedIn(secret=secret, session=record, person=person)


async def current_session(
    secret: str | None, *, deps: GatewayDeps
) -> tuple[SessionRecord, Person] | None:
    """The live session whose cookie holds ``secret`` and its active person, or ``None``.

    The person is read on every request, so a role change or deactivation takes effect
    at once; a dead session is deleted.
    """
    if not secret or len(secret) > 128:
        return None
    session = await deps.sessions.get(session_id_of(secret))
    if session is None:
        return None
    now = deps.wall.now()
    if not deps.session_rules.alive(session, now):
        await deps.sessions.delete(session.id)
        return None
    person = await deps.people.get(session.username)
    if person is None or not person.active:
        await deps.sessions.delete(session.id)
        return None
    if deps.session_rules.needs_touch(session, now):
        await deps.sessions.touch(session.id, now)
    return session, person


async def sign_out(session: SessionRecord, person: Person, *, deps: GatewayDeps) -> None:
    """End this browser's session."""

    async def work(tx: GatewayTx) -> None:
        await tx.sessions.delete(session.id)
        await tx.audit.record(
            actor_of(person), "signed_out", f"user:{person.username}", at=deps.wall.now()
        )

    await deps.uow.run(work)


async def sign_out_everywhere(person: Person, *, deps: GatewayDeps) -> int:
    """End every session of ``person``; how many were ended."""

    async def work(tx: GatewayTx) -> int:
        ended = await tx.sessions.delete_for(person.username)
        await tx.audit.record(
            actor_of(person),
            "signed_out_everywhere",
            f"user:{person.username}",
            at=deps.wall.now(),
            details={"sessions": ended},
        )
        return ended

    return await deps.uow.run(work)
