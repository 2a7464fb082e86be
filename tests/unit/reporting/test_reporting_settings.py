"""The schedule is configured from the environment (REPORTING_*)."""

from __future__ import annotations

import json
from datetime import date, time

import pytest
from pydantic import ValidationError

from services.reporting.settings import ReportingSettings

TOKENS = json.dumps({"director-token-0000000001": {"subject": "liu", "roles": ["director"]}})


def test_the_biweekly_anchor_and_fire_times_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("API_TOKENS", TOKENS)
    monkeypatch.setenv("REPORTING_BIWEEKLY_ANCHOR", "2026-11-30")
    monkeypatch.setenv("REPORTING_WEEKLY_FIRE_TIME", "09:00")
    policy = ReportingSettings().schedule_policy()
    assert policy.biweekly_anchor == date(2026, 11, 30)
    assert policy.weekly_fire_time == time(9, 0)
    assert policy.monthly_fire_time == time(14, 30)
    assert policy.zone == "Asia/Shanghai"
    assert policy.catch_up_limit == 1


def test_an_unknown_zone_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKENS", TOKENS)
    monkeypatch.setenv("REPORTING_ZONE", "Mars/Olympus")
    with pytest.raises(ValidationError, match="unknown time zone"):
        ReportingSettings()
