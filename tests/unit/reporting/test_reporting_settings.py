"""The schedule, the plan's calendar and the chart font come from the environment."""

from __future__ import annotations

import json
from datetime import date, time
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.reporting.bootstrap import build_service
from services.reporting.reports import ChartFontError
from services.reporting.settings import ReportingSettings
from shared.calendar import HolidayPolicy

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


def test_the_plans_calendar_is_the_hosts_slot_calendar_with_its_holiday_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("API_TOKENS", TOKENS)
    monkeypatch.setenv("SLOT_WEEKDAYS", "tue,thu")
    monkeypatch.setenv("REPORTING_HOLIDAY_POLICY", "skip")
    calendar = ReportingSettings().plan_calendar()
    assert calendar.weekdays == (1, 3)
    assert calendar.times == (time(11, 30),)
    assert calendar.holiday_policy is HolidayPolicy.SKIP


def test_the_chart_font_is_a_path_and_the_service_refuses_to_start_without_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("API_TOKENS", TOKENS)
    assert ReportingSettings().cjk_font == Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
    monkeypatch.setenv("REPORTING_CJK_FONT", "/nonexistent/wqy-zenhei.ttc")
    with pytest.raises(ChartFontError, match="does not exist: install Debian's fonts-wqy-zenhei"):
        build_service(ReportingSettings())


def test_the_days_a_branch_has_to_reach_its_target_come_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("API_TOKENS", TOKENS)
    assert ReportingSettings().follower_target_days == 30
    monkeypatch.setenv("REPORTING_FOLLOWER_TARGET_DAYS", "60")
    service = build_service(ReportingSettings())
    assert service.deps.follower_target_days == 60
    assert service.deps.followers is not None  # the reports read the followers model
    monkeypatch.setenv("REPORTING_FOLLOWER_TARGET_DAYS", "0")
    with pytest.raises(ValidationError, match="follower_target_days"):
        ReportingSettings()
