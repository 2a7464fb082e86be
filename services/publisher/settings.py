"""Settings of the publisher service (env prefix ``PUBLISHER_``).

The slot calendar (``SLOT_WEEKDAYS=mon,wed,fri``, ``SLOT_TIMES=11:30``, ``SLOT_ZONE``,
shared with review, which derives its deadlines from them; ``PUBLISHER_POSTS_PER_SLOT``,
``PUBLISHER_HOLIDAY_POLICY``) is
validated at start-up into a :class:`~services.publisher.domain.slots.SlotPolicy`
(the shared :class:`~shared.calendar.SlotCalendar` plus the capacity), so a bad value
stops the process with the field named. Durations of the plan's day (grace, tolerance)
are business time; operational intervals (leases, polls, reconcile rounds) are real
seconds, converted with the clock's speed where they become due instants.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.publisher.domain.slots import SlotPolicy
from shared.calendar import HolidayPolicy
from shared.settings import CalendarSettings
from shared.wechat import DEFAULT_BASE_URL

__all__ = ["PublisherSettings"]

_PLACEHOLDERS = {"changeme", "change-me", "secret", "password", "xxx", "appsecret"}


class PublisherSettings(CalendarSettings):
    """Publisher service settings; the infrastructure names and the calendar (``SLOT_*``)
    come from the base classes."""

    model_config = SettingsConfigDict(
        env_prefix="PUBLISHER_", env_ignore_empty=True, extra="ignore", populate_by_name=True
    )

    service_name: str = "publisher"
    http_port: int = 8103

    # -- the slot calendar ---------------------------------------------------------------
    posts_per_slot: int = Field(default=1, ge=1, le=50)
    holiday_policy: HolidayPolicy = HolidayPolicy.KEEP
    min_lead_seconds: float = Field(
        default=0.0, ge=0, description="A new post needs a slot at least this far ahead."
    )
    grace_seconds: float = Field(
        default=7200.0, ge=0, description="How late a missed slot may still be published."
    )
    on_time_tolerance_seconds: float = Field(default=60.0, ge=0)

    # -- channels ------------------------------------------------------------------------
    channel: Literal["local", "wechat"] = "local"
    local_dir: Path = Field(default=Path("var/published"))
    local_public_base_url: str | None = None
    local_webhook_url: str | None = None
    local_webhook_secret: SecretStr | None = None
    local_delay_seconds: float = Field(
        default=0.0,
        ge=0,
        description="Tests and demos only: the local channel answers this much later "
        "(after the post is written), to simulate a slow channel.",
    )
    wechat_app_id: str | None = None
    wechat_app_secret: SecretStr | None = None
    wechat_base_url: str = DEFAULT_BASE_URL
    wechat_timeout_seconds: float = Field(default=15.0, gt=0)
    wechat_default_thumb_media_id: str | None = Field(
        default=None, description="Cover (permanent material) used when a post has none."
    )

    # -- timed publishing ----------------------------------------------------------------
    job_lease_seconds: float = Field(default=30.0, gt=0, description="Real seconds.")
    publish_concurrency: int = Field(default=8, ge=1, le=100)
    prepare_ahead_seconds: float = Field(
        default=1.0,
        ge=0,
        description="Real seconds before its instant a publishing job is claimed and "
        "prepared; it then fires exactly at the instant.",
    )
    claim_batch: int = Field(default=4, ge=1, le=100, description="Jobs claimed per pass.")
    poll_max_seconds: float = Field(
        default=0.2, gt=0, le=5, description="Longest real sleep of the publishing loop."
    )
    retry_seconds: float = Field(
        default=30.0, gt=0, description="Real seconds before retrying a transient failure."
    )
    reconcile_interval_seconds: float = Field(default=5.0, gt=0)
    reconcile_max_interval_seconds: float = Field(default=300.0, gt=0)
    escalate_unknown_after_seconds: float = Field(
        default=600.0,
        ge=0,
        description="Real seconds an outcome may stay unknown before a person is asked.",
    )

    @model_validator(mode="after")
    def _check(self) -> PublisherSettings:
        self.slot_policy  # noqa: B018 - builds and validates the calendar
        if self.channel == "wechat":
            if not self.wechat_app_id:
                raise ValueError("PUBLISHER_WECHAT_APP_ID is required when channel is wechat")
            secret = self.wechat_app_secret.get_secret_value() if self.wechat_app_secret else ""
            if not secret or secret.lower() in _PLACEHOLDERS:
                raise ValueError(
                    "PUBLISHER_WECHAT_APP_SECRET is required (not a placeholder) "
                    "when channel is wechat"
                )
        if self.prepare_ahead_seconds >= self.job_lease_seconds:
            raise ValueError("prepare_ahead_seconds must be shorter than job_lease_seconds")
        if self.local_webhook_url and not self.local_webhook_secret:
            raise ValueError("PUBLISHER_LOCAL_WEBHOOK_SECRET is required with a webhook URL")
        return self

    @property
    def slot_policy(self) -> SlotPolicy:
        """The calendar these settings describe, with the publisher's capacity."""
        calendar = self.slot_calendar(self.holiday_policy)
        return SlotPolicy(**calendar.model_dump(), posts_per_slot=self.posts_per_slot)

    @property
    def grace(self) -> timedelta:
        return timedelta(seconds=self.grace_seconds)

    @property
    def tolerance(self) -> timedelta:
        return timedelta(seconds=self.on_time_tolerance_seconds)

    @property
    def min_lead(self) -> timedelta:
        return timedelta(seconds=self.min_lead_seconds)
