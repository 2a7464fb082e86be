"""Several official accounts (#12): the list, the calendars, secrets, and who may act where."""

from __future__ import annotations

import json
import time
from datetime import time as clock_time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import ValidationError

from shared.accounts import DEFAULT_ACCOUNT, Accounts, UnknownAccount, account_secret
from shared.http import PersonTokens, ProblemError, account_scope, authorize, key_id
from shared.settings import Principal, Role, ServiceSettings

TWO = json.dumps(
    [
        {"id": "default", "name": "融智财税"},
        {
            "id": "talent",
            "name": "融智人才",
            "slot_weekdays": "tue,thu",
            "slot_times": "08:00",
            "review_deadline": "07:00",
            "reply_limit_hours": 6,
        },
    ]
)


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> ServiceSettings:
    monkeypatch.setenv("API_TOKENS", "{}")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return ServiceSettings()


def test_without_accounts_there_is_one_default_account_on_the_slot_calendar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    accounts = settings(monkeypatch, SLOT_TIMES="18:00").accounts

    assert accounts.ids == (DEFAULT_ACCOUNT,)
    assert not accounts.several
    calendar = accounts.calendar(DEFAULT_ACCOUNT)
    assert (calendar.weekdays, calendar.times) == ((0, 2, 4), (clock_time(18, 0),))
    assert accounts[DEFAULT_ACCOUNT].reply_limit_hours == 12
    assert accounts[DEFAULT_ACCOUNT].review_deadline == clock_time(10, 0)


def test_each_account_has_its_own_calendar_deadline_and_reply_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    accounts = settings(monkeypatch, ACCOUNTS=TWO).accounts

    assert accounts.ids == ("default", "talent")
    assert accounts.several
    assert accounts.calendar("default").weekdays == (0, 2, 4)
    talent = accounts.calendar("talent")
    assert (talent.weekdays, talent.times) == ((1, 3), (clock_time(8, 0),))
    assert accounts["talent"].review_deadline == clock_time(7, 0)
    assert accounts["talent"].reply_limit_hours == 6
    assert accounts["talent"].label() == "融智人才"
    with pytest.raises(UnknownAccount):
        accounts.require("nobody")


def test_accounts_may_come_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "accounts.json"
    path.write_text(TWO, encoding="utf-8")

    assert settings(monkeypatch, ACCOUNTS_FILE=str(path)).accounts.ids == ("default", "talent")


@pytest.mark.parametrize(
    ("listed", "named"),
    [
        ([{"id": "talent"}], "must include the account 'default'"),
        ([{"id": "default"}, {"id": "default"}], "listed twice"),
        ([{"id": "default"}, {"id": "x", "slot_weekdays": "someday"}], "not a weekday"),
        ([{"id": "default"}, {"id": "x", "slot_zone": "Mars/Olympus"}], "account 'x'"),
        ([{"id": "Default Account"}], "id"),
        ([{"id": "default", "wechat_app_secret": "s3cret"}], "wechat_app_secret"),
    ],
)
def test_a_bad_list_stops_start_up_naming_what_is_wrong(
    monkeypatch: pytest.MonkeyPatch, listed: list[dict[str, str]], named: str
) -> None:
    with pytest.raises(ValidationError, match=named):
        settings(monkeypatch, ACCOUNTS=json.dumps(listed))


def test_secrets_come_from_the_environment_or_a_file_and_never_show(tmp_path: Path) -> None:
    (tmp_path / "talent.wechat_app_secret").write_text("file-secret\n", encoding="utf-8")

    from_env = account_secret(
        "talent", "wechat_app_secret", environ={"ACCOUNT_TALENT_WECHAT_APP_SECRET": "env-secret"}
    )
    from_file = account_secret(
        "talent", "wechat_app_secret", environ={"ACCOUNTS_SECRETS_DIR": str(tmp_path)}
    )
    hyphen = account_secret(
        "hr-news", "wechat_token", environ={"ACCOUNT_HR_NEWS_WECHAT_TOKEN": "tok"}
    )

    assert from_env is not None
    assert from_env.get_secret_value() == "env-secret"
    assert from_file is not None
    assert from_file.get_secret_value() == "file-secret"
    assert hyphen is not None
    assert hyphen.get_secret_value() == "tok"
    assert "secret" not in repr(from_env)
    assert "secret" not in str(from_file)
    assert account_secret("talent", "wechat_aes_key", environ={}) is None


def test_roles_hold_on_the_principals_accounts_only() -> None:
    reviewer_a = Principal(subject="ann", roles={Role.REVIEWER}, accounts={"default"})
    both = Principal(
        subject="bo",
        roles={Role.EDITOR},
        accounts={"default"},
        account_roles={"talent": {Role.REVIEWER}},
    )
    director = Principal(subject="di", roles={Role.DIRECTOR})  # no limit: every account

    assert reviewer_a.may("default", {Role.REVIEWER})
    assert not reviewer_a.may("talent", {Role.REVIEWER})
    assert both.may("talent", {Role.REVIEWER})
    assert not both.may("talent", {Role.EDITOR})
    assert both.all_roles == {Role.EDITOR, Role.REVIEWER}
    assert director.readable(("default", "talent")) == ["default", "talent"]
    assert reviewer_a.readable(("default", "talent")) == ["default"]
    with pytest.raises(ValidationError):
        Principal(subject="x", roles={Role.EDITOR}, accounts={"Not An Id"})


def test_authorize_refuses_another_accounts_resource_with_403() -> None:
    reviewer_a = Principal(subject="ann", roles={Role.REVIEWER}, accounts={"default"})
    admin_a = Principal(subject="ad", roles={Role.ADMIN}, accounts={"default"})

    authorize(reviewer_a, "default", Role.REVIEWER)
    authorize(admin_a, "default", Role.REVIEWER)
    for who in (reviewer_a, admin_a):
        with pytest.raises(ProblemError) as caught:
            authorize(who, "talent", Role.REVIEWER)
        assert caught.value.problem.status == 403
        assert "talent" in caught.value.problem.detail


def test_a_list_reads_the_asked_account_or_every_readable_one() -> None:
    accounts = Accounts.parse(TWO)
    reviewer_a = Principal(subject="ann", roles={Role.REVIEWER}, accounts={"default"})
    director = Principal(subject="di", roles={Role.DIRECTOR})

    assert account_scope(director, accounts) == ["default", "talent"]
    assert account_scope(director, accounts, "talent") == ["talent"]
    assert account_scope(reviewer_a, accounts) == ["default"]
    with pytest.raises(ProblemError) as forbidden:
        account_scope(reviewer_a, accounts, "talent")
    with pytest.raises(ProblemError) as unknown:
        account_scope(director, accounts, "nobody")
    assert forbidden.value.problem.status == 403
    assert unknown.value.problem.status == 404
    assert unknown.value.problem.errors[0]["field"] == "account"


KEY = Ed25519PrivateKey.generate()


def _person_token(**extra: object) -> str:
    now = int(time.time())
    claims = {
        "sub": "ann",
        "roles": ["reviewer"],
        "iss": "gw",
        "aud": "review",
        "iat": now,
        "exp": now + 60,
        **extra,
    }
    return jwt.encode(claims, KEY, algorithm="EdDSA", headers={"kid": key_id(KEY.public_key())})


def test_a_person_token_carries_the_persons_accounts_and_roles_per_account() -> None:
    pem = KEY.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode()
    tokens = PersonTokens([pem], issuer="gw", audience="review")

    limited = tokens.verify(
        _person_token(accounts=["default"], account_roles={"talent": ["editor"]})
    )
    unlimited = tokens.verify(_person_token())

    assert limited is not None
    assert limited.accounts == frozenset({"default"})
    assert limited.roles_on("talent") == {Role.EDITOR}
    assert unlimited is not None
    assert unlimited.accounts is None
    assert tokens.verify(_person_token(accounts="default")) is None  # not a list
    assert tokens.verify(_person_token(account_roles={"talent": ["system"]})) is None
    assert tokens.verify(_person_token(accounts=["Bad Id"])) is None


def test_looking_up_an_unknown_account_reads_like_a_mapping() -> None:
    accounts = Accounts.parse(TWO)

    assert accounts.get("nobody") is None
    assert "nobody" not in accounts
    with pytest.raises(UnknownAccount) as caught:
        accounts["nobody"]
    assert str(caught.value) == "unknown account 'nobody'"
