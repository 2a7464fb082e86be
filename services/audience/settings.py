"""Settings of the audience service (env prefix ``AUDIENCE_``).

The WeChat push endpoint needs ``AUDIENCE_WECHAT_TOKEN`` (and, for the encrypted mode,
``AUDIENCE_WECHAT_ENCODING_AES_KEY`` + ``AUDIENCE_WECHAT_APP_ID``). QR codes, the menu,
the back-fill and the daily reconciliation call WeChat's API and need
``AUDIENCE_WECHAT_APP_ID`` + ``AUDIENCE_WECHAT_APP_SECRET``. Secrets have no defaults and
placeholders are refused. Intervals of background work are real seconds.

Accounts (#12): these settings are the default account's. Another account of ``ACCOUNTS``
calls WeChat with its ``wechat_app_id`` and ``ACCOUNT_<ID>_WECHAT_APP_SECRET`` and takes
pushes at ``/wechat/push/<id>`` with ``ACCOUNT_<ID>_WECHAT_TOKEN`` (and
``ACCOUNT_<ID>_WECHAT_AES_KEY`` for the encrypted mode), read by
:func:`shared.accounts.account_secret` (environment or ``ACCOUNTS_SECRETS_DIR``); the
default account may set those too, else it keeps ``AUDIENCE_WECHAT_*``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from services.audience.posters.render import DEFAULT_FONTS
from shared.accounts import DEFAULT_ACCOUNT, SecretName, account_secret
from shared.settings import PLACEHOLDER_SECRETS, ServiceSettings, secret_text
from shared.wechat import DEFAULT_BASE_URL
from shared.wechat.followers import DEFAULT_QRCODE_BASE_URL

__all__ = ["AppCredentials", "AudienceSettings", "PushCredentials"]


@dataclass(frozen=True)
class AppCredentials:
    """What an account calls WeChat's API with (never logged: the secret is a SecretStr)."""

    app_id: str
    app_secret: SecretStr


@dataclass(frozen=True)
class PushCredentials:
    """What an account's push URL checks with: the token, and in the encrypted mode the
    message key and the app id."""

    token: SecretStr
    aes_key: SecretStr | None
    app_id: str | None


class AudienceSettings(ServiceSettings):
    """Configuration of the audience service."""

    model_config = SettingsConfigDict(
        env_prefix="AUDIENCE_", env_ignore_empty=True, extra="ignore", populate_by_name=True
    )

    service_name: str = "audience"
    http_port: int = 8107

    account_name: str = Field(
        default="公众号",
        min_length=1,
        max_length=40,
        description="Printed on the default account's posters unless ACCOUNTS names it.",
    )
    poster_fonts: list[str] = Field(
        default_factory=lambda: list(DEFAULT_FONTS),
        description="JSON list of CJK font files for posters; the first existing one is used.",
    )

    # -- WeChat --------------------------------------------------------------------------
    wechat_token: SecretStr | None = Field(default=None, description="Push endpoint token.")
    wechat_encoding_aes_key: SecretStr | None = Field(
        default=None, description="EncodingAESKey (43 chars): turns on the encrypted mode."
    )
    wechat_app_id: str | None = None
    wechat_app_secret: SecretStr | None = None
    wechat_base_url: str = DEFAULT_BASE_URL
    wechat_qrcode_base_url: str = Field(
        default=DEFAULT_QRCODE_BASE_URL, description="Where showqrcode serves code images."
    )
    wechat_timeout_seconds: float = Field(default=15.0, gt=0)
    wechat_max_skew_seconds: float = Field(default=300.0, gt=0)
    push_max_bytes: int = Field(default=64 * 1024, ge=1024)
    push_answer_seconds: float = Field(
        default=4.0, gt=0, le=5, description="WeChat waits 5 s for an answer, then re-sends."
    )

    # -- auto-replies and the menu --------------------------------------------------------
    max_rules: int = Field(default=20_000, ge=1, le=100_000)
    rules_refresh_seconds: float = Field(
        default=2.0, gt=0, description="How often a replica checks the rules' revision."
    )
    max_menu_versions_listed: int = Field(default=100, ge=1, le=1000)

    follower_event_consumers: list[str] = Field(
        default_factory=lambda: ["reporting"],
        description="Services whose follower.* queues this service declares at start-up, so "
        "the events wait for them (an unroutable event would hold up the outbox).",
    )

    # -- back-fill and reconciliation ---------------------------------------------------------
    backfill_chunk: int = Field(
        default=100, ge=1, le=10_000, description="Followers looked up between saved cursors."
    )
    backfill_poll_seconds: float = Field(default=2.0, gt=0)
    reconcile_enabled: bool = Field(default=True, description="Daily, needs app credentials.")
    reconcile_time: time = Field(default=time(9, 30), description="China time, daily.")
    reconcile_days: int = Field(default=7, ge=1, le=7, description="Days checked each run.")

    @field_validator("wechat_token", "wechat_app_secret")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("must be a real secret, not a placeholder")
        return value

    @model_validator(mode="after")
    def _check(self) -> AudienceSettings:
        aes_key = secret_text(self.wechat_encoding_aes_key)
        if aes_key:
            if len(aes_key) != 43:
                raise ValueError("AUDIENCE_WECHAT_ENCODING_AES_KEY must be 43 characters")
            if not self.wechat_token or not self.wechat_app_id:
                raise ValueError(
                    "the encrypted mode needs AUDIENCE_WECHAT_TOKEN and AUDIENCE_WECHAT_APP_ID"
                )
        if self.wechat_app_secret and not self.wechat_app_id:
            raise ValueError("AUDIENCE_WECHAT_APP_SECRET needs AUDIENCE_WECHAT_APP_ID")
        return self

    @property
    def push_enabled(self) -> bool:
        """The default account's push URL is on (its token is set)."""
        return self.push_credentials(DEFAULT_ACCOUNT) is not None

    def _account_secret(self, account: str, name: SecretName) -> SecretStr | None:
        value = account_secret(account, name)
        if value is not None and value.get_secret_value().strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError(f"account {account!r}: {name} must be a real secret")
        return value

    def _app_id(self, account: str) -> str | None:
        spec = self.accounts.require(account)
        if account == DEFAULT_ACCOUNT:
            return spec.wechat_app_id or self.wechat_app_id
        return spec.wechat_app_id

    def app_credentials(self, account: str) -> AppCredentials | None:
        """The account's app id and secret, or None (then WeChat's API is off for it).

        Another account: ``wechat_app_id`` in ``ACCOUNTS`` and its app secret by
        ``account_secret``; the default account falls back to ``AUDIENCE_WECHAT_*``.
        """
        secret = self._account_secret(account, "wechat_app_secret")
        if account == DEFAULT_ACCOUNT and secret is None:
            secret = self.wechat_app_secret
        app_id = self._app_id(account)
        if not app_id or not secret_text(secret):
            return None
        assert secret is not None
        return AppCredentials(app_id, secret)

    def push_credentials(self, account: str) -> PushCredentials | None:
        """The account's push token (and message key), or None: no push URL for it.

        ``ValueError`` naming the account when its encrypted mode is incomplete.
        """
        token = self._account_secret(account, "wechat_token")
        aes_key = self._account_secret(account, "wechat_aes_key")
        if account == DEFAULT_ACCOUNT:
            token = token or self.wechat_token
            aes_key = aes_key or self.wechat_encoding_aes_key
        if not secret_text(token):
            return None
        assert token is not None
        app_id = self._app_id(account)
        if secret_text(aes_key):
            if len(secret_text(aes_key)) != 43:
                raise ValueError(f"account {account!r}: the message key must be 43 characters")
            if not app_id:
                raise ValueError(f"account {account!r}: the encrypted mode needs wechat_app_id")
            return PushCredentials(token, aes_key, app_id)
        return PushCredentials(token, None, app_id)

    @property
    def encrypted_push(self) -> bool:
        return bool(secret_text(self.wechat_encoding_aes_key))

    @property
    def api_enabled(self) -> bool:
        """WeChat's API is reachable for the default account: its credentials are set."""
        return self.app_credentials(DEFAULT_ACCOUNT) is not None
