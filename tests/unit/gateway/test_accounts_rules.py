"""Official accounts in the console (#12), against in-memory fakes: the person model and
the claims of their token, the checks on accounts and roles per account, who loses their
sessions, the account a person works in (and may switch to), and Today's deadlines by the
draft's account's calendar."""

from __future__ import annotations

from datetime import UTC, datetime, time

import jwt
import pytest

from services.gateway import usecases
from services.gateway.domain.accounts import ALL_ACCOUNTS, account_choice, check_choice
from services.gateway.domain.people import (
    Person,
    check_account_roles,
    check_accounts,
    check_limits,
)
from services.gateway.domain.today import AccountRules, drafts_due
from services.gateway.errors import AccountNotFound, InvalidInput, NotAllowed
from services.gateway.pages._calendar_view import calendar_rule
from services.gateway.person_tokens import PersonTokenSigner
from shared.accounts import Accounts
from shared.calendar.slots import SlotCalendar
from shared.http import PersonTokens
from shared.settings import Principal, Role
from tests.integration.gateway.gateway_support import new_keypair
from tests.support.accounts import TWO_ACCOUNTS
from tests.unit.gateway.fakes import NOW, FakeGateway, fake_gateway

ROOT = Principal(subject="root", roles=frozenset({Role.ADMIN}))
TWO = Accounts.parse(TWO_ACCOUNTS)
ONE = Accounts()


def person(
    roles: set[Role],
    accounts: set[str] = frozenset(),  # type: ignore[assignment]
    account_roles: dict[str, frozenset[Role]] | None = None,
    username: str = "tina",
) -> Person:
    return Person(
        username=username,
        display_name=username,
        roles=frozenset(roles),
        password_hash="hash:x",
        active=True,
        created_at=NOW,
        created_by="root",
        updated_at=NOW,
        accounts=frozenset(accounts),
        account_roles=account_roles or {},
    )


# -- the person and their token ----------------------------------------------------------
def test_a_person_limited_to_an_account_holds_their_roles_there_only() -> None:
    tina = person({Role.EDITOR}, {"talent"}, {"default": frozenset({Role.REVIEWER})})
    assert tina.may_on("talent", Role.EDITOR)
    assert not tina.may_on("default", Role.EDITOR)
    assert tina.may_on("default", Role.REVIEWER)
    assert not tina.may_on("talent", Role.REVIEWER)
    assert tina.may(Role.REVIEWER)  # on some account: the navigation shows the queue
    assert tina.readable(TWO.ids) == ["default", "talent"]
    everywhere = person({Role.EDITOR})
    assert everywhere.principal.accounts is None  # empty: every account, as before
    assert everywhere.may_on("talent", Role.EDITOR)


def test_the_person_token_carries_the_accounts_and_the_roles_per_account() -> None:
    private, public = new_keypair()
    signer = PersonTokenSigner(private, issuer="contentops-gateway", seconds=120)
    verifier = PersonTokens([public], issuer="contentops-gateway", audience="drafting")
    tina = person({Role.EDITOR}, {"talent"}, {"default": frozenset({Role.REVIEWER})})
    token = signer.sign(tina, "drafting")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["accounts"] == ["talent"]
    assert claims["account_roles"] == {"default": ["reviewer"]}
    seen = verifier.verify(token)
    assert seen is not None
    assert seen.accounts == frozenset({"talent"})
    assert seen.may("talent", {Role.EDITOR})
    assert not seen.may("default", {Role.EDITOR})
    assert seen.may("default", {Role.REVIEWER})
    # A person on every account: no account claims at all (what services read as "all").
    unlimited = jwt.decode(
        signer.sign(person({Role.EDITOR}, username="erin"), "drafting"),
        options={"verify_signature": False},
    )
    assert "accounts" not in unlimited
    assert "account_roles" not in unlimited
    # A changed limit is never served from the token cache.
    widened = tina.with_changes(accounts=frozenset())
    again = jwt.decode(signer.sign(widened, "drafting"), options={"verify_signature": False})
    assert "accounts" not in again


# -- the checks -------------------------------------------------------------------------
def test_only_accounts_of_the_deployment_and_person_roles_on_them_are_accepted() -> None:
    assert check_accounts(["talent", " "], TWO) == (frozenset({"talent"}), None)
    assert check_accounts(["nope"], TWO)[1] == "unknown accounts: nope"
    roles, why = check_account_roles(["talent:editor", "talent:reviewer"], TWO)
    assert why is None
    assert roles == {"talent": frozenset({Role.EDITOR, Role.REVIEWER})}
    for bad in ("talent:admin", "talent:system", "nope:editor", "talent"):
        assert check_account_roles([bad], TWO)[1] is not None, bad
    assert check_limits(frozenset({Role.ADMIN}), frozenset({"talent"})) is not None
    assert check_limits(frozenset({Role.EDITOR}), frozenset({"talent"})) is None


async def test_an_admin_adds_people_limited_to_accounts_and_each_bad_field_is_named() -> None:
    gateway = fake_gateway(accounts=TWO)
    create = usecases.PersonCreate
    tina = await usecases.create_person(
        create("tina", "Tina", [], "Talent-secret-0001", [], ["talent:editor"]),
        deps=gateway.deps,
        actor=ROOT,
    )
    assert tina.roles == frozenset()
    assert tina.account_roles == {"talent": frozenset({Role.EDITOR})}
    stored = await gateway.deps.people.get("tina")
    assert stored is not None
    assert stored.account_roles == {"talent": frozenset({Role.EDITOR})}
    with pytest.raises(InvalidInput) as refused:
        await usecases.create_person(
            create("ann", "Ann", ["editor"], "Editor-secret-0001", ["elsewhere"], ["x:editor"]),
            deps=gateway.deps,
            actor=ROOT,
        )
    assert set(refused.value.problems) == {"accounts", "account_roles"}
    with pytest.raises(InvalidInput) as no_role:
        await usecases.create_person(
            create("ann", "Ann", [], "Editor-secret-0001", ["talent"]),
            deps=gateway.deps,
            actor=ROOT,
        )
    assert set(no_role.value.problems) == {"roles"}
    with pytest.raises(InvalidInput) as limited_admin:
        await usecases.create_person(
            create("boss", "Boss", ["admin"], "Admin-secret-00001", ["talent"]),
            deps=gateway.deps,
            actor=ROOT,
        )
    assert set(limited_admin.value.problems) == {"accounts"}
    created = [e for e in gateway.tx.audit.entries if e.action == "person_created"]
    assert [e.target for e in created] == ["user:tina"]
    assert created[0].details["account_roles"] == {"talent": ["editor"]}


async def signed_in(gateway: FakeGateway, username: str, password: str) -> usecases.SignedIn:
    return await usecases.sign_in(
        username, password, address="10.0.0.1", user_agent="t", deps=gateway.deps
    )


async def test_narrowing_a_persons_accounts_ends_their_sessions_widening_does_not() -> None:
    gateway = fake_gateway(accounts=TWO)
    await usecases.create_person(
        usecases.PersonCreate("erin", "Erin", ["editor"], "Editor-secret-0001"),
        deps=gateway.deps,
        actor=ROOT,
    )
    await signed_in(gateway, "erin", "Editor-secret-0001")
    await usecases.change_person(
        "erin",
        usecases.PersonChange(account_roles=["talent:reviewer"]),  # more: stays signed in
        deps=gateway.deps,
        actor=ROOT,
    )
    assert await gateway.deps.sessions.count_for("erin") == 1
    await usecases.change_person(
        "erin", usecases.PersonChange(accounts=["default"]), deps=gateway.deps, actor=ROOT
    )
    assert await gateway.deps.sessions.count_for("erin") == 0  # lost editor on talent
    erin = await gateway.deps.people.get("erin")
    assert erin is not None
    assert erin.accounts == frozenset({"default"})
    assert erin.may_on("talent", Role.REVIEWER)
    with pytest.raises(InvalidInput):  # no role left anywhere
        await usecases.change_person(
            "erin",
            usecases.PersonChange(roles=[], account_roles=[]),
            deps=gateway.deps,
            actor=ROOT,
        )


# -- the account a person works in -------------------------------------------------------
def test_a_person_works_in_the_first_account_they_read_until_they_choose() -> None:
    both = person({Role.DIRECTOR})
    first = account_choice(TWO, both, None)
    assert (first.current, first.param, first.switcher, first.column) == (
        "default",
        "default",
        True,
        False,
    )
    together = account_choice(TWO, both, ALL_ACCOUNTS)
    assert (together.current, together.param, together.column) == (None, None, True)
    assert account_choice(TWO, both, "talent").param == "talent"
    assert account_choice(TWO, both, "talent").label("talent", "zh-CN") == "融智人才"
    assert account_choice(TWO, both, "talent").label("talent", "en") == "Rongzhi Talent"
    tina = person({Role.EDITOR}, {"talent"})
    only = account_choice(TWO, tina, "default")  # no longer allowed: back to her own
    assert (only.current, only.switcher, only.may_all) == ("talent", False, False)
    assert account_choice(TWO, tina, ALL_ACCOUNTS).current == "talent"
    single = account_choice(ONE, both, None)  # one account: nothing changes, no parameter
    assert (single.current, single.param, single.several, single.column) == (
        "default",
        None,
        False,
        False,
    )


def test_a_choice_the_person_may_not_make_is_refused() -> None:
    tina = person({Role.EDITOR}, {"talent"})
    assert check_choice(TWO, tina, "talent") == "talent"
    with pytest.raises(NotAllowed):
        check_choice(TWO, tina, "default")
    with pytest.raises(NotAllowed):
        check_choice(TWO, tina, ALL_ACCOUNTS)  # she reads one account only
    with pytest.raises(AccountNotFound):
        check_choice(TWO, tina, "nope")
    assert check_choice(TWO, person({Role.DIRECTOR}), ALL_ACCOUNTS) == ALL_ACCOUNTS


async def test_the_choice_is_kept_in_the_session() -> None:
    gateway = fake_gateway(accounts=TWO)
    await usecases.create_person(
        usecases.PersonCreate("liu", "Liu", ["director"], "Direct-secret-0001"),
        deps=gateway.deps,
        actor=ROOT,
    )
    signed = await signed_in(gateway, "liu", "Direct-secret-0001")
    assert signed.session.account is None
    chosen = await usecases.choose_account(
        signed.session, signed.person, "talent", deps=gateway.deps
    )
    assert chosen == "talent"
    found = await usecases.current_session(signed.secret, deps=gateway.deps)
    assert found is not None
    assert found[0].account == "talent"


# -- Today, per account ------------------------------------------------------------------
def test_drafts_are_due_by_their_own_accounts_calendar_and_deadline() -> None:
    monday_0030 = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)  # Monday 08:30 in Shanghai
    rules = {
        account: AccountRules(TWO.calendar(account), TWO[account].review_deadline)
        for account in TWO.ids
    }
    drafts = [
        {"id": "d", "state": "editing", "account": "default"},
        {"id": "t", "state": "editing", "account": "talent"},
        {"id": "old", "state": "editing"},  # from before accounts: the default's
    ]
    fallback = SlotCalendar(weekdays=(0, 2, 4), times=("11:30",), zone="Asia/Shanghai")
    due = {
        d.draft["id"]: d
        for d in drafts_due(drafts, calendar=fallback, now=monday_0030, accounts=rules)
    }
    # default: Monday 11:30, due at 10:00 (1 h 30 min left)
    assert due["d"].slot_at == datetime(2026, 11, 23, 3, 30, tzinfo=UTC)
    assert due["d"].seconds_left == 90 * 60
    assert due["old"].deadline_at == due["d"].deadline_at
    # talent: Tuesday 08:00, due at 07:00 that day
    assert due["t"].slot_at == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    assert due["t"].deadline_at == datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    assert TWO["talent"].review_deadline == time(7, 0)


def test_the_calendar_page_says_each_accounts_own_slots() -> None:
    assert calendar_rule(TWO.calendar("talent"), "zh-CN") == "周二、周四 08:00"
    assert calendar_rule(TWO.calendar("default"), "zh-CN") == "周一、周三、周五 11:30"
    assert calendar_rule(TWO.calendar("talent"), "en") == "Tue, Thu 08:00"
