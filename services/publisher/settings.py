"""Settings of the publisher service (env prefix ``PUBLISHER_``).

The slot calendar (``SLOT_WEEKDAYS=mon,wed,fri``, ``SLOT_TIMES=11:30``, ``SLOT_ZONE``,
shared with review, which derives its deadlines from them; ``PUBLISHER_POSTS_PER_SLOT``,
``PUBLISHER_HOLIDAY_POLICY``) is
validated at start-up into a :class:`~services.publisher.domain.slots.SlotPolicy`
(the shared :class:`~shared.calendar.SlotCalendar` plus the capacity), so a bad value
stops the process with the field named. Durations of the plan's day (grace, tolerance)
are business time; operational intervals (leases, polls, reconcile rounds) are real
seconds, converted with the clock's speed where they become due instants.

Accounts (#12): each account of ``ACCOUNTS`` has its own calendar and capacity
(:meth:`PublisherSettings.slot_policy_for`: its ``slot_*``, ``holiday_policy`` and
``posts_per_slot``, else these settings'), its own channel (``channel``, else
``PUBLISHER_CHANNEL``) and, on WeChat, its own app (``wechat_app_id`` and the secret
``ACCOUNT_<ID>_WECHAT_APP_SECRET``; the default account falls back to
``PUBLISHER_WECHAT_APP_ID``/``_SECRET``). A WeChat account without credentials stops
start-up naming the account.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from services.publisher.domain.slots import SlotPolicy
from shared.accounts import DEFAULT_ACCOUNT, account_secret, secret_env_name
from shared.calendar import HolidayPolicy
from shared.settings import CalendarSettings
from shared.wechat import DEFAULT_BASE_URL

__all__ = ["ChannelName", "PublisherSettings"]

ChannelName = Literal["local", "wechat"]

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
    publish_concurrency: int = Field(
        default=8,
        ge=1,
        le=100,
        description="Jobs of each account the publishing (and the reconcile) loop runs "
        "at once: every account has its own share, so another account's jobs never wait "
        "for these.",
    )
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
        for account in self.accounts.ids:
            self.slot_policy_for(account)  # noqa: B018 - each account's calendar, checked
            if self.channel_for(account) == "wechat":
                self.wechat_credentials(account)  # a missing one stops start-up, named
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

    def slot_policy_for(self, account: str) -> SlotPolicy:
        """``account``'s calendar and capacity (unset fields: these settings')."""
        if account == DEFAULT_ACCOUNT and not self.accounts.several:
            return self.slot_policy
        spec = self.accounts.require(account)
        calendar = self.accounts.calendar(account, self.holiday_policy)
        capacity = spec.posts_per_slot or self.posts_per_slot
        return SlotPolicy(**calendar.model_dump(), posts_per_slot=capacity)

    def channel_for(self, account: str) -> ChannelName:
        """Where ``account``'s posts go: its own ``channel``, else ``PUBLISHER_CHANNEL``."""
        return self.accounts.require(account).channel or self.channel

    def wechat_credentials(self, account: str) -> tuple[str, SecretStr]:
        """``account``'s WeChat app id and secret; ``ValueError`` naming it when one is
        missing (or a placeholder). The default account falls back to
        ``PUBLISHER_WECHAT_APP_ID``/``PUBLISHER_WECHAT_APP_SECRET``."""
        spec = self.accounts.require(account)
        default = account == DEFAULT_ACCOUNT
        app_id = spec.wechat_app_id or (self.wechat_app_id if default else None)
        secret = account_secret(account, "wechat_app_secret", secrets_dir=self.accounts_secrets_dir)
        if secret is None and default:
            secret = self.wechat_app_secret
        text = secret.get_secret_value() if secret is not None else ""
        if default and not self.accounts.several:  # one account: today's messages
            if not app_id:
                raise ValueError("PUBLISHER_WECHAT_APP_ID is required when channel is wechat")
            if not text or text.lower() in _PLACEHOLDERS:
                raise ValueError(
                    "PUBLISHER_WECHAT_APP_SECRET is required (not a placeholder) "
                    "when channel is wechat"
                )
        if not app_id:
            where = "PUBLISHER_WECHAT_APP_ID or its " if default else "its "
            raise ValueError(
                f"account {account!r} publishes on WeChat but has no app id "
                f"(set {where}wechat_app_id in ACCOUNTS)"
            )
        if secret is None or not text or text.lower() in _PLACEHOLDERS:
            also = " or PUBLISHER_WECHAT_APP_SECRET" if default else ""
            raise ValueError(
                f"account {account!r} publishes on WeChat but has no app secret (not a "
                f"placeholder): set {secret_env_name(account, 'wechat_app_secret')}"
                f"{also}, or the file <ACCOUNTS_SECRETS_DIR>/{account}.wechat_app_secret"
            )
        return app_id, secret

    def local_dir_for(self, account: str) -> Path:
        """Where the local channel writes ``account``'s pages: the default account's
        directory as before, another's in ``<local_dir>/<account>/``."""
        return self.local_dir if account == DEFAULT_ACCOUNT else self.local_dir / account

    def local_public_base_url_for(self, account: str) -> str | None:
        """The public address of ``account``'s pages (another account's ends ``/<account>``)."""
        base = self.local_public_base_url
        if base is None or account == DEFAULT_ACCOUNT:
            return base
        return f"{base.rstrip('/')}/{account}"

    @property
    def grace(self) -> timedelta:
        return timedelta(seconds=self.grace_seconds)

    @property
    def tolerance(self) -> timedelta:
        return timedelta(seconds=self.on_time_tolerance_seconds)

    @property
    def min_lead(self) -> timedelta:
        return timedelta(seconds=self.min_lead_seconds)
