"""The demo's plan: the calendar it simulates and the env the services read from it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from demo.client import Tokens, service_urls
from demo.config import DemoPlan
from services.publisher.settings import PublisherSettings
from services.reporting.settings import ReportingSettings
from shared.calendar import slot_for
from shared.settings import ServiceSettings

TOKENS = json.dumps({"x" * 20: {"subject": "a", "roles": ["admin"]}})


def _plan(days: int = 14, speed: float = 4000.0) -> DemoPlan:
    return DemoPlan.new(run_dir=Path("/tmp/demo-plan"), days=days, speed=speed)


def test_two_weeks_are_six_push_days_and_the_biweekly_period_ends_with_them() -> None:
    plan = _plan()
    assert [d.isoformat() for d in plan.push_days] == [
        "2026-11-23", "2026-11-25", "2026-11-27", "2026-11-30", "2026-12-02", "2026-12-04",
    ]  # fmt: skip
    assert plan.biweekly_anchor == date(2026, 11, 23)
    assert plan.report_due.isoformat() == "2026-12-07T14:30:00+08:00"
    assert 4 * 60 <= plan.real_seconds <= 6 * 60  # the default takes a few minutes


def test_a_shortened_week_still_ends_a_biweekly_period() -> None:
    plan = _plan(days=7, speed=7000)
    assert len(plan.push_days) == 3
    assert plan.biweekly_anchor == date(2026, 11, 16)
    assert plan.report_due.isoformat() == "2026-11-30T14:30:00+08:00"


def test_services_and_driver_read_the_same_clock_and_knobs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = _plan(days=7, speed=7000)
    for key, value in {**plan.env(), "API_TOKENS": TOKENS}.items():
        monkeypatch.setenv(key, value)
    publisher, reporting = PublisherSettings(), ReportingSettings()
    driver = ServiceSettings(service_name="demo")
    assert publisher.posts_per_slot == 2
    assert publisher.on_time_tolerance_seconds == plan.on_time_tolerance_seconds == 3500
    assert reporting.biweekly_anchor == plan.biweekly_anchor
    assert publisher.namespace == driver.namespace == plan.namespace
    a, b = publisher.make_clock(), driver.make_clock()
    assert a.speed == b.speed == 7000
    assert abs((a.now() - b.now()).total_seconds()) < 7000 * 0.5
    assert DemoPlan.from_env() == plan


def test_from_env_refuses_a_real_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLOCK_MODE", raising=False)
    with pytest.raises(ValueError, match="accelerated"):
        DemoPlan.from_env({})


def test_tokens_come_from_the_environment_or_local_env(tmp_path: Path) -> None:
    local = tmp_path / "local.env"
    local.write_text("API_TOKENS='{}'\nTOKEN_EDITOR=e-file\nTOKEN_EDITOR2=e2\n"
                     "GATEWAY_SIGNING_KEY='-----BEGIN PRIVATE KEY-----\nMC4C\n"
                     "-----END PRIVATE KEY-----'\n# the console's people\n"
                     "TOKEN_REVIEWER=r\nTOKEN_DIRECTOR=d\nTOKEN_SYSTEM=s\n")  # fmt: skip
    tokens = Tokens.load({"TOKEN_EDITOR": "e-env"}, local_env=local)
    assert tokens.by_role["editor"] == "e-env"
    assert tokens.by_role["reviewer"] == "r"
    with pytest.raises(ValueError, match="TOKEN_EDITOR"):
        Tokens.load({}, local_env=tmp_path / "missing.env")
    assert service_urls({"REVIEW_HTTP_PORT": "9002"})["review"] == "http://127.0.0.1:9002"


def test_the_run_has_two_accounts_each_on_its_own_calendar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = _plan()
    for key, value in {**plan.env(), "API_TOKENS": TOKENS}.items():
        monkeypatch.setenv(key, value)
    accounts = ServiceSettings(service_name="demo").accounts

    assert accounts.ids == ("default", "talent")
    assert accounts["talent"].label() == "融智人才"
    talent = accounts.calendar("talent")
    days = [d.isoformat() for d in plan.talent_days]
    assert days == ["2026-11-24", "2026-11-26", "2026-12-01", "2026-12-03"]
    for day in plan.talent_days:  # the driver's slots are the account's calendar's
        assert slot_for(talent, plan.talent_slot(day)) is not None
        assert slot_for(accounts.calendar("default"), plan.talent_slot(day)) is None
    for day in plan.push_days:
        assert slot_for(accounts.calendar("default"), plan.slot(day)) is not None
