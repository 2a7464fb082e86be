"""Signing in and managing people, against in-memory fakes: back-off, sessions, revocation,
the last administrator, and the checks that name each bad field."""

from __future__ import annotations

import pytest

from services.gateway import usecases
from services.gateway.domain.backoff import BackoffPolicy
from services.gateway.domain.sessions import session_id_of
from services.gateway.errors import (
    InvalidInput,
    LastAdmin,
    NotAllowed,
    PersonExists,
    SignInRefused,
    SignInThrottled,
)
from services.gateway.usecases import SignedIn
from shared.settings import Principal, Role
from tests.unit.gateway.fakes import NOW, FakeGateway, fake_gateway

ROOT = Principal(subject="root", roles=frozenset({Role.ADMIN}))


async def with_people(free: int = 3) -> FakeGateway:
    gateway = fake_gateway(free=free)
    await usecases.bootstrap_admin("root", "Console-admin-0001", deps=gateway.deps)
    await usecases.create_person(
        usecases.PersonCreate("erin", "Erin", ["editor"], "Editor-secret-0001"),
        deps=gateway.deps,
        actor=ROOT,
    )
    return gateway


async def sign_in(
    gateway: FakeGateway, username: str, password: str, address: str = "10.0.0.1"
) -> SignedIn:
    return await usecases.sign_in(
        username, password, address=address, user_agent="test", deps=gateway.deps
    )


def test_backoff_doubles_after_the_free_failures_up_to_the_cap() -> None:
    policy = BackoffPolicy(free=3, base_seconds=2, cap_seconds=60)
    assert [policy.delay_after(n) for n in range(1, 10)] == [0, 0, 0, 2, 4, 8, 16, 32, 60]


async def test_a_right_password_opens_a_session_whose_cookie_is_not_stored() -> None:
    gateway = await with_people()
    signed = await sign_in(gateway, "Erin ", "Editor-secret-0001")  # case and spaces
    assert signed.person.username == "erin"
    assert signed.secret not in gateway.tx.sessions.sessions
    assert session_id_of(signed.secret) in gateway.tx.sessions.sessions
    found = await usecases.current_session(signed.secret, deps=gateway.deps)
    assert found is not None
    assert "signed_in" in gateway.tx.audit.actions()


async def test_failures_lock_the_person_even_for_the_right_password_until_the_wait_ends() -> None:
    gateway = await with_people(free=3)
    for _ in range(4):
        with pytest.raises(SignInRefused):
            await sign_in(gateway, "erin", "wrong-password-1")
    with pytest.raises(SignInThrottled) as throttled:
        await sign_in(gateway, "erin", "Editor-secret-0001")
    assert throttled.value.retry_after == 2
    gateway.later(2.5)
    assert (await sign_in(gateway, "erin", "Editor-secret-0001")).person.username == "erin"


async def test_one_address_guessing_many_names_is_throttled_too() -> None:
    gateway = await with_people(free=100)
    for n in range(21):
        with pytest.raises(SignInRefused):
            await sign_in(gateway, f"nobody{n}", "guess-password-1", address="10.6.6.6")
    with pytest.raises(SignInThrottled):
        await sign_in(gateway, "erin", "Editor-secret-0001", address="10.6.6.6")
    assert (await sign_in(gateway, "erin", "Editor-secret-0001", address="10.0.0.2")).person


async def test_unknown_people_and_deactivated_people_are_refused_alike() -> None:
    gateway = await with_people()
    await usecases.change_person(
        "erin", usecases.PersonChange(active=False), deps=gateway.deps, actor=ROOT
    )
    for username in ("erin", "nobody"):
        with pytest.raises(SignInRefused):
            await sign_in(gateway, username, "Editor-secret-0001")


async def test_idle_or_expired_sessions_end() -> None:
    gateway = await with_people()
    signed = await sign_in(gateway, "erin", "Editor-secret-0001")
    gateway.later(3 * 3600)  # idle for longer than 2 h
    assert await usecases.current_session(signed.secret, deps=gateway.deps) is None
    assert not gateway.tx.sessions.sessions


async def test_taking_a_role_away_or_deactivating_ends_every_session() -> None:
    gateway = await with_people()
    await sign_in(gateway, "erin", "Editor-secret-0001")
    await sign_in(gateway, "erin", "Editor-secret-0001", address="10.0.0.2")
    assert await gateway.tx.sessions.count_for("erin") == 2
    change = usecases.PersonChange(roles=["reviewer"])
    await usecases.change_person("erin", change, deps=gateway.deps, actor=ROOT)
    assert await gateway.tx.sessions.count_for("erin") == 0


async def test_the_last_active_admin_cannot_lose_the_role() -> None:
    gateway = await with_people()
    with pytest.raises(LastAdmin):
        await usecases.change_person(
            "root", usecases.PersonChange(active=False), deps=gateway.deps, actor=ROOT
        )
    assert gateway.tx.people.people["root"].active


async def test_only_admins_manage_people_and_every_bad_field_is_named() -> None:
    gateway = await with_people()
    editor = Principal(subject="erin", roles=frozenset({Role.EDITOR}))
    command = usecases.PersonCreate("rita", "Rita", ["reviewer"], "Review-secret-0001")
    with pytest.raises(NotAllowed):
        await usecases.create_person(command, deps=gateway.deps, actor=editor)
    bad = usecases.PersonCreate("R!", "", ["system"], "short")
    with pytest.raises(InvalidInput) as invalid:
        await usecases.create_person(bad, deps=gateway.deps, actor=ROOT)
    assert set(invalid.value.problems) == {"username", "display_name", "roles", "password"}
    with pytest.raises(PersonExists):
        await usecases.create_person(
            usecases.PersonCreate("erin", "E", ["editor"], "Another-secret-01"),
            deps=gateway.deps,
            actor=ROOT,
        )


async def test_the_first_admin_is_created_once() -> None:
    gateway = fake_gateway()
    first = await usecases.bootstrap_admin("root", "Console-admin-0001", deps=gateway.deps)
    again = await usecases.bootstrap_admin("root", "Console-admin-0002", deps=gateway.deps)
    assert first is not None
    assert again is None
    assert gateway.tx.people.people["root"].created_at == NOW
