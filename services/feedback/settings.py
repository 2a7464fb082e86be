"""Settings of the feedback service (env prefix ``FEEDBACK_``).

Business durations (``FEEDBACK_WINDOW_HOURS``, ``FEEDBACK_REPLY_LIMIT_HOURS``) are read on
the injected clock; operational intervals (polls, sweeps, leases) are real seconds and are
converted with the clock's speed where they become due instants.

Secrets have no defaults and placeholders are refused. Each outside connection is off
until configured: the WeChat push endpoint needs ``FEEDBACK_WECHAT_TOKEN`` (and, for the
encrypted mode, ``FEEDBACK_WECHAT_ENCODING_AES_KEY`` + ``FEEDBACK_WECHAT_APP_ID``); the
comment poller and sending our replies through WeChat need ``FEEDBACK_WECHAT_APP_ID`` +
``FEEDBACK_WECHAT_APP_SECRET`` (replies can be kept from WeChat with
``FEEDBACK_REPLY_SEND_ENABLED=false``), and so does collecting the articles' reads and
shares from WeChat's statistics (``FEEDBACK_STATS_ENABLED``, on by default; the daily
poll's ``FEEDBACK_STATS_POLL_TIME`` is China time, like WeChat's dates); e-mail
needs ``FEEDBACK_SMTP_HOST``; the webhook needs ``FEEDBACK_DIGEST_WEBHOOK_URL`` + its secret.

Accounts (#12): these WeChat settings and ``FEEDBACK_REPLY_LIMIT_HOURS`` are the default
account's (and the fallback of any account leaving ``reply_limit_hours`` unset). Another
account of ``ACCOUNTS`` uses its own ``wechat_app_id`` and the secrets
``ACCOUNT_<ID>_WECHAT_APP_SECRET``, ``_WECHAT_TOKEN`` and ``_WECHAT_AES_KEY`` (or
``ACCOUNTS_SECRETS_DIR``); each part is on for it once its credentials are there.
"""

from __future__ import annotations

from datetime import time, timedelta

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from shared.settings import PLACEHOLDER_SECRETS, ServiceSettings, secret_text
from shared.wechat import DEFAULT_BASE_URL

__all__ = ["FeedbackSettings"]


class FeedbackSettings(ServiceSettings):
    """Feedback service settings; shared infrastructure names come from the base class."""

    model_config = SettingsConfigDict(
        env_prefix="FEEDBACK_", env_ignore_empty=True, extra="ignore", populate_by_name=True
    )

    service_name: str = "feedback"
    http_port: int = 8104
    # A batch can only fill when at least that many messages are unacked at once.
    prefetch: int = Field(default=600, ge=1, le=10_000)

    # -- windows and the reply rule (business time) ------------------------------------
    window_hours: float = Field(default=24.0, gt=0, description="Feedback window after a push.")
    reply_limit_hours: float = Field(default=12.0, gt=0, description="Reply deadline.")
    history_posts: int = Field(default=8, ge=0, le=50, description="Posts in the comparison.")

    # -- AMQP ingestion batching ---------------------------------------------------------
    ingest_batch_size: int = Field(default=200, ge=1, le=5_000)
    ingest_batch_max_wait_seconds: float = Field(default=0.05, gt=0, le=5)
    ingest_max_inflight_batches: int = Field(default=2, ge=1, le=16)

    # -- HTTP batch ingestion ------------------------------------------------------------
    http_batch_max_items: int = Field(default=500, ge=1, le=10_000)
    http_batch_max_bytes: int = Field(
        default=4 * 1024 * 1024,
        ge=1024,
        description="Largest body of POST /feedback/batch (413 beyond, checked while reading).",
    )

    # -- WeChat --------------------------------------------------------------------------
    wechat_token: SecretStr | None = Field(default=None, description="Push endpoint token.")
    wechat_encoding_aes_key: SecretStr | None = Field(
        default=None, description="EncodingAESKey (43 chars): turns on the encrypted mode."
    )
    wechat_app_id: str | None = None
    wechat_app_secret: SecretStr | None = None
    wechat_base_url: str = DEFAULT_BASE_URL
    wechat_max_skew_seconds: float = Field(default=300.0, gt=0)
    push_max_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        description="Largest body of POST /wechat/push (413 beyond, checked while reading).",
    )
    push_answer_seconds: float = Field(
        default=4.0, gt=0, le=5, description="WeChat waits 5 s for an answer, then retries."
    )
    comment_poll_seconds: float = Field(default=60.0, gt=0, description="Real seconds.")
    comment_page_size: int = Field(default=50, ge=1, le=50)
    comment_max_pages: int = Field(default=40, ge=1)
    wechat_timeout_seconds: float = Field(
        default=15.0, gt=0, description="Per WeChat API request (real seconds)."
    )

    # -- reads and shares from WeChat's statistics (datacube) ----------------------------
    stats_enabled: bool = Field(
        default=True, description="Collect wechat posts' reads/shares (needs app credentials)."
    )
    stats_poll_time: time = Field(
        default=time(9, 0), description="China time of the daily statistics poll (HH:MM)."
    )
    stats_poll_days: int = Field(
        default=7, ge=1, le=30, description="Daily polls after publication (WeChat keeps 30)."
    )
    stats_retry_seconds: float = Field(
        default=900.0,
        gt=0,
        description="Real seconds before asking again when the day is not final or failed.",
    )

    # -- sending our replies to the customer through WeChat ------------------------------
    reply_send_enabled: bool = Field(
        default=True, description="Send API replies to WeChat enquiries (needs app credentials)."
    )
    reply_send_max_attempts: int = Field(
        default=5, ge=1, description="Tries of a reply that fails transiently, then failed."
    )

    # -- background work (real seconds) ---------------------------------------------------
    job_poll_seconds: float = Field(default=0.5, gt=0, le=30)
    job_lease_seconds: float = Field(default=60.0, gt=0)
    job_retry_seconds: float = Field(default=30.0, gt=0)
    enquiry_sweep_seconds: float = Field(default=30.0, gt=0)

    # -- delivery of the core-issues document (off by default) ---------------------------
    public_base_url: str = Field(
        default="", description="Prefix of document links sent out, e.g. https://ops/feedback."
    )
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_starttls: bool = True
    smtp_ssl: bool = False
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    smtp_to: list[str] = Field(default_factory=list, description="JSON list of recipients.")
    smtp_timeout_seconds: float = Field(default=20.0, gt=0)
    digest_webhook_url: str | None = None
    digest_webhook_secret: SecretStr | None = None
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    delivery_max_attempts: int = Field(default=10, ge=1)

    @field_validator("stats_poll_time")
    @classmethod
    def _china_wall_time(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("is a China wall-clock time: give it without a zone, e.g. 09:00")
        return value

    @field_validator("wechat_token", "wechat_app_secret", "digest_webhook_secret")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("must be a real secret, not a placeholder")
        return value

    @model_validator(mode="after")
    def _check(self) -> FeedbackSettings:
        if self.prefetch < self.ingest_batch_size:
            raise ValueError(
                "FEEDBACK_PREFETCH must be at least FEEDBACK_INGEST_BATCH_SIZE, "
                "or a batch can never fill"
            )
        aes_key = secret_text(self.wechat_encoding_aes_key)
        if aes_key:
            if len(aes_key) != 43:
                raise ValueError("FEEDBACK_WECHAT_ENCODING_AES_KEY must be 43 characters")
            if not self.wechat_token or not self.wechat_app_id:
                raise ValueError(
                    "the encrypted mode needs FEEDBACK_WECHAT_TOKEN and FEEDBACK_WECHAT_APP_ID"
                )
        if self.wechat_app_secret and not self.wechat_app_id:
            raise ValueError("FEEDBACK_WECHAT_APP_SECRET needs FEEDBACK_WECHAT_APP_ID")
        if self.digest_webhook_url and not secret_text(self.digest_webhook_secret):
            raise ValueError("FEEDBACK_DIGEST_WEBHOOK_SECRET is required with a webhook URL")
        if self.smtp_host and (not self.smtp_from or not self.smtp_to):
            raise ValueError("FEEDBACK_SMTP_FROM and FEEDBACK_SMTP_TO are required with SMTP")
        return self

    @property
    def window(self) -> timedelta:
        return timedelta(hours=self.window_hours)

    @property
    def reply_limit(self) -> timedelta:
        return timedelta(hours=self.reply_limit_hours)

    @property
    def push_enabled(self) -> bool:
        """The push endpoint is served only with a token."""
        return bool(secret_text(self.wechat_token))

    @property
    def encrypted_push(self) -> bool:
        return bool(secret_text(self.wechat_encoding_aes_key))

    @property
    def poller_enabled(self) -> bool:
        """Comments are polled only with the app's credentials."""
        return bool(self.wechat_app_id and secret_text(self.wechat_app_secret))

    @property
    def stats_polling(self) -> bool:
        """Statistics are collected when enabled and the app's credentials are set."""
        return self.stats_enabled and self.poller_enabled

    @property
    def reply_sending(self) -> bool:
        """Replies are sent through WeChat when enabled and the app's credentials are set."""
        return self.reply_send_enabled and self.poller_enabled

    @property
    def delivery_channels(self) -> tuple[str, ...]:
        """How the document is sent out when issued (none by default)."""
        return tuple(
            name
            for name, on in (("email", self.smtp_host), ("webhook", self.digest_webhook_url))
            if on
        )
