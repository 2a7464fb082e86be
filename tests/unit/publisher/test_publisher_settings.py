"""Publisher settings: the calendar and the channel come from the environment, checked."""

from __future__ import annotations

from datetime import time

import pytest
from pydantic import ValidationError

from services.publisher.settings import PublisherSettings
from shared.calendar import HolidayPolicy

TOKENS = '{"reviewer-token-0000000001": {"subject": "rita", "roles": ["reviewer"]}}'


def settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> PublisherSettings:
    monkeypatch.setenv("API_TOKENS", TOKENS)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return PublisherSettings()


def test_the_plan_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = settings(monkeypatch).slot_policy
    assert policy.weekdays == (0, 2, 4)
    assert policy.times == (time(11, 30),)
    assert policy.zone == "Asia/Shanghai"
    assert policy.posts_per_slot == 1
    assert settings(monkeypatch).channel == "local"


def test_the_calendar_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    policy = settings(
        monkeypatch,
        PUBLISHER_SLOT_WEEKDAYS="tue, thu",
        PUBLISHER_SLOT_TIMES="09:00,17:45",
        PUBLISHER_SLOT_ZONE="Europe/Berlin",
        PUBLISHER_POSTS_PER_SLOT="20",
        PUBLISHER_HOLIDAY_POLICY="skip",
    ).slot_policy
    assert policy.weekdays == (1, 3)
    assert policy.times == (time(9), time(17, 45))
    assert policy.zone == "Europe/Berlin"
    assert policy.posts_per_slot == 20
    assert policy.holiday_policy is HolidayPolicy.SKIP


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PUBLISHER_SLOT_WEEKDAYS", "someday", "not a weekday"),
        ("PUBLISHER_SLOT_ZONE", "Mars/Olympus", "unknown time zone"),
        ("PUBLISHER_SLOT_TIMES", "25:00", "hour must be in"),
    ],
)
def test_a_bad_calendar_stops_the_start(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        settings(monkeypatch, **{name: value})


def test_wechat_needs_real_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="WECHAT_APP_ID"):
        settings(monkeypatch, PUBLISHER_CHANNEL="wechat")
    with pytest.raises(ValidationError, match="WECHAT_APP_SECRET"):
        settings(
            monkeypatch,
            PUBLISHER_CHANNEL="wechat",
            PUBLISHER_WECHAT_APP_ID="wx1234",
            PUBLISHER_WECHAT_APP_SECRET="changeme",
        )
    ok = settings(
        monkeypatch,
        PUBLISHER_CHANNEL="wechat",
        PUBLISHER_WECHAT_APP_ID="wx1234",
        PUBLISHER_WECHAT_APP_SECRET="0123456789abcdef0123456789abcdef",
    )
    assert "0123456789abcdef" not in repr(ok)


def test_claiming_ahead_must_fit_in_the_lease(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="prepare_ahead_seconds"):
        settings(
            monkeypatch,
            PUBLISHER_JOB_LEASE_SECONDS="1",
            PUBLISHER_PREPARE_AHEAD_SECONDS="2",
        )
