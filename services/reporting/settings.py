"""Settings of the reporting service (env prefix ``REPORTING_``).

The schedule follows the operations department's rules by default: the weekly comparison
on Monday at 14:30 and the monthly one on the 1st at 14:30, China time; the biweekly
analysis every 14 days from ``REPORTING_BIWEEKLY_ANCHOR`` (the first day of period 0),
fired ``REPORTING_BIWEEKLY_FIRE_AFTER`` after the period's last midnight (14:30 the day
after the period).
"""

from __future__ import annotations

from datetime import date, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

from shared.accounts import DEFAULT_ACCOUNT
from shared.calendar import DEFAULT_ZONE, HolidayPolicy, SchedulePolicy, SlotCalendar
from shared.settings import CalendarSettings

DEFAULT_CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")

__all__ = ["ReportingSettings"]


class ReportingSettings(CalendarSettings):
    """Reporting service settings; shared infrastructure names and the host-wide slot
    calendar (``SLOT_WEEKDAYS``, ``SLOT_TIMES``, ``SLOT_ZONE``) come from the base class."""

    model_config = SettingsConfigDict(
        env_prefix="REPORTING_", env_ignore_empty=True, extra="ignore", populate_by_name=True
    )

    service_name: str = "reporting"
    http_port: int = 8105

    zone: str = Field(default=DEFAULT_ZONE, description="IANA zone of periods and fire times.")
    weekly_fire_time: time = Field(default=time(14, 30), description="Monday, local time.")
    monthly_fire_time: time = Field(default=time(14, 30), description="The 1st, local time.")
    biweekly_anchor: date = Field(
        default=date(2026, 1, 5), description="First local day of biweekly period 0."
    )
    biweekly_fire_after: timedelta = Field(
        default=timedelta(hours=14, minutes=30),
        description="Delay after the biweekly period's end (local midnight).",
    )
    catch_up_limit: int = Field(
        default=1,
        ge=1,
        description="After downtime, report at most this many missed periods per kind "
        "(the latest ones); older missed periods can be asked for through the API.",
    )
    schedule_poll_seconds: float = Field(
        default=1.0, gt=0, description="Real seconds between looks for due periods."
    )
    job_poll_seconds: float = Field(
        default=0.5, gt=0, description="Real seconds between claims of due report jobs."
    )
    job_lease_seconds: float = Field(
        default=120.0, gt=0, description="Real seconds a replica holds a claimed report job."
    )
    job_retry_seconds: float = Field(
        default=60.0, gt=0, description="Business seconds before a failed report job is retried."
    )
    metrics_refresh_seconds: float = Field(
        default=15.0, gt=0, description="Real seconds between refreshes of read-model gauges."
    )
    holiday_policy: HolidayPolicy = Field(
        default=HolidayPolicy.KEEP,
        description="What statutory holidays do to the slots the plan of the next pushes "
        "names; set it as the publisher's PUBLISHER_HOLIDAY_POLICY.",
    )
    follower_target_days: float = Field(
        default=30.0,
        gt=0,
        le=3650,
        description="Days a branch has, from its creation, to reach its head-count target: "
        "a report calls it behind when its followers are below the share of its target "
        "that this much time elapsed asks for.",
    )
    cjk_font: Path = Field(
        default=DEFAULT_CJK_FONT,
        description="Font file (.ttf/.otf/.ttc) with Chinese glyphs the charts are drawn in, "
        "found by path (Debian's fonts-wqy-zenhei by default); checked at start-up.",
    )

    @field_validator("zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (KeyError, ValueError) as exc:  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def plan_calendar(self, account: str = DEFAULT_ACCOUNT) -> SlotCalendar:
        """The slots the plan of the next pushes of ``account`` is made for (its own
        calendar from ``ACCOUNTS``, else the host's ``SLOT_*``)."""
        return self.accounts.calendar(account, self.holiday_policy)

    def schedule_policy(self) -> SchedulePolicy:
        """The fire times these settings describe."""
        return SchedulePolicy(
            zone=self.zone,
            weekly_fire_time=self.weekly_fire_time,
            monthly_fire_time=self.monthly_fire_time,
            biweekly_anchor=self.biweekly_anchor,
            biweekly_fire_after=self.biweekly_fire_after,
            catch_up_limit=self.catch_up_limit,
        )
